/** The gRPC benchmark: a unary echo on loopback, bare grpc-java against Blastwall's interceptors, and its runner. */
@NullMarked
package dev.blastwall.bench.grpc;

import org.jspecify.annotations.NullMarked;
