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
import dev.blastwall.lab.run.ServicePoint;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Numbers;
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
 * An M/M/1 queue measured: one worker with exponential service times, offered 10% to 95% of its capacity, against
 * the textbook mean time in system 1 / (mu - lambda).
 */
final class Queueing implements Scenario {

  /** Utilizations swept, in order; the two that are judged get longer steps, for a steadier mean. */
  private static final double[] UTILIZATIONS = {0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95};
  private static final double[] WEIGHTS = {1, 1, 4, 1, 8, 1, 1};
  private static final int AT_50 = 2;
  private static final int AT_80 = 4;
  /** The start of each step is left out of its figures: the queue needs a moment to reach its new regime. */
  private static final double SETTLE_FRACTION = 0.2;

  @Override
  public String name() {
    return "queueing";
  }

  @Override
  public String title() {
    return "One worker, exponential service times, 10% to 95% busy: latency against utilization (M/M/1)";
  }

  @Override
  public String claim() {
    return "Latency does not grow with load in a straight line: for one server with random arrivals and service "
        + "times (M/M/1), the mean time in system is 1 / (mu - lambda), twice the service time at 50% utilization, "
        + "five times at 80%, twenty times at 95%; the p99 grows the same way, times ln(100). Running hot is paid for "
        + "in the tail. The sweep measures the mean time in system at the server (arrival to answer, so the transport "
        + "over loopback is left out) against the curve computed with the service rate the worker really achieved, "
        + "and the users' p50 and p99 beside it.";
  }

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(102);
  }

  /** The base rate is the worker's capacity: the mean service time is its inverse. */
  @Override
  public double defaultRate() {
    // A fast server (5 ms mean): the mean of an M/M/1 queue at 80% converges slowly (its busy periods are long), so
    // the judged steps need thousands of requests.
    return 200;
  }

  private static Duration meanService(ScenarioParams params) {
    return Duration.ofNanos(Math.round(1e9 / params.rate()));
  }

  private static List<Duration[]> steps(ScenarioParams params) {
    double total = 0;
    for (double weight : WEIGHTS) {
      total += weight;
    }
    long unit = Math.max(1, params.duration().toMillis() / Math.round(total));
    List<Duration[]> steps = new ArrayList<>();
    long at = 0;
    for (double weight : WEIGHTS) {
      long length = Math.round(unit * weight);
      steps.add(new Duration[] {Duration.ofMillis(at), Duration.ofMillis(at + length)});
      at += length;
    }
    return steps;
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    // A long queue and a generous SLO, so that the bounded queue of blastwall mode rarely refuses: this scenario
    // is about the queue itself.
    ServiceSpec server = ServiceSpec.builder("server").capacity(1, 500)
        .serviceTime(ServiceTime.exponential(meanService(params))).build();
    RateProfile.Builder profile = RateProfile.builder(params.rate());
    List<Duration[]> steps = steps(params);
    for (int i = 0; i < UTILIZATIONS.length; i++) {
      profile.step(steps.get(i)[1].minus(steps.get(i)[0]), UTILIZATIONS[i]);
    }
    LoadSpec load = new LoadSpec(profile.build(), true, params.duration(), Duration.ofSeconds(2),
        Map.of(Criticality.CRITICAL, 1));
    return new LabPlan(Topology.of(server), load, List.of(), NaiveSetup.defaults(), BlastwallSetup.defaults());
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    // The service rate the worker really achieved: the drawn service times plus the wake-up after each sleep, which
    // on a small VM adds a few percent, enough to move the curve near saturation.
    long served = run.counters().getOrDefault("server.served", 0L);
    double muPerMs = served == 0 ? params.rate() / 1000.0
        : served / (run.counters().getOrDefault("server.served_nanos", 0L) / 1e6);
    List<ServicePoint> server = run.services().getOrDefault("server", List.of());
    List<Map<String, Object>> points = new ArrayList<>();
    Map<String, Object> figures = new LinkedHashMap<>();
    for (int i = 0; i < UTILIZATIONS.length; i++) {
      int[] seconds = settledSeconds(params, i);
      IntervalStats user = run.user().window(Duration.ofSeconds(seconds[0]), Duration.ofSeconds(seconds[1]));
      double inSystem = meanInSystemMillis(server, seconds[0], seconds[1]);
      double lambdaPerMs = params.rate() / 1000.0 * UTILIZATIONS[i];
      double theory = 1 / (muPerMs - lambdaPerMs);
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("utilization", UTILIZATIONS[i]);
      point.put("mean_ms", inSystem);
      point.put("theory_mean_ms", theory);
      point.put("user_mean_ms", user.meanMillis());
      point.put("p50_ms", user.p50Millis());
      point.put("theory_p50_ms", theory * Math.log(2));
      point.put("p99_ms", user.p99Millis());
      point.put("theory_p99_ms", theory * Math.log(100));
      points.add(point);
      if (i == AT_50) {
        figures.put("error_at_50", Math.abs(inSystem - theory) / theory);
      } else if (i == AT_80) {
        figures.put("error_at_80", Math.abs(inSystem - theory) / theory);
      }
    }
    figures.put("measured_service_ms", 1 / muPerMs);
    figures.put("points", points);
    return figures;
  }

  // A step's whole seconds, its first part left out while the queue settles into the new regime.
  private static int[] settledSeconds(ScenarioParams params, int step) {
    Duration from = steps(params).get(step)[0];
    Duration to = steps(params).get(step)[1];
    Duration settled = from.plus(Duration.ofMillis(Math.round(to.minus(from).toMillis() * SETTLE_FRACTION)));
    int first = (int) Math.ceil(settled.toMillis() / 1000.0);
    int end = (int) (to.toMillis() / 1000);
    if (end <= first) {
      // A step shorter than its settling time and a second (a very short --duration): take the whole seconds it
      // touches rather than none.
      first = (int) (from.toMillis() / 1000);
      end = Math.max(first + 1, (int) Math.ceil(to.toMillis() / 1000.0));
    }
    return new int[] {first, end};
  }

  // Mean time in system at the server (arrival to answer), over answers given in seconds [from, to).
  private static double meanInSystemMillis(List<ServicePoint> server, int from, int to) {
    long count = 0;
    long nanos = 0;
    for (ServicePoint point : server) {
      if (point.second() >= from && point.second() < to) {
        count += point.sojourns();
        nanos += point.sojournNanos();
      }
    }
    return count == 0 ? Double.NaN : nanos / 1e6 / count;
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    double serviceMs = 1000 / params.rate();
    // Only the naive mode is an M/M/1 queue: blastwall's deadline-aware queue turns to LIFO and drops stale work
    // once a standing queue forms (from about 70% here), which is the point of it and not what the formula models.
    ModeResult naive = results.get(Mode.NAIVE);
    for (ModeResult result : naive == null ? List.<ModeResult>of() : List.of(naive)) {
      String mode = result.mode().label();
      checks.add(Check.atMost(mode, "error_at_50", 0.2,
          "1 / (mu - lambda) at 50% (" + Numbers.text(2 * serviceMs) + " ms at the nominal mu; the worker's measured "
              + "mu is used), time in system measured at the server",
          result.figure("error_at_50")));
      checks.add(Check.atMost(mode, "error_at_80", 0.2,
          "1 / (mu - lambda) at 80% (" + Numbers.text(5 * serviceMs) + " ms at the nominal mu; the worker's measured "
              + "mu is used), time in system measured at the server",
          result.figure("error_at_80")));
    }
    return checks;
  }
}
