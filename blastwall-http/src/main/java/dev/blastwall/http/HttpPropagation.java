package dev.blastwall.http;

import dev.blastwall.propagation.ContextCodec;
import dev.blastwall.propagation.DeadlineCodec;

/**
 * How a call context crosses an HTTP hop: core's {@link ContextCodec} with the relative deadline in
 * {@code grpc-timeout}. HTTP has no deadline header of its own, and {@code grpc-timeout} is the one the peers
 * already share (gRPC, gRPC-web, Envoy, Armeria), so an HTTP -> gRPC -> HTTP chain keeps one deadline on one name.
 */
public final class HttpPropagation {

  /** The codec every Blastwall HTTP adapter reads and writes headers with. */
  public static final ContextCodec CODEC = ContextCodec.withDeadline(DeadlineCodec.relative());

  private HttpPropagation() {}
}
