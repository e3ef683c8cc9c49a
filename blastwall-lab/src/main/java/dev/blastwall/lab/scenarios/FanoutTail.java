package dev.blastwall.lab.scenarios;

import dev.blastwall.lab.load.IntervalStats;
import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
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
import java.util.Locale;
import java.util.Map;

/**
 * Tail at scale: a gateway waits for 20 backends, each slow 1% of the time, so 18% of users wait for a slow one.
 * Hedging after the p95 cuts the user tail for a few percent more backend calls.
 */
final class FanoutTail implements Scenario {

  static final int BACKENDS = 20;
  static final double SLOW_SHARE = 0.01;
  static final Duration FAST = Duration.ofMillis(5);
  static final Duration SLOW = Duration.ofMillis(200);
  static final Duration SLOW_THRESHOLD = Duration.ofMillis(150);

  @Override
  public String name() {
    return "fanout-tail";
  }

  @Override
  public String title() {
    return "A request fans out to 20 backends, each slow 1% of the time: the tail at scale, and hedging";
  }

  @Override
  public String claim() {
    return "A user request that waits for all of n parts is slow when any part is: with a per-part slow share of 1%, "
        + "1 - 0.99^20 = 18.2% of user requests are slow, so the backends' p99 becomes the users' p82 (Dean and "
        + "Barroso, The Tail at Scale). Hedging a part that has not answered by the backends' p95 sends a second copy "
        + "for about 5% of parts and takes the first answer, cutting the users' p99 several times for a few percent "
        + "more backend calls.";
  }

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(30);
  }

  @Override
  public double defaultRate() {
    // 900 user requests in the default run: the slow share's standard error is then 1.3 points, well inside the
    // 4-point tolerance; 20 backends at 30 rps stay within what a 2-core machine drives without being the bottleneck.
    return 30;
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    List<Dependency> parts = new ArrayList<>();
    List<ServiceSpec> backends = new ArrayList<>();
    BlastwallSetup blastwall = BlastwallSetup.defaults();
    for (int i = 1; i <= BACKENDS; i++) {
      String name = backendName(i);
      parts.add(Dependency.required(name));
      backends.add(ServiceSpec.builder(name).capacity(32, 64)
          .serviceTime(ServiceTime.slowTail(ServiceTime.fixed(FAST), SLOW_SHARE, SLOW)).build());
      blastwall = blastwall.withHedging(name);
    }
    // Hedging after the p95 hedges about 5% of parts by definition: the budget leaves room above that, so the slow
    // 1% are always hedged.
    blastwall = blastwall.withHedgeBudget(0.1);
    ServiceSpec gateway = ServiceSpec.builder("gateway").capacity(64, 128)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(1))).parallel(parts).build();
    List<ServiceSpec> all = new ArrayList<>();
    all.add(gateway);
    all.addAll(backends);
    LoadSpec load = LoadSpec.constant(params.rate(), params.duration(), Duration.ofMillis(500));
    return new LabPlan(Topology.of("gateway", all), load, List.of(), NaiveSetup.defaults(), blastwall);
  }

  static String backendName(int index) {
    return String.format(Locale.ROOT, "b%02d", index);
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    IntervalStats overall = run.user().overall();
    double slowShare = Results.ratio(overall.userRequests() - countFasterThan(run, SLOW_THRESHOLD),
        overall.userRequests());
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("slow_share", slowShare);
    figures.put("p99_ms", base.overall().p99Ms());
    figures.put("amplification", base.overall().amplification());
    return figures;
  }

  // Requests answered within the threshold, from the whole run's histogram.
  private static long countFasterThan(ModeRun run, Duration threshold) {
    return run.user().overall().countAtOrBelow(threshold);
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    double theory = 1 - Math.pow(1 - SLOW_SHARE, BACKENDS);
    ModeResult naive = results.get(Mode.NAIVE);
    if (naive != null) {
      checks.add(Check.near("naive", "slow_share", theory, 0.04, Results.text(theory) + " = 1 - 0.99^20",
          naive.figure("slow_share")));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (naive != null && blastwall != null) {
      checks.add(Check.atLeast("both", "naive p99_ms / blastwall p99_ms", 5,
          "~200 ms slow part vs a hedge answering after about p95 + 5 ms",
          naive.figure("p99_ms") / blastwall.figure("p99_ms")));
      checks.add(Check.atMost("both", "blastwall amplification / naive amplification", 1.08,
          "1.05: hedges for the ~5% of parts slower than the p95",
          blastwall.figure("amplification") / naive.figure("amplification")));
    }
    return checks;
  }
}
