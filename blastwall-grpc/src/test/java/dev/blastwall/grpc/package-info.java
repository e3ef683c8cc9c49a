/** Tests of the gRPC adapter, on real Netty servers bound to 127.0.0.1. */
@NullMarked
package dev.blastwall.grpc;

import org.jspecify.annotations.NullMarked;
