/** Tests of the gRPC load balancers, name resolvers and health checks, on real servers. */
@NullMarked
package dev.blastwall.grpc.balance;

import org.jspecify.annotations.NullMarked;
