package dev.blastwall.lab.run;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.InetSocketAddress;
import java.util.List;
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

  static void close(ManagedChannel channel) {
    channel.shutdownNow();
    try {
      channel.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
