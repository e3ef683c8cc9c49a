package dev.blastwall.lab.scenarios;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.run.EdgePoint;
import dev.blastwall.lab.run.EdgeStats;
import dev.blastwall.lab.run.ModeRun;
import dev.blastwall.lab.run.ServicePoint;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Results;
import dev.blastwall.lab.scenario.Scenario;
import dev.blastwall.lab.scenario.ScenarioParams;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.Durations;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One replica of four dies while name resolution still lists it: naive round robin keeps sending it a quarter of
 * the calls; Blastwall's balancer ejects it, retries land on siblings, and it is taken back once it returns.
 */
final class StaleEndpoint implements Scenario {

  private static final int REPLICAS = 4;
  /** The replica counts as taken back from the first second it gets half its fair share of the calls. */
  private static final double READMITTED_SHARE = 0.5 / REPLICAS;

  @Override
  public String name() {
    return "stale-endpoint";
  }

  @Override
  public String title() {
    return "One replica of four dies but stays listed: round robin keeps calling it, or ejects it";
  }

  @Override
  public String claim() {
    return "Name resolution is stale for a while after a replica dies, so clients keep its address. Where the "
        + "connection is refused gRPC's own balancer skips the address; the costly case is an address that still "
        + "accepts and fails every call (a proxy or sidecar in front of the dead process), modelled here as INTERNAL, "
        + "which naive clients do not retry: plain round robin fails 1/4 = 25% of the calls for as long as the address "
        + "is listed. Blastwall's balancer ejects the replica after 5 failures in a row (well under a second at this "
        + "rate) and the few failed calls are retried on a sibling, so callers see almost no errors (<= 0.1%); the "
        + "replica is taken back when the ejection in force ends, at most one ejection time after it returns.";
  }

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(30);
  }

  @Override
  public double defaultRate() {
    return 100;
  }

  /** Dead from a sixth of the run to a half (5 s to 15 s at the default 30 s): room to watch it come back. */
  static Duration deathStart(ScenarioParams params) {
    return params.at(1.0 / 6);
  }

  static Duration deathEnd(ScenarioParams params) {
    return params.at(1.0 / 2);
  }

  /**
   * The ejection time, scaled with the run (4 s at the default 30 s): ejected at 5 s for 4 s, again at 9 s for 8 s
   * (a repeat ejection doubles), so it is back in the pool at 17 s, 2 s after its return at 15 s.
   */
  static Duration ejectionTime(ScenarioParams params) {
    return params.at(4.0 / 30);
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    ServiceSpec gateway = ServiceSpec.builder("gateway").capacity(64, 256)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(1))).call(Dependency.required("backend")).build();
    ServiceSpec backend = ServiceSpec.builder("backend").replicas(REPLICAS).capacity(16, 64)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(5))).build();
    LoadSpec load = LoadSpec.constant(params.rate(), params.duration(), Duration.ofMillis(300));
    ScheduledFault dead = new ScheduledFault("backend", deathStart(params), deathEnd(params).minus(deathStart(params)),
        new FaultSpec.Errors(1, "INTERNAL")).onReplica(0);
    BlastwallSetup blastwall = BlastwallSetup.defaults().withEjectionTime(ejectionTime(params));
    return new LabPlan(Topology.of(gateway, backend), load, List.of(dead), NaiveSetup.defaults(), blastwall);
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    Map<String, Object> figures = new LinkedHashMap<>();
    int from = (int) Math.ceil(deathStart(params).toMillis() / 1000.0) + 1;
    int to = (int) deathEnd(params).toSeconds();
    long calls = 0;
    long failed = 0;
    EdgeStats edge = run.edge("gateway", "backend");
    if (edge != null) {
      for (EdgePoint point : edge.series()) {
        if (point.second() >= from && point.second() < to) {
          calls += point.calls();
          failed += point.failed();
        }
      }
    }
    figures.put("error_rate_after_1s", Results.ratio(failed, calls));
    figures.put("readmitted_s", readmitted(run, params));
    figures.put("ejection_time_s", ejectionTime(params).toMillis() / 1000.0);
    return figures;
  }

  /** Seconds from the replica's return to the first second it gets half its fair share again; NaN if never. */
  private static double readmitted(ModeRun run, ScenarioParams params) {
    List<ServicePoint> points = run.services().getOrDefault("backend", List.of());
    double back = deathEnd(params).toMillis() / 1000.0;
    for (ServicePoint point : points) {
      if (point.second() < (int) back || point.arrivals() == 0 || point.replicaArrivals().isEmpty()) {
        continue;
      }
      if (point.replicaArrivals().getFirst() >= READMITTED_SHARE * point.arrivals()) {
        return Math.max(0, point.second() - back);
      }
    }
    return Double.NaN;
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    ModeResult naive = results.get(Mode.NAIVE);
    if (naive != null) {
      checks.add(Check.near("naive", "error_rate_after_1s", 0.25, 0.05,
          "0.25 = 1 / " + REPLICAS + " replicas, round robin", naive.figure("error_rate_after_1s")));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (blastwall != null) {
      checks.add(Check.atMost("blastwall", "error_rate_after_1s", 0.001,
          "~0: ejected after 5 failures in a row, each retried on a sibling", blastwall.figure("error_rate_after_1s")));
      double ejection = ejectionTime(params).toMillis() / 1000.0;
      checks.add(Check.atMost("blastwall", "readmitted_s", ejection,
          "<= " + Durations.text(ejectionTime(params)) + ": the ejection in force when it returns ends",
          blastwall.figure("readmitted_s")));
    }
    return checks;
  }
}
