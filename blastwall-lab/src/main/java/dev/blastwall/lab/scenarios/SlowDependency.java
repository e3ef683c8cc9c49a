package dev.blastwall.lab.scenarios;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.run.ModeRun;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Results;
import dev.blastwall.lab.scenario.Scenario;
import dev.blastwall.lab.scenario.ScenarioParams;
import dev.blastwall.lab.scenario.SeriesPoint;
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
 * The cascade: gateway -> a -> b -> c, and c slows from 50 ms to 5 s. Without deadlines every hop waits and fills
 * up; with them, b gives up on c in time and answers degraded.
 */
final class SlowDependency implements Scenario {

  private static final Duration SLO = Duration.ofMillis(300);
  private static final Duration SLOW = Duration.ofSeconds(5);

  @Override
  public String name() {
    return "slow-dependency";
  }

  @Override
  public String title() {
    return "A dependency three hops down slows from 50 ms to 5 s: the cascade, and deadlines that stop it";
  }

  @Override
  public String claim() {
    return "A slow dependency is worse than a dead one: callers without deadlines wait for it, their workers fill, "
        + "their queues grow, and every hop above becomes slow too (in-flight grows by the arrival rate times the "
        + "delay, Little's law). With the user's 300 ms SLO sent as a deadline and passed on at each hop, b stops "
        + "waiting for c in time, serves its answer without c's part (degraded), and its breaker soon skips c "
        + "altogether: users keep a p99 near the SLO and in-flight stays near rate x SLO.";
  }

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(30);
  }

  @Override
  public double defaultRate() {
    return 50;
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    ServiceSpec gateway = ServiceSpec.builder("gateway").capacity(64, 128)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(2))).call(Dependency.required("a")).build();
    ServiceSpec a = ServiceSpec.builder("a").capacity(32, 64)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(5))).call(Dependency.required("b")).build();
    ServiceSpec b = ServiceSpec.builder("b").capacity(32, 64)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(5))).call(Dependency.optional("c")).build();
    ServiceSpec c = ServiceSpec.builder("c").capacity(32, 64)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(50))).build();
    LoadSpec load = LoadSpec.constant(params.rate(), params.duration(), SLO);
    ScheduledFault fault = new ScheduledFault("c", Timeline.faultStart(params), Timeline.faultLength(params),
        new FaultSpec.SlowDown(ServiceTime.fixed(SLOW)));
    // b gives c 100 ms per attempt and 150 ms in all, whatever is left of the deadline: the rest is b's time to
    // answer without c's part.
    BlastwallSetup blastwall = BlastwallSetup.defaults()
        .withAttemptTimeout("c", Duration.ofMillis(100))
        .withCallTimeout("c", Duration.ofMillis(150));
    return new LabPlan(Topology.of(gateway, a, b, c), load, List.of(fault), NaiveSetup.defaults(), blastwall);
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    Map<String, Object> figures = new LinkedHashMap<>();
    int from = (int) Timeline.faultStart(params).toSeconds();
    int to = (int) Timeline.faultEnd(params).toSeconds();
    int quarter = Math.max(1, (to - from) / 4);
    figures.put("inflight_before_fault", maxInflight(base.series(), 0, from));
    figures.put("inflight_first_quarter", maxInflight(base.series(), from, from + quarter));
    figures.put("inflight_last_quarter", maxInflight(base.series(), to - quarter, to));
    return figures;
  }

  private static int maxInflight(List<SeriesPoint> series, int from, int to) {
    int max = 0;
    for (SeriesPoint point : series) {
      if (point.second() >= from && point.second() < to) {
        max = Math.max(max, point.inflight());
      }
    }
    return max;
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    double littles = params.rate() * SLO.toMillis() / 1000.0;
    ModeResult naive = results.get(Mode.NAIVE);
    if (naive != null && naive.fault() != null) {
      checks.add(Check.atLeast("naive", "fault.p99_ms", (double) SLOW.toMillis(),
          "5000: every request during the fault waits for c", naive.fault().p99Ms()));
      checks.add(Check.atLeast("naive", "inflight_last_quarter / inflight_first_quarter", 1.5,
          "grows for as long as the fault lasts: rate x elapsed fault time until c answers",
          naive.figure("inflight_last_quarter") / Math.max(1, naive.figure("inflight_first_quarter"))));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (blastwall != null && blastwall.fault() != null) {
      checks.add(Check.atMost("blastwall", "fault.p99_ms", 350, "300: the deadline", blastwall.fault().p99Ms()));
      checks.add(Check.atLeast("blastwall", "fault.success_rate", 0.99, "1: b always has its fallback",
          blastwall.fault().successRate()));
      checks.add(Check.atMost("blastwall", "fault.max_inflight", 2 * littles,
          Results.text(littles) + " = rate x SLO (Little's law), bound 2x that", blastwall.fault().maxInflight()));
    }
    return checks;
  }
}
