package dev.blastwall.lab.run;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Small plans for the runtime tests: a gateway calling one or two backends, at about 100 requests per second. */
final class Plans {

  static final double RATE = 100;
  static final Duration SLO = Duration.ofMillis(500);

  private Plans() {}

  static ServiceSpec.Builder service(String name) {
    return ServiceSpec.builder(name).capacity(8, 64).serviceTime(ServiceTime.fixed(Duration.ofMillis(2)));
  }

  /** gateway -> backend (required), no faults. */
  static Topology gatewayToBackend() {
    return Topology.of(service("gateway").call(Dependency.required("backend")).build(), service("backend").build());
  }

  static LabPlan plan(Topology topology, Duration duration, List<ScheduledFault> faults, BlastwallSetup blastwall) {
    // Naive timeouts shorter than the defaults keep the drain of a failed naive run short.
    NaiveSetup naive = NaiveSetup.defaults().withTimeout(Duration.ofSeconds(2));
    return new LabPlan(topology, LoadSpec.constant(RATE, duration, SLO), faults, naive, blastwall);
  }

  /** {@code fault} on {@code service} for the whole measured run of {@code duration}. */
  static List<ScheduledFault> throughout(String service, Duration duration, FaultSpec fault) {
    List<ScheduledFault> faults = new ArrayList<>();
    faults.add(new ScheduledFault(service, Duration.ZERO, duration.plusSeconds(5), fault));
    return faults;
  }
}
