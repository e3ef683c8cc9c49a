package dev.blastwall.lab.run;

import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.ScheduledFault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts and ends the plan's faults in real time, relative to the measured run's start. Network faults go into the
 * proxy of every replica (or of the fault's one replica), hard down takes those proxies off the network, the others
 * switch those replicas' {@link FaultState}. A fault that could not be applied is reported, not thrown: the run goes on, marked invalid.
 */
final class FaultTimeline implements AutoCloseable {

  private final List<ScheduledFault> faults;
  private final Map<String, ServiceRuntime> services;
  private final List<ScheduledFuture<?>> scheduled = new ArrayList<>();
  private final Queue<String> problems = new ConcurrentLinkedQueue<>();

  FaultTimeline(List<ScheduledFault> faults, Map<String, ServiceRuntime> services) {
    this.faults = faults;
    this.services = services;
  }

  /** Schedules every fault from now, which must be the measured start. */
  void start(ScheduledExecutorService timer) {
    for (int i = 0; i < faults.size(); i++) {
      ScheduledFault fault = faults.get(i);
      String toxicName = "lab-fault-" + i;
      scheduled.add(timer.schedule(() -> guarded(fault, "start", () -> begin(fault, toxicName)),
          fault.start().toNanos(), TimeUnit.NANOSECONDS));
      scheduled.add(timer.schedule(() -> guarded(fault, "end", () -> end(fault, toxicName)),
          fault.end().toNanos(), TimeUnit.NANOSECONDS));
    }
  }

  /** Faults that failed to start or end, one line each. */
  List<String> problems() {
    return List.copyOf(problems);
  }

  private void begin(ScheduledFault fault, String toxicName) {
    for (Replica replica : replicas(fault)) {
      switch (fault.fault()) {
        case FaultSpec.Network network -> replica.proxy().addToxic(toxicName, network.toxic());
        case FaultSpec.HardDown down -> replica.proxy().down();
        default -> replica.faults.start(fault.fault());
      }
    }
  }

  private void end(ScheduledFault fault, String toxicName) {
    for (Replica replica : replicas(fault)) {
      switch (fault.fault()) {
        case FaultSpec.Network network -> replica.proxy().removeToxic(toxicName);
        case FaultSpec.HardDown down -> replica.proxy().up();
        default -> replica.faults.end(fault.fault());
      }
    }
  }

  /** The replicas the fault acts on. */
  private List<Replica> replicas(ScheduledFault fault) {
    List<Replica> all = service(fault).replicas();
    if (fault.allReplicas()) {
      return all;
    }
    if (fault.replica() >= all.size()) {
      throw new IllegalArgumentException("replica: " + fault.replica() + " (expected: below " + all.size() + ")");
    }
    return List.of(all.get(fault.replica()));
  }

  private ServiceRuntime service(ScheduledFault fault) {
    ServiceRuntime service = services.get(fault.service());
    if (service == null) {
      throw new IllegalArgumentException("service: " + fault.service() + " (expected: one of " + services.keySet() + ")");
    }
    return service;
  }

  private void guarded(ScheduledFault fault, String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      problems.add("fault " + fault + " failed to " + what + ": " + e);
    }
  }

  /** Stops faults not yet started or ended; the services close right after, so nothing needs undoing. */
  @Override
  public void close() {
    for (ScheduledFuture<?> future : scheduled) {
      future.cancel(false);
    }
  }
}
