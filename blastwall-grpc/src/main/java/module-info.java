/**
 * Blastwall for grpc-java: client and server interceptors that carry deadlines and call context across hops,
 * retry unary calls through a pipeline, and map between gRPC statuses and Blastwall failures.
 */
// "module": the qualified export below names the lab, built after this module (as in core's module-info).
@SuppressWarnings("module")
module dev.blastwall.grpc {
  requires transitive dev.blastwall.core;
  // grpc-java and protobuf-java ship automatic modules only (Automatic-Module-Name in their manifests).
  requires transitive io.grpc;
  requires io.grpc.protobuf;
  requires com.google.protobuf;
  requires io.grpc.services;
  requires static org.jspecify;

  exports dev.blastwall.grpc;
  exports dev.blastwall.grpc.balance;
  // Shared implementation (the byte-array marshaller) for Blastwall's own modules only; the benchmarks run on the
  // class path, where this export does not apply.
  exports dev.blastwall.grpc.internal to dev.blastwall.lab;

  provides io.grpc.LoadBalancerProvider with
      dev.blastwall.grpc.balance.BlastwallLoadBalancerProvider.RoundRobin,
      dev.blastwall.grpc.balance.BlastwallLoadBalancerProvider.WeightedRoundRobin,
      dev.blastwall.grpc.balance.BlastwallLoadBalancerProvider.LeastRequest,
      dev.blastwall.grpc.balance.BlastwallLoadBalancerProvider.P2c,
      dev.blastwall.grpc.balance.BlastwallLoadBalancerProvider.PeakEwma,
      dev.blastwall.grpc.balance.BlastwallLoadBalancerProvider.RingHash;
  provides io.grpc.NameResolverProvider with
      dev.blastwall.grpc.balance.BlastwallNameResolverProvider.Static,
      dev.blastwall.grpc.balance.BlastwallNameResolverProvider.File;
}
