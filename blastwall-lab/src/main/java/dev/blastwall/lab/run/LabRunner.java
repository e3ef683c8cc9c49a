package dev.blastwall.lab.run;

import dev.blastwall.lab.load.ArrivalSchedule;
import dev.blastwall.lab.load.DedicatedScheduler;
import dev.blastwall.lab.load.LoadGenerator;
import dev.blastwall.lab.load.Report;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.topology.ServiceSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a lab plan for real, in one mode: every service of the topology as gRPC servers on {@code 127.0.0.1}, each
 * replica behind a fault proxy, open-loop user load, the plan's faults on the timeline, a sample every second.
 *
 * <p>Timeline: services start leaves first; a 2 s warm-up at the load's base rate, without faults and not recorded,
 * lets the JIT, the connections and the learned latencies (hedge delays) settle; then the measured run sends the
 * plan's load while the faults start and end at their times from its start, and drains for at most the mode's user
 * timeout plus 1 s (12 s at most). Everything is released at the end, whatever happened.
 */
public final class LabRunner {

  static final Duration WARM_UP = Duration.ofSeconds(2);
  private static final Duration WARM_UP_DRAIN = Duration.ofSeconds(2);
  private static final Duration QUIET_WAIT = Duration.ofSeconds(2);
  private static final Duration MAX_DRAIN = Duration.ofSeconds(12);
  /** Beyond the run and its drain, how long to wait for the generator before giving up on it. */
  private static final Duration GENERATOR_GRACE = Duration.ofSeconds(10);
  /** Warm-up requests carry ids from here, so a service never sees one measured id twice for two requests. */
  private static final long WARM_UP_IDS = 1L << 40;
  private static final long TIMER_WAIT_MILLIS = 2_000;

  private LabRunner() {}

  /**
   * Runs the plan once in one mode; blocks until done; always releases every server, proxy, channel and thread.
   *
   * @param plan what to run
   * @param mode how the services are configured
   * @param seed the seed of arrivals, criticalities, service times and fault draws: the same seed gives both modes
   *     the same schedule
   * @param progress called about once a second from the sampler's thread
   * @return what the run measured
   * @throws IllegalStateException if the load generator does not finish within its run, drain and a grace period
   */
  public static ModeRun run(LabPlan plan, Mode mode, long seed, RunProgress progress) {
    RunClock clock = new RunClock();
    ExecutorService grpcExecutor = Executors.newVirtualThreadPerTaskExecutor();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "lab-timeline");
      thread.setDaemon(true);
      return thread;
    });
    // The generator's driver gets a thread of its own: on the shared timer and virtual-thread carriers it would wake
    // late whenever the services under test keep them busy, and the run would be judged invalid for the lab's sake.
    DedicatedScheduler driver = new DedicatedScheduler("lab-generator");
    Map<String, ServiceRuntime> services = new LinkedHashMap<>();
    Queue<BreakerChange> breakerChanges = new ConcurrentLinkedQueue<>();
    UserClient user = null;
    FaultTimeline faults = null;
    try {
      SplittableRandom random = new SplittableRandom(seed);
      for (ServiceSpec spec : plan.topology().leavesFirst()) {
        services.put(spec.name(), ServiceRuntime.start(
            spec, plan, mode, clock, services, random.split(), breakerChanges, grpcExecutor));
      }
      ServiceRuntime entry = services.get(plan.topology().entry());
      if (entry == null) {
        throw new IllegalStateException("entry service " + plan.topology().entry() + " did not start");
      }
      user = new UserClient(entry.spec.protocol(), entry.addresses(), mode, plan.naive().userTimeout(),
          plan.blastwall().ejectionTime(), clock, grpcExecutor, WARM_UP_IDS);
      warmUp(plan.load(), seed, user);
      awaitQuiet(services.values(), clock);

      LoadSpec load = plan.load();
      Duration userTimeout = mode == Mode.NAIVE ? plan.naive().userTimeout() : load.slo();
      Duration drain = min(userTimeout.plusSeconds(1), MAX_DRAIN);
      LoadGenerator generator = LoadGenerator.builder()
          .clock(clock.ticker, driver)
          .schedule(load.poisson() ? ArrivalSchedule.poisson(load.profile(), seed)
              : ArrivalSchedule.evenly(load.profile()))
          .duration(load.duration())
          .slo(load.slo())
          .drainTimeout(drain)
          .criticalityMix(load.mix())
          .seed(seed)
          .build();
      int totalSeconds = (int) Math.ceil(load.duration().toNanos() / 1e9);
      Sampler sampler = new Sampler(new ArrayList<>(services.values()), entry, user, clock, progress, totalSeconds);
      faults = new FaultTimeline(plan.faults(), services);

      sampler.baseline();
      user.measure();
      clock.startMeasuring();
      faults.start(timer);
      sampler.start(timer);
      UserClient users = user;
      Report report = await(generator.run(users::send).toCompletableFuture(),
          load.duration().plus(drain).plus(GENERATOR_GRACE), "the measured run");
      sampler.finish();
      faults.close();

      List<BreakerChange> changes = new ArrayList<>(breakerChanges);
      changes.sort(Comparator.comparingDouble(BreakerChange::atSeconds));
      LabHealth health = HealthJudge.judge(report.overall().missed(), report.overall().offered(), sampler.cpu(),
          sampler.maxLagMillis(), faults.problems());
      return new ModeRun(plan, mode, seed, report, sampler.points(), sampler.userInflight(), changes,
          sampler.counters(), health, sampler.edges());
    } finally {
      if (faults != null) {
        faults.close();
      }
      timer.shutdownNow();
      driver.close();
      if (user != null) {
        user.close();
      }
      // Callers first: their workers stop calling before the services they call go away.
      List<ServiceRuntime> started = new ArrayList<>(services.values());
      for (int i = started.size() - 1; i >= 0; i--) {
        started.get(i).close();
      }
      grpcExecutor.shutdownNow();
      try {
        timer.awaitTermination(TIMER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        grpcExecutor.awaitTermination(TIMER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Sends the base rate for {@link #WARM_UP}, evenly, and waits for the answers; nothing is recorded. */
  private static void warmUp(LoadSpec load, long seed, UserClient user) {
    LoadGenerator warmUp = LoadGenerator.builder()
        .schedule(ArrivalSchedule.constant(load.profile().baseRatePerSecond()))
        .duration(WARM_UP)
        .slo(load.slo())
        .drainTimeout(WARM_UP_DRAIN)
        .criticalityMix(load.mix())
        .seed(~seed)
        .build();
    await(warmUp.run(user::send).toCompletableFuture(), WARM_UP.plus(WARM_UP_DRAIN).plus(GENERATOR_GRACE),
        "the warm-up");
  }

  /**
   * Waits, boundedly, until no service holds a request, so the measured run starts from empty services; work left
   * from the warm-up is then counted in {@code inflight_at_start}.
   */
  private static void awaitQuiet(Iterable<ServiceRuntime> services, RunClock clock) {
    long end = clock.ticker.nanos() + QUIET_WAIT.toNanos();
    while (clock.ticker.nanos() < end) {
      int inflight = 0;
      for (ServiceRuntime service : services) {
        inflight += service.inflight();
      }
      if (inflight == 0) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private static Report await(CompletableFuture<Report> run, Duration limit, String what) {
    try {
      return run.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " was interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " did not finish within " + limit, e);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
