package dev.blastwall.lab.run;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import dev.blastwall.grpc.balance.BlastwallBalancing;
import dev.blastwall.lab.plan.BlastwallSetup;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Channels to a service's replicas (the proxies in front of them), spread round robin. */
final class Channels {

  private static final long CLOSE_WAIT_MILLIS = 2_000;

  private Channels() {}

  /**
   * A plaintext builder for the replicas at {@code addresses}, balanced by {@code policy}, with gRPC's retries off
   * (the lab's clients do their own) and callbacks on {@code executor}.
   */
  static ManagedChannelBuilder<?> builder(List<InetSocketAddress> addresses, String policy, Executor executor) {
    StringJoiner target = new StringJoiner(",", "blastwall-static:///", "");
    for (InetSocketAddress address : addresses) {
      target.add(address.getAddress().getHostAddress() + ":" + address.getPort());
    }
    return Grpc.newChannelBuilder(target.toString(), InsecureChannelCredentials.create())
        .defaultLoadBalancingPolicy(policy)
        .disableRetry()
        .executor(executor);
  }

  /**
   * A builder balanced by Blastwall's round robin with outlier ejection: a replica failing
   * {@link BlastwallSetup#EJECTION_FAILURES} calls in a row is left out for {@code ejectionTime} (longer when ejected
   * again soon), one replica at a time.
   */
  static ManagedChannelBuilder<?> ejecting(List<InetSocketAddress> addresses, Duration ejectionTime,
      Executor executor) {
    String seconds = BigDecimal.valueOf(ejectionTime.toNanos()).movePointLeft(9).toPlainString() + "s";
    Map<String, ?> outlier = Map.of(
        "baseEjectionTime", seconds,
        "consecutiveFailures", (double) BlastwallSetup.EJECTION_FAILURES);
    Map<String, ?> policy = Map.of(BlastwallBalancing.ROUND_ROBIN, Map.of("outlierDetection", outlier));
    return builder(addresses, BlastwallBalancing.ROUND_ROBIN, executor)
        .defaultServiceConfig(Map.of("loadBalancingConfig", List.of(policy)));
  }

  static void close(ManagedChannel channel) {
    channel.shutdownNow();
    try {
      channel.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
