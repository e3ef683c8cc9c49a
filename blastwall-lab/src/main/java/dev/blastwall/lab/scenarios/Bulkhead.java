package dev.blastwall.lab.scenarios;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.run.EdgeStats;
import dev.blastwall.lab.run.ModeRun;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Results;
import dev.blastwall.lab.scenario.Scenario;
import dev.blastwall.lab.scenario.ScenarioParams;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway calls a slow A and a healthy B: one shared outbound pool lets A's slowness hold every thread and
 * delay B; per-upstream bulkheads keep B as fast as without the fault.
 */
final class Bulkhead implements Scenario {

  static final String SLOW = "a";
  static final String HEALTHY = "b";
  static final int SHARED_POOL = 16;
  static final int BULKHEAD_SLOW = 8;
  static final int BULKHEAD_HEALTHY = 32;
  static final Duration NORMAL = Duration.ofMillis(10);
  static final Duration SLOWED = Duration.ofSeconds(1);
  static final Duration CALL_TIMEOUT_SLOW = Duration.ofMillis(150);

  @Override
  public String name() {
    return "bulkhead";
  }

  @Override
  public String title() {
    return "A slows to 1 s: a shared pool lets it delay the calls to a healthy B, bulkheads do not";
  }

  @Override
  public String claim() {
    return "With one pool of " + SHARED_POOL + " threads for all outbound calls, a dependency that slows from 10 ms to "
        + "1 s at 40 calls per second needs 40 threads: it takes all " + SHARED_POOL + ", the pool's queue grows without "
        + "end, and the calls to the healthy B wait behind A's, for seconds. Per-upstream bulkheads give A at most "
        + BULKHEAD_SLOW + " calls in flight and refuse the rest at once (A is optional: the answer is served degraded), "
        + "so B's calls never wait for A: B's p99 stays at its no-fault value (ratio 1, at most 1.5).";
  }

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(30);
  }

  @Override
  public double defaultRate() {
    return 40;
  }

  /** The fault starts after a third of the run: the first third is B's no-fault baseline. */
  static Duration faultStart(ScenarioParams params) {
    return params.at(1.0 / 3);
  }

  static Duration faultEnd(ScenarioParams params) {
    return params.at(5.0 / 6);
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    ServiceSpec gateway = ServiceSpec.builder("gateway").capacity(128, 256)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(1)))
        .parallel(List.of(Dependency.optional(SLOW), Dependency.required(HEALTHY))).build();
    ServiceSpec slow = ServiceSpec.builder(SLOW).capacity(128, 256).serviceTime(ServiceTime.fixed(NORMAL)).build();
    ServiceSpec healthy = ServiceSpec.builder(HEALTHY).capacity(32, 128).serviceTime(ServiceTime.fixed(NORMAL))
        .build();
    LoadSpec load = LoadSpec.constant(params.rate(), params.duration(), Duration.ofMillis(500));
    ScheduledFault slowDown = new ScheduledFault(SLOW, faultStart(params),
        faultEnd(params).minus(faultStart(params)), new FaultSpec.SlowDown(ServiceTime.fixed(SLOWED)));
    NaiveSetup naive = NaiveSetup.defaults().withOutboundPool(SHARED_POOL);
    // A's part is optional: after 150 ms the gateway answers without it rather than spend the user's deadline.
    BlastwallSetup blastwall = BlastwallSetup.defaults()
        .withBulkhead(SLOW, BULKHEAD_SLOW)
        .withBulkhead(HEALTHY, BULKHEAD_HEALTHY)
        .withCallTimeout(SLOW, CALL_TIMEOUT_SLOW);
    return new LabPlan(Topology.of(gateway, slow, healthy), load, List.of(slowDown), naive, blastwall);
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    Map<String, Object> figures = new LinkedHashMap<>();
    EdgeStats toHealthy = run.edge("gateway", HEALTHY);
    EdgeStats toSlow = run.edge("gateway", SLOW);
    if (toHealthy != null) {
      // The first second is left out of the baseline: connections and learned latencies settle there.
      double baseline = toHealthy.p99Ms(Duration.ofSeconds(1), faultStart(params));
      double fault = toHealthy.p99Ms(faultStart(params), faultEnd(params));
      figures.put("b_baseline_p99_ms", baseline);
      figures.put("b_fault_p99_ms", fault);
      figures.put("b_p99_ratio", fault / baseline);
    }
    if (toSlow != null) {
      figures.put("a_fault_p99_ms", toSlow.p99Ms(faultStart(params), faultEnd(params)));
    }
    return figures;
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    ModeResult naive = results.get(Mode.NAIVE);
    if (naive != null) {
      checks.add(Check.atLeast("naive", "b_p99_ratio", 1.5,
          "grows with the fault: A needs " + Results.text(params.rate() * SLOWED.toMillis() / 1000.0)
              + " threads of the " + SHARED_POOL + " shared, B's calls queue behind A's",
          naive.figure("b_p99_ratio")));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (blastwall != null) {
      checks.add(Check.atMost("blastwall", "b_p99_ratio", 1.5, "1: B's calls never wait for A's",
          blastwall.figure("b_p99_ratio")));
    }
    return checks;
  }
}
