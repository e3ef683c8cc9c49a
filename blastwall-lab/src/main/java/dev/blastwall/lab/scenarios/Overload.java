package dev.blastwall.lab.scenarios;

import dev.blastwall.context.Criticality;
import dev.blastwall.lab.load.IntervalStats;
import dev.blastwall.lab.load.RateProfile;
import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.run.ModeRun;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Scenario;
import dev.blastwall.lab.scenario.ScenarioParams;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One service of fixed capacity offered 0.5x, 2x, 4x and 0.5x of it: an unbounded queue collapses goodput; a
 * bounded, deadline-aware queue that sheds the least critical work first keeps it at capacity.
 */
final class Overload implements Scenario {

  private static final Duration WORK = Duration.ofMillis(50);
  private static final Duration SLO = Duration.ofMillis(500);
  private static final double[] STEPS = {0.5, 2, 4, 0.5};

  @Override
  public String name() {
    return "overload";
  }

  @Override
  public String title() {
    return "Offered load steps 0.5x -> 2x -> 4x -> 0.5x of capacity: queueing collapse, and shedding";
  }

  @Override
  public String claim() {
    return "Past capacity an unbounded queue grows without end: every request waits behind the backlog, answers "
        + "arrive after users gave up, and goodput falls towards zero while the server stays 100% busy on work nobody "
        + "waits for. Bounding the queue, dropping requests whose deadline passed, and refusing the least critical "
        + "work first keeps goodput at capacity (100% of it in theory, the queue's wait within the SLO), serves "
        + "critical requests first, and recovers as soon as load drops.";
  }

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(32);
  }

  /** The base rate is the service's capacity: workers are sized so that it serves this rate at 50 ms each. */
  @Override
  public double defaultRate() {
    return 200;
  }

  static int workers(ScenarioParams params) {
    return Math.max(1, (int) Math.round(params.rate() * WORK.toNanos() / 1e9));
  }

  static double capacity(ScenarioParams params) {
    return workers(params) * 1e9 / WORK.toNanos();
  }

  private static Duration stepLength(ScenarioParams params) {
    return params.duration().dividedBy(STEPS.length);
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    int workers = workers(params);
    // A queue of 4 x workers holds 200 ms of work, well within the 500 ms SLO, and leaves room for the places
    // kept for critical requests.
    ServiceSpec api = ServiceSpec.builder("api").capacity(workers, 4 * workers)
        .serviceTime(ServiceTime.fixed(WORK)).build();
    RateProfile.Builder profile = RateProfile.builder(params.rate());
    for (double step : STEPS) {
      profile.step(stepLength(params), step);
    }
    LoadSpec load = new LoadSpec(profile.build(), true, params.duration(), SLO,
        Map.of(Criticality.CRITICAL_PLUS, 20, Criticality.CRITICAL, 50, Criticality.SHEDDABLE, 30));
    return new LabPlan(Topology.of(api), load, List.of(), NaiveSetup.defaults(), BlastwallSetup.defaults());
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    Duration step = stepLength(params);
    double capacity = capacity(params);
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("capacity_rps", capacity);
    figures.put("goodput_ratio_2x", run.user().window(step, step.multipliedBy(2)).goodputRps() / capacity);
    figures.put("goodput_ratio_4x", run.user().window(step.multipliedBy(2), step.multipliedBy(3)).goodputRps()
        / capacity);
    IntervalStats overloaded = run.user().window(step, step.multipliedBy(3));
    figures.put("critical_success_rate", overloaded.successRate(Criticality.CRITICAL_PLUS));
    figures.put("sheddable_success_rate", overloaded.successRate(Criticality.SHEDDABLE));
    figures.put("recovery_s", recoverySeconds(run, step.multipliedBy(3)));
    return figures;
  }

  // From the step down to the end of the first second whose goodput is back to 90% of what was offered in it.
  private static double recoverySeconds(ModeRun run, Duration stepDown) {
    for (IntervalStats second : run.user().series()) {
      if (second.startNanos() < stepDown.toNanos() || second.offered() == 0) {
        continue;
      }
      if (second.goodputCount() >= 0.9 * second.offered()) {
        return (second.endNanos() - stepDown.toNanos()) / 1e9;
      }
    }
    return Double.NaN;
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    ModeResult naive = results.get(Mode.NAIVE);
    if (naive != null) {
      checks.add(Check.atMost("naive", "goodput_ratio_4x", 0.5,
          "-> 0: the queue grows by 3x capacity per second, every answer comes after the SLO",
          naive.figure("goodput_ratio_4x")));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (blastwall != null) {
      checks.add(Check.atLeast("blastwall", "goodput_ratio_2x", 0.9, "1: workers always busy on fresh work",
          blastwall.figure("goodput_ratio_2x")));
      checks.add(Check.atLeast("blastwall", "goodput_ratio_4x", 0.9, "1: workers always busy on fresh work",
          blastwall.figure("goodput_ratio_4x")));
      checks.add(Check.atLeast("blastwall", "critical_success_rate", 0.99,
          "1: critical is 20% of 4x = 0.8x capacity, all of it fits", blastwall.figure("critical_success_rate")));
      checks.add(Check.atMost("blastwall", "recovery_s", 5, "~1: the queue holds at most 4 x workers = 200 ms of work",
          blastwall.figure("recovery_s")));
    }
    return checks;
  }
}
