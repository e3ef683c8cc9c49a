/**
 * Blastwall for grpc-java: client and server interceptors that carry deadlines and call context across hops,
 * retry unary calls through a pipeline, and map between gRPC statuses and Blastwall failures.
 */
module dev.blastwall.grpc {
  requires transitive dev.blastwall.core;
  // grpc-java and protobuf-java ship automatic modules only (Automatic-Module-Name in their manifests).
  requires transitive io.grpc;
  requires io.grpc.protobuf;
  requires com.google.protobuf;
  requires static org.jspecify;

  exports dev.blastwall.grpc;
}
