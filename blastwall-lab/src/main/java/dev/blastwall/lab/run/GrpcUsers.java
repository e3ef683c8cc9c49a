package dev.blastwall.lab.run;

import dev.blastwall.grpc.BlastwallChannels;
import dev.blastwall.grpc.GrpcClientPolicy;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.pipeline.Pipeline;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** The users' gRPC client to the entry service, on a channel of its own (see {@link LabProtocol#users}). */
final class GrpcUsers implements Upstream {

  private final ManagedChannel channel;
  private final Mode mode;
  private final long naiveTimeoutNanos;

  GrpcUsers(List<InetSocketAddress> entry, Mode mode, Duration naiveTimeout, Duration ejectionTime, RunClock clock,
      Executor executor) {
    this.mode = mode;
    this.naiveTimeoutNanos = naiveTimeout.toNanos();
    if (mode == Mode.NAIVE) {
      this.channel = Channels.builder(entry, "round_robin", executor).build();
    } else {
      // No retries (the pipeline's default) and no slack: the entry service gets the user's whole deadline.
      GrpcClientPolicy policy = GrpcClientPolicy
          .builder(Pipeline.builder("user").environment(clock.environment).build())
          .deadlineSlack(0, Duration.ZERO)
          .build();
      this.channel = BlastwallChannels.configure(
          Channels.ejecting(entry, ejectionTime, executor), policy).build();
    }
  }

  @Override
  public CompletableFuture<byte[]> call(long id, boolean idempotent) {
    CallOptions options = mode == Mode.NAIVE
        ? CallOptions.DEFAULT.withDeadlineAfter(naiveTimeoutNanos, TimeUnit.NANOSECONDS) : CallOptions.DEFAULT;
    return UnaryCalls.call(channel, LabWire.CALL, options, LabWire.request(id));
  }

  @Override
  public void close() {
    Channels.close(channel);
  }
}
