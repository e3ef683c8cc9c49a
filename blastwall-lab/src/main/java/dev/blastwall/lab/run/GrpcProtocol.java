package dev.blastwall.lab.run;

import dev.blastwall.lab.plan.Mode;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/** The lab over gRPC: Netty servers, channels balanced round robin, {@code GrpcClientPolicy} in Blastwall mode. */
final class GrpcProtocol implements LabProtocol {

  static final GrpcProtocol INSTANCE = new GrpcProtocol();

  private GrpcProtocol() {}

  @Override
  public ReplicaServer serve(Replica replica, ServiceRuntime service, String name, Executor executor) {
    return new GrpcReplicaServer(replica, service, name, executor);
  }

  @Override
  public Upstream naive(ServiceRuntime caller, List<InetSocketAddress> addresses,
      @Nullable ExecutorService outboundPool, Executor executor) {
    ManagedChannel channel = Channels.builder(addresses, "round_robin", executor).build();
    return new NaiveUpstream(channel, caller.plan.naive(), caller.clients, outboundPool);
  }

  @Override
  public Upstream blastwall(ServiceRuntime caller, String callee, List<InetSocketAddress> addresses,
      Queue<BreakerChange> breakerChanges, Executor executor) {
    EdgeEvents events = new EdgeEvents(caller.name, callee, caller.clients, caller.clock, breakerChanges);
    return BlastwallUpstream.create(caller.name, callee, addresses, caller.plan.blastwall(), caller.clients, events,
        caller.clock, executor);
  }

  @Override
  public Upstream users(List<InetSocketAddress> entry, Mode mode, Duration naiveTimeout, Duration ejectionTime,
      RunClock clock, Executor executor) {
    return new GrpcUsers(entry, mode, naiveTimeout, ejectionTime, clock, executor);
  }
}
