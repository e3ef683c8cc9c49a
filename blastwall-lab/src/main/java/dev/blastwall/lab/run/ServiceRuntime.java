package dev.blastwall.lab.run;

import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.topology.ServiceSpec;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;

/**
 * One running service: its clients (one per called service, in the mode's style), its fault state, and its
 * replicas. Started after the services it calls, so their addresses are known.
 */
final class ServiceRuntime implements AutoCloseable {

  final String name;
  final ServiceSpec spec;
  final LabPlan plan;
  final Mode mode;
  final RunClock clock;
  final FaultState faults = new FaultState();
  final ClientCounters clients = new ClientCounters();
  private final Map<String, Upstream> upstreams = new LinkedHashMap<>();
  private final List<Replica> replicas = new ArrayList<>();

  private ServiceRuntime(ServiceSpec spec, LabPlan plan, Mode mode, RunClock clock) {
    this.name = spec.name();
    this.spec = spec;
    this.plan = plan;
    this.mode = mode;
    this.clock = clock;
  }

  /**
   * Starts {@code spec}: its clients to the already started {@code callees}, then its replicas, each drawing from
   * its own split of {@code random}. On failure, whatever was started is closed.
   */
  static ServiceRuntime start(ServiceSpec spec, LabPlan plan, Mode mode, RunClock clock,
      Map<String, ServiceRuntime> callees, SplittableRandom random, Queue<BreakerChange> breakerChanges,
      Executor executor) {
    ServiceRuntime service = new ServiceRuntime(spec, plan, mode, clock);
    try {
      for (String callee : spec.dependencyNames()) {
        ServiceRuntime target = callees.get(callee);
        if (target == null) {
          throw new IllegalStateException("service " + callee + " called by " + spec.name() + " was not started first");
        }
        service.upstreams.put(callee, service.client(target.addresses(), callee, breakerChanges, executor));
      }
      for (int i = 0; i < spec.replicas(); i++) {
        service.replicas.add(new Replica(service, i, random.split(), executor));
      }
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
    return service;
  }

  private Upstream client(List<InetSocketAddress> addresses, String callee, Queue<BreakerChange> breakerChanges,
      Executor executor) {
    if (mode == Mode.NAIVE) {
      ManagedChannel channel = Channels.builder(addresses, "round_robin", executor).build();
      return new NaiveUpstream(channel, plan.naive(), clients);
    }
    EdgeEvents events = new EdgeEvents(name, callee, clients, clock, breakerChanges);
    return BlastwallUpstream.create(name, callee, addresses, plan.blastwall(), clients, events, clock, executor);
  }

  /** The proxies in front of the replicas: where callers connect. */
  List<InetSocketAddress> addresses() {
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (Replica replica : replicas) {
      addresses.add(replica.address());
    }
    return addresses;
  }

  List<Replica> replicas() {
    return replicas;
  }

  Upstream upstream(String callee) {
    Upstream upstream = upstreams.get(callee);
    if (upstream == null) {
      throw new IllegalArgumentException("callee: " + callee + " (expected: one of " + upstreams.keySet() + ")");
    }
    return upstream;
  }

  /** Requests inside the service now, all replicas. */
  int inflight() {
    int inflight = 0;
    for (Replica replica : replicas) {
      inflight += replica.counters.inflight();
    }
    return inflight;
  }

  /** Stops the replicas first (their workers may still be calling out), then the clients. */
  @Override
  public void close() {
    for (Replica replica : replicas) {
      replica.close();
    }
    for (Upstream upstream : upstreams.values()) {
      upstream.close();
    }
  }
}
