package dev.blastwall.lab.run;

import dev.blastwall.lab.load.Report;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import java.util.List;
import java.util.Map;

/**
 * What one run of a plan in one mode measured.
 *
 * @param plan the plan run
 * @param mode the mode it ran in
 * @param seed the seed of arrivals, service times and fault draws
 * @param user the load generator's report: what users saw, per second and overall
 * @param services per service name, one point per second of the measured run
 * @param userInflight per second, the most user requests in flight at a sample
 * @param breakerChanges every breaker transition in the measured run, in time order
 * @param counters named totals some scenarios read (e.g. {@code payments.committed}), empty if none
 * @param health whether the lab kept up
 */
public record ModeRun(
    LabPlan plan,
    Mode mode,
    long seed,
    Report user,
    Map<String, List<ServicePoint>> services,
    List<Integer> userInflight,
    List<BreakerChange> breakerChanges,
    Map<String, Long> counters,
    LabHealth health) {

  /** Copies the collections. */
  public ModeRun {
    services = Map.copyOf(services);
    userInflight = List.copyOf(userInflight);
    breakerChanges = List.copyOf(breakerChanges);
    counters = Map.copyOf(counters);
  }
}
