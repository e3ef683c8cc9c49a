package dev.blastwall.lab.run;

import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.topology.ServiceSpec;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

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
  final ClientCounters clients = new ClientCounters();
  /** Answers of committed requests by idempotency key, shared by the replicas; used for keyed requests only. */
  final IdempotencyStore store;
  /** Commits of a user request id committed before (a retry or hedge that did the work again). */
  final LongAdder duplicates = new LongAdder();
  /** The first parallel step's outcomes, or null without one. */
  final @Nullable FanoutCounters fanout;
  private final Set<Long> committedIds = ConcurrentHashMap.newKeySet();
  /** User request ids committed more than once: a share "charged exactly once" needs ids, not extra commits. */
  private final Set<Long> duplicatedIds = ConcurrentHashMap.newKeySet();
  private final Map<String, Upstream> upstreams = new LinkedHashMap<>();
  private final Map<String, EdgeRecorder> edges = new LinkedHashMap<>();
  /** The naive shared outbound pool, or null when calls do not wait for a thread. */
  private final @Nullable ExecutorService outboundPool;
  private final List<Replica> replicas = new ArrayList<>();

  private ServiceRuntime(ServiceSpec spec, LabPlan plan, Mode mode, RunClock clock) {
    this.name = spec.name();
    this.spec = spec;
    this.plan = plan;
    this.mode = mode;
    this.clock = clock;
    this.store = new IdempotencyStore(clock.ticker);
    this.fanout = FanoutCounters.forService(spec);
    this.outboundPool = mode == Mode.NAIVE && plan.naive().boundedPool()
        ? Executors.newFixedThreadPool(plan.naive().outboundPool(),
            Thread.ofVirtual().name(spec.name() + "-outbound-", 0).factory())
        : null;
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
        service.upstreams.put(callee, service.client(target, target.addresses(), callee, breakerChanges, executor));
        service.edges.put(callee, new EdgeRecorder(spec.name(), callee));
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

  private Upstream client(ServiceRuntime target, List<InetSocketAddress> addresses, String callee,
      Queue<BreakerChange> breakerChanges, Executor executor) {
    LabProtocol protocol = LabProtocol.of(target.spec.protocol());
    return mode == Mode.NAIVE ? protocol.naive(this, addresses, outboundPool, executor)
        : protocol.blastwall(this, callee, addresses, breakerChanges, executor);
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

  /** The latency recorder of this service's calls to {@code callee}. */
  EdgeRecorder edge(String callee) {
    EdgeRecorder edge = edges.get(callee);
    if (edge == null) {
      throw new IllegalArgumentException("callee: " + callee + " (expected: one of " + edges.keySet() + ")");
    }
    return edge;
  }

  /** The latency recorders of this service's calls, one per callee. */
  Iterable<EdgeRecorder> edges() {
    return edges.values();
  }

  /** Counts a commit of user request {@code id}, and whether it is a duplicate of an earlier commit. */
  void committed(Replica replica, long id) {
    replica.counters.committed.increment();
    if (!committedIds.add(id)) {
      duplicates.increment();
      duplicatedIds.add(id);
    }
  }

  /**
   * Cumulative counts beyond the per-replica basics, by counter name: {@code <service>.duplicates},
   * {@code <service>.duplicated_requests} (user request ids committed more than once), the fan-out's
   * {@code <service>.requests} and {@code <service>.first_<k>_ok}, and per replica {@code <service>#<i>.arrivals},
   * {@code .completed}, {@code .failed}, {@code .shed}, {@code .committed}.
   */
  Map<String, Long> extraTotals() {
    Map<String, Long> totals = new LinkedHashMap<>();
    totals.put(name + ".duplicates", duplicates.sum());
    totals.put(name + ".duplicated_requests", (long) duplicatedIds.size());
    FanoutCounters parts = fanout;
    if (parts != null) {
      parts.totals(name, totals);
    }
    for (int i = 0; i < replicas.size(); i++) {
      ReplicaCounters counters = replicas.get(i).counters;
      String prefix = name + "#" + i;
      totals.put(prefix + ".arrivals", counters.arrivals.sum());
      totals.put(prefix + ".completed", counters.completed.sum());
      totals.put(prefix + ".failed", counters.failed.sum());
      totals.put(prefix + ".shed", counters.shed.sum());
      totals.put(prefix + ".committed", counters.committed.sum());
    }
    return totals;
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
    ExecutorService pool = outboundPool;
    if (pool != null) {
      // Its threads wait on calls the channels below end when they close.
      pool.shutdownNow();
    }
    for (Upstream upstream : upstreams.values()) {
      upstream.close();
    }
  }
}
