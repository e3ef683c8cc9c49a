/** The gRPC adapter's shared implementation for Blastwall's own modules (the lab, the benchmarks); not API. */
@NullMarked
package dev.blastwall.grpc.internal;

import org.jspecify.annotations.NullMarked;
