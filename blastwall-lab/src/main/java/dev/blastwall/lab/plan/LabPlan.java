package dev.blastwall.lab.plan;

import dev.blastwall.lab.internal.Args;
import dev.blastwall.lab.topology.Protocol;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.Topology;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one run needs: the topology, the load, the faults on the timeline, and how each mode configures the
 * same services. A run executes the plan in one mode; a scenario runs it in both with the same seed.
 *
 * @param topology the services
 * @param load the user load
 * @param faults faults scheduled on the measured run's timeline
 * @param naive the naive mode's setup
 * @param blastwall the blastwall mode's setup
 */
public record LabPlan(
    Topology topology, LoadSpec load, List<ScheduledFault> faults, NaiveSetup naive, BlastwallSetup blastwall) {

  /** Copies the faults and checks each names a service of the topology (and one of its replicas). */
  public LabPlan {
    faults = List.copyOf(faults);
    for (ScheduledFault fault : faults) {
      int replicas = topology.service(fault.service()).replicas();
      if (fault.replica() >= replicas) {
        throw Args.invalid("replica", fault.replica(), "below " + replicas + ", the replicas of " + fault.service());
      }
    }
  }

  /** The same plan with every service speaking {@code protocol} (the command line's {@code --protocol}). */
  public LabPlan withProtocol(Protocol protocol) {
    List<ServiceSpec> services = new ArrayList<>();
    for (ServiceSpec service : topology.services().values()) {
      services.add(service.withProtocol(protocol));
    }
    return new LabPlan(Topology.of(topology.entry(), services), load, faults, naive, blastwall);
  }
}
