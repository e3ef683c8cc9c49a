package dev.blastwall.lab.scenarios;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.run.BreakerChange;
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
 * A dependency hangs (accepts calls, never answers) and comes back: naive callers wait out their timeouts; a
 * breaker fails fast to the fallback and closes again soon after the return.
 */
final class Outage implements Scenario {

  private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(40);

  @Override
  public String name() {
    return "outage";
  }

  @Override
  public String title() {
    return "A dependency hangs for 20 s, then recovers: timeouts waited out, or a breaker and a fallback";
  }

  @Override
  public String claim() {
    return "A hung dependency is the costliest failure: each call holds a caller's thread until its timeout, so "
        + "naive callers answer in about their timeout (10 s here) for as long as the hang lasts. A short attempt "
        + "timeout turns the hang into fast failures, the breaker opens after its configured failures and then "
        + "rejects at once, and the optional part's fallback is served: users see degraded answers in milliseconds. "
        + "Half-open probes find the dependency back and close the breaker within its open time of the return.";
  }

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(30);
  }

  @Override
  public double defaultRate() {
    return 100;
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    ServiceSpec gateway = ServiceSpec.builder("gateway").capacity(64, 128)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(2))).call(Dependency.optional("profile")).build();
    ServiceSpec profile = ServiceSpec.builder("profile").capacity(32, 64)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(10))).build();
    LoadSpec load = LoadSpec.constant(params.rate(), params.duration(), Duration.ofMillis(300));
    ScheduledFault hang = new ScheduledFault("profile", Timeline.faultStart(params), Timeline.faultLength(params),
        new FaultSpec.Hang());
    BlastwallSetup blastwall = BlastwallSetup.defaults()
        .withAttemptTimeout("profile", ATTEMPT_TIMEOUT)
        .withBreaker(0.5, 10, Duration.ofSeconds(1), Duration.ofSeconds(3));
    return new LabPlan(Topology.of(gateway, profile), load, List.of(hang), NaiveSetup.defaults(), blastwall);
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    double recoveredAt = Timeline.faultEnd(params).toNanos() / 1e9;
    double openedAt = Double.NaN;
    double closedAt = Double.NaN;
    for (BreakerChange change : run.breakerChanges()) {
      if (!change.upstream().equals("profile")) {
        continue;
      }
      if (change.to().equals("OPEN") && Double.isNaN(openedAt)) {
        openedAt = change.atSeconds();
      }
      if (change.to().equals("CLOSED") && change.atSeconds() >= recoveredAt && Double.isNaN(closedAt)) {
        closedAt = change.atSeconds();
      }
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("breaker_opened_after_s", openedAt - Timeline.faultStart(params).toNanos() / 1e9);
    figures.put("close_after_recovery_s", closedAt - recoveredAt);
    return figures;
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    ModeResult naive = results.get(Mode.NAIVE);
    double timeoutMs = NaiveSetup.defaults().timeout().toMillis();
    if (naive != null && naive.fault() != null) {
      checks.add(Check.atLeast("naive", "fault.p99_ms", 0.9 * timeoutMs,
          Math.round(timeoutMs) + ": the naive timeout, waited out by every call", naive.fault().p99Ms()));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (blastwall != null && blastwall.fault() != null) {
      checks.add(Check.atMost("blastwall", "fault.p99_ms", 100,
          "~" + ATTEMPT_TIMEOUT.toMillis() + " ms attempt timeout before the breaker opens, ~1 ms after",
          blastwall.fault().p99Ms()));
      checks.add(Check.atMost("blastwall", "close_after_recovery_s", 5,
          "<= 3 s: the longest open time before a probe", blastwall.figure("close_after_recovery_s")));
    }
    return checks;
  }
}
