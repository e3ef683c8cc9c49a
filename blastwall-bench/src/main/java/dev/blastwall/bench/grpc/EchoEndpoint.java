package dev.blastwall.bench.grpc;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.grpc.BlastwallChannels;
import dev.blastwall.grpc.BlastwallServerInterceptor;
import dev.blastwall.grpc.GrpcClientPolicy;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.ratelimit.TokenBucketRateLimiter;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One echo server on Netty at 127.0.0.1 (any free port) and one channel to it, either bare or with Blastwall's
 * client and server interceptors. Both channels are built the same way except for the interceptor, and both have
 * gRPC's own retries off (Blastwall's channels always do), so the difference between them is the interceptors.
 */
final class EchoEndpoint {

  private final Server server;
  private final ManagedChannel channel;
  private final @Nullable SemaphoreBulkhead bulkhead;

  private EchoEndpoint(Server server, ManagedChannel channel, @Nullable SemaphoreBulkhead bulkhead) {
    this.server = server;
    this.channel = channel;
    this.bulkhead = bulkhead;
  }

  /** Plain grpc-java: no interceptor on either side. */
  static EchoEndpoint bare() {
    Server server = start(Echo.service());
    ManagedChannel channel = Grpc.newChannelBuilder(target(server), InsecureChannelCredentials.create())
        .disableRetry()
        .build();
    return new EchoEndpoint(server, channel, null);
  }

  /**
   * {@code BlastwallServerInterceptor} on the server; on the client {@code BlastwallChannels} with a policy whose
   * pipeline is the full chain configured never to reject: retry (3 attempts, no backoff) with a ratio budget of
   * 100%, a count-window breaker with the defaults, a token bucket of about 10^9 permits a second without waiting,
   * a bulkhead of 1000 permits (the settings of the policy benchmarks' chain).
   */
  static EchoEndpoint blastwall() {
    Server server = start(ServerInterceptors.intercept(Echo.service(), BlastwallServerInterceptor.create()));
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("echo").maxConcurrentCalls(1000).build();
    Pipeline pipeline = Pipeline.builder("echo")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
        .retryBudget(RetryBudget.ratio().percentCanRetry(100.0).build())
        .circuitBreaker(CircuitBreaker.builder("echo").build())
        .rateLimiter(TokenBucketRateLimiter.builder(Integer.MAX_VALUE, 1_000_000_000, Duration.ofSeconds(1)).build(),
            Duration.ZERO)
        .bulkhead(bulkhead)
        .build();
    ManagedChannel channel = BlastwallChannels.forTarget(target(server), GrpcClientPolicy.builder(pipeline).build())
        .build();
    return new EchoEndpoint(server, channel, bulkhead);
  }

  /** One blocking unary echo of {@link Echo#PAYLOAD}. */
  byte[] echo() {
    return ClientCalls.blockingUnaryCall(channel, Echo.ECHO, CallOptions.DEFAULT, Echo.PAYLOAD);
  }

  /**
   * Fails unless an echo comes back intact and went through the interceptors this endpoint claims: with
   * Blastwall, the client's bulkhead admitted it and the handler ran under a Blastwall call context; bare, neither.
   * A misbuilt endpoint would otherwise measure the wrong thing.
   */
  void check() {
    long before = bulkhead == null ? 0 : bulkhead.snapshot().acquired();
    byte[] answer = echo();
    if (!Arrays.equals(answer, Echo.PAYLOAD)) {
      throw new IllegalStateException("echo: " + Arrays.toString(answer) + " (expected: the payload unchanged)");
    }
    if (bulkhead != null && bulkhead.snapshot().acquired() != before + 1) {
      throw new IllegalStateException("bulkhead acquisitions: " + (bulkhead.snapshot().acquired() - before)
          + " (expected: 1, the call went through the client pipeline)");
    }
    byte[] expected = bulkhead != null ? Echo.UNDER_BLASTWALL : Echo.UNDER_NOTHING;
    byte[] context = ClientCalls.blockingUnaryCall(channel, Echo.CONTEXT, CallOptions.DEFAULT, Echo.PAYLOAD);
    if (!Arrays.equals(context, expected)) {
      throw new IllegalStateException("server context: " + Arrays.toString(context) + " (expected: "
          + Arrays.toString(expected) + ", 1 = behind BlastwallServerInterceptor)");
    }
  }

  /** Shuts the channel and the server down and waits (a few seconds at most) for both to stop. */
  void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  private static Server start(ServerServiceDefinition service) {
    try {
      InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
      return NettyServerBuilder.forAddress(new InetSocketAddress(loopback, 0), InsecureServerCredentials.create())
          .addService(service)
          .build()
          .start();
    } catch (IOException failed) {
      throw new UncheckedIOException("echo server on 127.0.0.1 did not start", failed);
    }
  }

  private static String target(Server server) {
    return "127.0.0.1:" + server.getPort();
  }
}
