package dev.blastwall.lab.run;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Ticks every second from the measured start: one {@link ServicePoint} per service (its replicas summed; counts
 * are what happened during that second), the most user requests in flight, the machine's CPU load and how late the
 * tick woke. {@link #finish} takes a last, partial sample once the load has drained, so the points add up to the
 * run's totals.
 */
final class Sampler {

  private static final long SECOND_NANOS = 1_000_000_000L;

  private final List<ServiceRuntime> services;
  private final ServiceRuntime entry;
  private final UserClient user;
  private final RunClock clock;
  private final RunProgress progress;
  private final int totalSeconds;
  private final com.sun.management.OperatingSystemMXBean os =
      ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  private final Map<String, Totals> last = new LinkedHashMap<>();
  private final Map<String, Totals> baseline = new LinkedHashMap<>();
  private final Map<String, List<ServicePoint>> points = new LinkedHashMap<>();
  private final List<Integer> userInflight = new ArrayList<>();
  private final List<Double> cpu = new ArrayList<>();
  private double maxLagMillis;
  private int second;
  private boolean finished;
  private @Nullable ScheduledFuture<?> ticks;

  Sampler(List<ServiceRuntime> services, ServiceRuntime entry, UserClient user, RunClock clock, RunProgress progress,
      int totalSeconds) {
    this.services = services;
    this.entry = entry;
    this.user = user;
    this.clock = clock;
    this.progress = progress;
    this.totalSeconds = totalSeconds;
  }

  /** Takes the counters' values now as the zero of the measured run. Call just before it starts. */
  void baseline() {
    lock.lock();
    try {
      for (ServiceRuntime service : services) {
        Totals now = Totals.of(service);
        baseline.put(service.name, now);
        last.put(service.name, now);
        points.put(service.name, new ArrayList<>());
        service.replicas().forEach(replica -> {
          replica.counters.takeMaxInflight();
          replica.counters.takeMaxQueue();
        });
        service.edges().forEach(EdgeRecorder::baseline);
      }
      user.takeMaxInflight();
    } finally {
      lock.unlock();
    }
  }

  /** Ticks every second on {@code timer} from now, which must be the measured start. */
  void start(ScheduledExecutorService timer) {
    ticks = timer.scheduleAtFixedRate(this::tick, SECOND_NANOS, SECOND_NANOS, TimeUnit.NANOSECONDS);
  }

  private void tick() {
    lock.lock();
    try {
      if (finished) {
        return;
      }
      long intended = clock.measuredStart() + (second + 1L) * SECOND_NANOS;
      maxLagMillis = Math.max(maxLagMillis, (clock.ticker.nanos() - intended) / 1e6);
      sample();
    } finally {
      lock.unlock();
    }
  }

  /** Stops ticking and takes the last, partial sample. */
  void finish() {
    ScheduledFuture<?> periodic = ticks;
    if (periodic != null) {
      periodic.cancel(false);
    }
    lock.lock();
    try {
      if (!finished) {
        sample();
        finished = true;
      }
    } finally {
      lock.unlock();
    }
  }

  // Called with the lock held.
  private void sample() {
    double load = os.getCpuLoad();
    cpu.add(load);
    ServicePoint entryPoint = null;
    for (ServiceRuntime service : services) {
      Totals now = Totals.of(service);
      Totals before = last.put(service.name, now);
      Totals from = before != null ? before : now;
      int maxInflight = 0;
      int maxQueue = 0;
      for (Replica replica : service.replicas()) {
        maxInflight += replica.counters.takeMaxInflight();
        maxQueue += replica.counters.takeMaxQueue();
      }
      List<Long> replicaArrivals = new ArrayList<>();
      for (int i = 0; i < service.replicas().size(); i++) {
        String key = service.name + "#" + i + ".arrivals";
        replicaArrivals.add(now.extra.getOrDefault(key, 0L) - from.extra.getOrDefault(key, 0L));
      }
      ServicePoint point = new ServicePoint(second, now.arrivals - from.arrivals, now.completed - from.completed,
          now.failed - from.failed, now.shed - from.shed, maxInflight, maxQueue, now.retries - from.retries,
          now.hedges - from.hedges, service.clients.openBreakers(), replicaArrivals, now.sojourns - from.sojourns,
          now.sojournNanos - from.sojournNanos);
      for (EdgeRecorder edge : service.edges()) {
        edge.sample(second);
      }
      List<ServicePoint> series = points.get(service.name);
      if (series != null) {
        series.add(point);
      }
      if (service == entry) {
        entryPoint = point;
      }
    }
    int users = user.takeMaxInflight();
    userInflight.add(users);
    if (entryPoint != null) {
      try {
        progress.onSecond(second, totalSeconds, entryPoint, user.inflight());
      } catch (RuntimeException ignored) {
        // Progress is for people watching; a failing printer must not stop the measurement.
      }
    }
    second++;
  }

  Map<String, List<ServicePoint>> points() {
    lock.lock();
    try {
      Map<String, List<ServicePoint>> copy = new LinkedHashMap<>();
      points.forEach((name, series) -> copy.put(name, List.copyOf(series)));
      return copy;
    } finally {
      lock.unlock();
    }
  }

  List<Integer> userInflight() {
    lock.lock();
    try {
      return List.copyOf(userInflight);
    } finally {
      lock.unlock();
    }
  }

  List<Double> cpu() {
    lock.lock();
    try {
      return List.copyOf(cpu);
    } finally {
      lock.unlock();
    }
  }

  double maxLagMillis() {
    lock.lock();
    try {
      return maxLagMillis;
    } finally {
      lock.unlock();
    }
  }

  /** Per edge {@code caller->callee}, what the caller saw of its calls over the measured run. */
  Map<String, EdgeStats> edges() {
    lock.lock();
    try {
      Map<String, EdgeStats> edges = new LinkedHashMap<>();
      for (ServiceRuntime service : services) {
        for (EdgeRecorder edge : service.edges()) {
          edges.put(EdgeStats.name(edge.caller, edge.callee), edge.stats());
        }
      }
      return edges;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The measured run's totals per service as named counters: {@code <service>.arrivals}, {@code .completed},
   * {@code .failed}, {@code .shed}, {@code .committed}, {@code .retries}, {@code .hedges}, and the requests inside
   * the service at the start and at the end ({@code .inflight_at_start}, {@code .inflight_at_end}), so that
   * {@code arrivals + inflight_at_start = completed + failed + shed + inflight_at_end}; {@code .duplicates} (commits
   * of a user request id committed before) and {@code .unique_committed} ({@code committed - duplicates}); per
   * replica {@code <service>#<i>.arrivals}, {@code .completed}, {@code .failed}, {@code .shed}, {@code .committed};
   * per service {@code .served} and {@code .served_nanos}, the service times workers really spent, warm-up included;
   * and for a service with a parallel step, {@code .requests} (requests that ran its first parallel step) and
   * {@code .first_<k>_ok} (those whose first k calls of that step all succeeded), k from 1 to the step's size.
   */
  Map<String, Long> counters() {
    lock.lock();
    try {
      Map<String, Long> counters = new LinkedHashMap<>();
      for (ServiceRuntime service : services) {
        Totals start = baseline.get(service.name);
        Totals end = last.get(service.name);
        if (start == null || end == null) {
          continue;
        }
        String name = service.name;
        counters.put(name + ".arrivals", end.arrivals - start.arrivals);
        counters.put(name + ".completed", end.completed - start.completed);
        counters.put(name + ".failed", end.failed - start.failed);
        counters.put(name + ".shed", end.shed - start.shed);
        counters.put(name + ".committed", end.committed - start.committed);
        counters.put(name + ".retries", end.retries - start.retries);
        counters.put(name + ".hedges", end.hedges - start.hedges);
        counters.put(name + ".inflight_at_start", start.inflight);
        counters.put(name + ".inflight_at_end", end.inflight);
        end.extra.forEach((key, value) -> counters.put(key, value - start.extra.getOrDefault(key, 0L)));
        counters.put(name + ".unique_committed", (end.committed - start.committed)
            - counters.getOrDefault(name + ".duplicates", 0L));
        // Warm-up included: the service time a worker really spends does not depend on the phase of the run.
        long servedNanos = 0;
        long served = 0;
        for (Replica replica : service.replicas()) {
          servedNanos += replica.counters.servedNanos.sum();
          served += replica.counters.served.sum();
        }
        counters.put(name + ".served", served);
        counters.put(name + ".served_nanos", servedNanos);
      }
      return counters;
    } finally {
      lock.unlock();
    }
  }

  /**
   * One service's cumulative counts, all replicas, read one after the other: they agree exactly only while the
   * service is quiet, as at the start and after the drain.
   */
  private record Totals(long arrivals, long completed, long failed, long shed, long committed, long retries,
      long hedges, long inflight, long sojourns, long sojournNanos, Map<String, Long> extra) {

    static Totals of(ServiceRuntime service) {
      long arrivals = 0;
      long completed = 0;
      long failed = 0;
      long shed = 0;
      long committed = 0;
      long inflight = 0;
      long sojourns = 0;
      long sojournNanos = 0;
      for (Replica replica : service.replicas()) {
        ReplicaCounters counters = replica.counters;
        sojourns += counters.sojourns.sum();
        sojournNanos += counters.sojournNanos.sum();
        inflight += counters.inflight();
        completed += counters.completed.sum();
        failed += counters.failed.sum();
        shed += counters.shed.sum();
        arrivals += counters.arrivals.sum();
        committed += counters.committed.sum();
      }
      return new Totals(arrivals, completed, failed, shed, committed, service.clients.retries.sum(),
          service.clients.hedges.sum(), inflight, sojourns, sojournNanos, service.extraTotals());
    }
  }
}
