package dev.blastwall.lab.scenarios;

import dev.blastwall.context.Criticality;
import dev.blastwall.lab.load.RateProfile;
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
import java.util.SplittableRandom;

/**
 * The gateway needs parts from 10 services, each 99.9% available: if 3 or 10 of them are required, availability
 * is the product, 99.7% or 99.0%; with the parts optional and served degraded, users keep the gateway's own.
 */
final class FanoutAvailability implements Scenario {

  static final int PARTS = 10;
  static final double PART_AVAILABILITY = 0.999;
  static final double TOLERANCE = 0.002;

  @Override
  public String name() {
    return "fanout-availability";
  }

  @Override
  public String title() {
    return "10 services at 99.9% each: 99.0% if all are required, >= 99.9% with the parts optional";
  }

  @Override
  public String claim() {
    return "A request that needs n independent services, each available a share a of the time, succeeds a^n of the "
        + "time: 0.999^3 = 99.7% and 0.999^10 = 99.0%, ten times the downtime of one service. Here each of the 10 "
        + "services is down (answers UNAVAILABLE) for 0.1% of the run, at a time of its own; one run gives the "
        + "availability the gateway would have with its first 3 or all 10 parts required. Immediate retries fall in "
        + "the same downtime and do not change it. With the parts optional (left out and the answer marked degraded "
        + "when one fails), users see the gateway's own availability, >= 99.9%, and about 1% degraded answers.";
  }

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(40);
  }

  @Override
  public double defaultRate() {
    return 100;
  }

  static String partName(int index) {
    return String.format(Locale.ROOT, "p%02d", index);
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    List<Dependency> parts = new ArrayList<>();
    List<ServiceSpec> services = new ArrayList<>();
    List<ScheduledFault> downtimes = new ArrayList<>();
    // Each service is down for 0.1% of the run in one window, placed independently from the seed.
    Duration down = Duration.ofMillis(Math.max(1, Math.round(params.duration().toMillis() * (1 - PART_AVAILABILITY))));
    long earliest = params.at(0.1).toMillis();
    long latest = params.at(0.9).minus(down).toMillis();
    SplittableRandom random = new SplittableRandom(params.seed());
    for (int i = 1; i <= PARTS; i++) {
      String name = partName(i);
      parts.add(Dependency.optional(name));
      // Two replicas: Blastwall's balancer ejects one replica at a time, so a downtime never leaves a part with none.
      services.add(ServiceSpec.builder(name).replicas(2).capacity(16, 64)
          .serviceTime(ServiceTime.fixed(Duration.ofMillis(5))).build());
      Duration start = Duration.ofMillis(earliest + random.nextLong(Math.max(1, latest - earliest)));
      downtimes.add(new ScheduledFault(name, start, down, new FaultSpec.Errors(1.0, "UNAVAILABLE")));
    }
    ServiceSpec gateway = ServiceSpec.builder("gateway").capacity(64, 128)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(1))).parallel(parts).build();
    List<ServiceSpec> all = new ArrayList<>();
    all.add(gateway);
    all.addAll(services);
    // Evenly spaced arrivals: each downtime then sees the same number of requests, so the measured share does not
    // carry the Poisson noise of a few requests per window.
    LoadSpec load = new LoadSpec(RateProfile.constant(params.rate()), false, params.duration(),
        Duration.ofMillis(500), Map.of(Criticality.CRITICAL, 1));
    return new LabPlan(Topology.of("gateway", all), load, downtimes, NaiveSetup.defaults(),
        BlastwallSetup.defaults());
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    Map<String, Long> counters = run.counters();
    long requests = counters.getOrDefault("gateway.requests", 0L);
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("gateway_requests", requests);
    figures.put("availability_1_required", Results.ratio(counters.getOrDefault("gateway.first_1_ok", 0L), requests));
    figures.put("availability_3_required", Results.ratio(counters.getOrDefault("gateway.first_3_ok", 0L), requests));
    figures.put("availability_10_required",
        Results.ratio(counters.getOrDefault("gateway.first_" + PARTS + "_ok", 0L), requests));
    figures.put("availability_optional", base.overall().successRate());
    figures.put("degraded_rate", base.overall().degradedRate());
    return figures;
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    double three = Math.pow(PART_AVAILABILITY, 3);
    double ten = Math.pow(PART_AVAILABILITY, PARTS);
    ModeResult naive = results.get(Mode.NAIVE);
    if (naive != null) {
      checks.add(Check.near("naive", "availability_3_required", three, TOLERANCE,
          Results.text(three) + " = 0.999^3", naive.figure("availability_3_required")));
      checks.add(Check.near("naive", "availability_10_required", ten, TOLERANCE,
          Results.text(ten) + " = 0.999^10", naive.figure("availability_10_required")));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (blastwall != null) {
      // Backoff retries may outlast a short downtime: never below the product, possibly above it.
      checks.add(Check.atLeast("blastwall", "availability_3_required", three - TOLERANCE,
          ">= " + Results.text(three) + " = 0.999^3, retries after a backoff may outlast a downtime",
          blastwall.figure("availability_3_required")));
      checks.add(Check.atLeast("blastwall", "availability_10_required", ten - TOLERANCE,
          ">= " + Results.text(ten) + " = 0.999^10, retries after a backoff may outlast a downtime",
          blastwall.figure("availability_10_required")));
    }
    for (ModeResult result : results.values()) {
      checks.add(Check.atLeast(result.mode().label(), "availability_optional", PART_AVAILABILITY,
          "1: the gateway's own availability; about " + Results.text(1 - ten) + " of answers degraded",
          result.figure("availability_optional")));
    }
    return checks;
  }
}
