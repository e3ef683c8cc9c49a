package dev.blastwall.lab.run;

import dev.blastwall.lab.load.Report;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

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
 * @param edges per edge {@code caller->callee} (see {@link EdgeStats#name}), the callers' view of their calls
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
    LabHealth health,
    Map<String, EdgeStats> edges) {

  /** Copies the collections. */
  public ModeRun {
    edges = Map.copyOf(edges);
    services = Map.copyOf(services);
    userInflight = List.copyOf(userInflight);
    breakerChanges = List.copyOf(breakerChanges);
    counters = Map.copyOf(counters);
  }

  /** A run without edge latencies. */
  public ModeRun(LabPlan plan, Mode mode, long seed, Report user, Map<String, List<ServicePoint>> services,
      List<Integer> userInflight, List<BreakerChange> breakerChanges, Map<String, Long> counters, LabHealth health) {
    this(plan, mode, seed, user, services, userInflight, breakerChanges, counters, health, Map.of());
  }

  /** The edge {@code caller->callee}, or null when the caller does not call the callee. */
  public @Nullable EdgeStats edge(String caller, String callee) {
    return edges.get(EdgeStats.name(caller, callee));
  }
}
