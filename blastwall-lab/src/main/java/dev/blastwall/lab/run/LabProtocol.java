package dev.blastwall.lab.run;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.topology.Protocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * The seam between the lab and a wire: the server of a replica, and the three clients (naive, Blastwall, users) of
 * a service, in one protocol. Everything else (queues, workers, faults, answers decided as gRPC statuses) is the
 * same whatever the wire.
 */
interface LabProtocol {

  /** The implementation of {@code protocol}. */
  static LabProtocol of(Protocol protocol) {
    return switch (protocol) {
      case GRPC -> GrpcProtocol.INSTANCE;
      case HTTP -> HttpProtocol.INSTANCE;
    };
  }

  /** Starts the server of {@code replica} (named {@code name}) on {@code 127.0.0.1:0}. */
  ReplicaServer serve(Replica replica, ServiceRuntime service, String name, Executor executor);

  /** The naive client of {@code caller} for the replicas at {@code addresses}. */
  Upstream naive(ServiceRuntime caller, List<InetSocketAddress> addresses, @Nullable ExecutorService outboundPool,
      Executor executor);

  /** The Blastwall client of {@code caller} for {@code callee}, whose replicas listen at {@code addresses}. */
  Upstream blastwall(ServiceRuntime caller, String callee, List<InetSocketAddress> addresses,
      Queue<BreakerChange> breakerChanges, Executor executor);

  /**
   * The users' client to the entry service: never retried; naive users wait {@code naiveTimeout} per call,
   * Blastwall users send the deadline of the {@code CallContext} current when they call, without slack.
   */
  Upstream users(List<InetSocketAddress> entry, Mode mode, Duration naiveTimeout, Duration ejectionTime,
      RunClock clock, Executor executor);
}
