/**
 * gRPC load balancing on Blastwall's selectors: one {@code LoadBalancerProvider} per selector (policy names
 * {@code blastwall_*}), static and file-based name resolvers, active gRPC health checks and passive outlier
 * ejection.
 */
@NullMarked
package dev.blastwall.grpc.balance;

import org.jspecify.annotations.NullMarked;
