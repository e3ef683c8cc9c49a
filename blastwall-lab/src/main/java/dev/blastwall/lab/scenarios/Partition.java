package dev.blastwall.lab.scenarios;

import dev.blastwall.lab.fault.Direction;
import dev.blastwall.lab.fault.Toxic;
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
 * The network swallows everything to and from one replica of four, without a reset: naive calls to it hang for
 * their whole timeout; short attempt timeouts with retries on a sibling keep the tail within the SLO.
 */
final class Partition implements Scenario {

  private static final int REPLICAS = 4;
  private static final Duration SLO = Duration.ofMillis(300);
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(50);
  /**
   * The retry budget: a quarter of the calls meet the partition, so the default 10% budget would leave most of
   * them failed; the budget is sized for losing one replica of four, and still caps a general outage's load.
   */
  private static final double RETRY_BUDGET = 0.3;

  @Override
  public String name() {
    return "partition";
  }

  @Override
  public String title() {
    return "One replica of four is cut off by the network (data vanishes, no reset): hang, or retry elsewhere";
  }

  @Override
  public String claim() {
    return "A partition is worse than a crash: no connection is refused or reset, bytes simply vanish, so nothing "
        + "tells the caller to give up but its timeout. Naive round robin sends a quarter of the calls into the hole "
        + "and each waits its full timeout (10 s), so the p99 over the fault window is the timeout. Blastwall sends "
        + "the user's SLO as the deadline, gives each attempt " + ATTEMPT_TIMEOUT.toMillis() + " ms, and retries a "
        + "timed-out idempotent call at once on the next replica; after 5 timed-out attempts in a row its balancer "
        + "ejects the silent replica, so only the few calls that meet it before each ejection pay an attempt timeout, "
        + "and the p99 stays within one attempt timeout plus a normal call, far inside the " + SLO.toMillis()
        + " ms SLO.";
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
    // Enough gateway workers to hold every naive call hung on the partition: the point is the callers' wait, not a
    // queue at the gateway.
    ServiceSpec gateway = ServiceSpec.builder("gateway").capacity(256, 512)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(1))).call(Dependency.required("backend")).build();
    ServiceSpec backend = ServiceSpec.builder("backend").replicas(REPLICAS).capacity(16, 64)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(10))).build();
    LoadSpec load = LoadSpec.constant(params.rate(), params.duration(), SLO);
    Duration start = Timeline.faultStart(params);
    Duration length = Timeline.faultLength(params);
    List<ScheduledFault> faults = List.of(
        new ScheduledFault("backend", start, length, new FaultSpec.Network(Toxic.blackhole())).onReplica(0),
        new ScheduledFault("backend", start, length,
            new FaultSpec.Network(Toxic.blackhole().withDirection(Direction.UPSTREAM))).onReplica(0));
    BlastwallSetup blastwall = BlastwallSetup.defaults().withRetryBudget(RETRY_BUDGET)
        .withAttemptTimeout("backend", ATTEMPT_TIMEOUT);
    return new LabPlan(Topology.of(gateway, backend), load, faults, NaiveSetup.defaults(), blastwall);
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("slo_ms", (double) SLO.toMillis());
    return figures;
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    double timeoutMs = NaiveSetup.defaults().timeout().toMillis();
    ModeResult naive = results.get(Mode.NAIVE);
    if (naive != null && naive.fault() != null) {
      checks.add(Check.atLeast("naive", "fault.p99_ms", 0.9 * timeoutMs,
          Math.round(timeoutMs) + ": the naive timeout, waited out by the 25% of calls sent into the hole",
          naive.fault().p99Ms()));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (blastwall != null && blastwall.fault() != null) {
      checks.add(Check.atMost("blastwall", "fault.p99_ms", (double) SLO.toMillis(),
          "~15-" + (ATTEMPT_TIMEOUT.toMillis() + 30) + " ms: the replica is ejected after 5 timed-out attempts "
              + "in a row (and again after each readmission), so about 1-2% of calls meet the hole and pay one "
              + "attempt timeout before a retry on a sibling",
          blastwall.fault().p99Ms()));
    }
    return checks;
  }
}
