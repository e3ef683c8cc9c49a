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
import dev.blastwall.lab.scenario.Summary;
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
 * A backend fails half its calls; naive retries multiply its load by 1.875, a retry budget holds it near 1.1.
 */
final class RetryStorm implements Scenario {

  @Override
  public String name() {
    return "retry-storm";
  }

  @Override
  public String title() {
    return "A backend fails 50% of calls: retries multiply its load unless a budget caps them";
  }

  @Override
  public String claim() {
    return "With 3 retries at a failure rate p, each user request sends 1 + p + p^2 + p^3 attempts: 1.875 at p = 0.5, "
        + "almost twice the load on a backend that is already failing. A retry budget of 10% of requests caps the "
        + "extra load at about 1.1 whatever the failure rate (plus a small floor of retries per second). The breaker is "
        + "set to open at 80% failures: a backend that still answers half its calls is worth calling, and the "
        + "budget, not the breaker, is what holds the load here. The price is visible too: these failures are random "
        + "and the backend has room to spare, so naive's retries turn most of them into successes (1 - 0.5^4 = "
        + "94%) where the budget lets few through (about 55%). Retries pay off only while the backend has spare "
        + "capacity; when its failures come from overload, the same retries are what keeps it down (see metastable).";
  }

  /** The window of the retry budget the lab's Blastwall mode uses: {@code RetryBudget.ratio()}'s default. */
  private static final Duration BUDGET_WINDOW = Duration.ofSeconds(10);

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(30);
  }

  @Override
  public double defaultRate() {
    return 200;
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    ServiceSpec gateway = ServiceSpec.builder("gateway")
        .capacity(64, 256)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(1)))
        .call(Dependency.required("backend"))
        .build();
    ServiceSpec backend = ServiceSpec.builder("backend")
        .capacity(32, 128)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(5)))
        .build();
    LoadSpec load = LoadSpec.constant(params.rate(), params.duration(), Duration.ofMillis(500));
    load = new LoadSpec(load.profile(), false, load.duration(), load.slo(), load.mix());
    ScheduledFault fault = new ScheduledFault("backend", Timeline.faultStart(params), Timeline.faultLength(params),
        new FaultSpec.Errors(0.5, "UNAVAILABLE"));
    // A backend that still answers half its calls is worth calling: the breaker is for outages (it opens at 80%
    // here), the budget is for this.
    BlastwallSetup blastwall = BlastwallSetup.defaults()
        .withBreaker(0.8, 20, Duration.ofSeconds(1), Duration.ofSeconds(4));
    return new LabPlan(Topology.of(gateway, backend), load, List.of(fault), NaiveSetup.defaults(), blastwall);
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    Map<String, Object> figures = new LinkedHashMap<>();
    Summary fault = base.fault();
    if (fault != null) {
      Duration from = Timeline.faultStart(params);
      Duration to = Timeline.faultEnd(params);
      long retries = 0;
      for (var point : base.series()) {
        if (point.second() >= from.toSeconds() && point.second() < to.toSeconds()) {
          retries += point.retries();
        }
      }
      figures.put("fault_retries_per_s", retries / (double) Math.max(1, to.minus(from).toSeconds()));
      figures.put("fault_success_rate", fault.successRate());
    }
    return figures;
  }

  /**
   * The most the budget lets through over the fault. In any one window it allows 10% of the window's requests plus
   * the 5/s floor's reserve; and it starts the fault with all of that saved, since nothing failed before. Spent
   * retries expire 0.9 to 1 window later (the budget's slots), so each further 0.9 window of fault may spend a whole
   * window's allowance again: a 20 s fault at 200 rps spans 3 such bursts of 250, 1.19 at most; steady state would
   * give 1.125, and runs measure about 1.13 to 1.16.
   */
  static double budgetBound(ScenarioParams params) {
    double windowSeconds = BUDGET_WINDOW.toNanos() / 1e9;
    double faultSeconds = Timeline.faultLength(params).toNanos() / 1e9;
    BlastwallSetup setup = BlastwallSetup.defaults();
    double perWindow = (setup.retryBudgetRatio() * params.rate() + setup.retryBudgetMinPerSecond()) * windowSeconds;
    double windows = Math.ceil(faultSeconds / (0.9 * windowSeconds));
    return 1 + windows * perWindow / (params.rate() * faultSeconds);
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    ModeResult naive = results.get(Mode.NAIVE);
    if (naive != null && naive.fault() != null) {
      checks.add(Check.atLeast("naive", "fault.amplification", 1.8, "1.875 = 1 + 0.5 + 0.25 + 0.125",
          naive.fault().amplification()));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (blastwall != null && blastwall.fault() != null) {
      double bound = budgetBound(params);
      checks.add(Check.atMost("blastwall", "fault.amplification", bound,
          Results.text(bound) + " = 1 + the budget's windows the fault spans x (10% of a window's requests + 5/s x "
              + "window) / the fault's requests, at most",
          blastwall.fault().amplification()));
    }
    return checks;
  }
}
