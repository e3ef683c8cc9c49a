package dev.blastwall.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannelBuilder;

/**
 * Channel builders set up for Blastwall: gRPC's own retries are disabled ({@code disableRetry()}), since a gRPC
 * retry policy below the pipeline would multiply its attempts (3 Blastwall attempts of 3 gRPC attempts each are 9
 * requests) and would retry without the budget, the idempotency rules and the do-not-retry mark; and the Blastwall
 * interceptor is installed.
 *
 * <p>Interceptors added to the returned builder later run <em>before</em> Blastwall's (once per logical call); to
 * run one per attempt (auth, tracing of each try), wrap the built channel with {@code ClientInterceptors} before
 * handing it out, or add it before calling this method on your own builder with {@link #configure}.
 */
public final class BlastwallChannels {

  private BlastwallChannels() {}

  /**
   * A builder for {@code target} (a name resolver target such as {@code dns:///orders:443} or
   * {@code 127.0.0.1:50051}) with {@code credentials}, retries disabled and {@code policy} installed. Needs a
   * transport on the class path (grpc-netty-shaded, grpc-netty or grpc-okhttp).
   */
  public static ManagedChannelBuilder<?> forTarget(String target, ChannelCredentials credentials,
      GrpcClientPolicy policy) {
    return configure(Grpc.newChannelBuilder(target, credentials), policy);
  }

  /** Like {@link #forTarget(String, ChannelCredentials, GrpcClientPolicy)}, in plaintext: for tests and meshes. */
  public static ManagedChannelBuilder<?> forTarget(String target, GrpcClientPolicy policy) {
    return forTarget(target, InsecureChannelCredentials.create(), policy);
  }

  /** Disables gRPC's retries on {@code builder} and installs {@code policy} as the outermost interceptor so far. */
  public static ManagedChannelBuilder<?> configure(ManagedChannelBuilder<?> builder, GrpcClientPolicy policy) {
    return builder.disableRetry().intercept(BlastwallClientInterceptor.create(policy));
  }
}
