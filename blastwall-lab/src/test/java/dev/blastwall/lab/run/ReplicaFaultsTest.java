package dev.blastwall.lab.run;

import static dev.blastwall.lab.run.Counts.count;
import static dev.blastwall.lab.run.Counts.points;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A fault on one replica of four: it acts on that replica only; naive round robin keeps sending it a quarter of the
 * calls, Blastwall's balancer ejects it and retries land on its siblings.
 */
class ReplicaFaultsTest {

  private static final long SEED = 7;
  private static final Duration DURATION = Duration.ofSeconds(2);

  private static LabPlan plan(String status) {
    Topology topology = Topology.of(
        Plans.service("gateway").call(Dependency.required("backend")).build(),
        Plans.service("backend").replicas(4).build());
    List<ScheduledFault> faults = List.of(
        Plans.throughout("backend", DURATION, new FaultSpec.Errors(1, status)).getFirst().onReplica(0));
    return Plans.plan(topology, DURATION, faults, BlastwallSetup.defaults());
  }

  @Test
  void aFaultOnOneReplicaFailsOnlyItsCallsAndNaiveRoundRobinKeepsSendingItAQuarter() {
    // INTERNAL is not retried by naive clients: each call to replica 0 fails, and only those.
    ModeRun run = LabRunner.run(plan("INTERNAL"), Mode.NAIVE, SEED, RunProgress.NONE);

    long arrivals = count(run, "backend.arrivals");
    assertThat(count(run, "backend#0.failed")).isEqualTo(count(run, "backend#0.arrivals")).isPositive();
    for (int i = 1; i < 4; i++) {
      assertThat(count(run, "backend#" + i + ".failed")).as("replica %d failures", i).isZero();
      assertThat(count(run, "backend#" + i + ".completed")).isPositive();
    }
    assertThat((double) count(run, "backend#0.arrivals") / arrivals).isBetween(0.2, 0.3);
    assertThat(run.user().overall().successRate()).isBetween(0.65, 0.85);
    long perReplica = 0;
    for (int i = 0; i < 4; i++) {
      perReplica += count(run, "backend#" + i + ".arrivals");
    }
    assertThat(perReplica).isEqualTo(arrivals);
    for (ServicePoint point : points(run, "backend")) {
      assertThat(point.replicaArrivals()).hasSize(4);
      assertThat(point.replicaArrivals().stream().mapToLong(Long::longValue).sum()).isEqualTo(point.arrivals());
    }
    assertThat(points(run, "gateway").getFirst().replicaArrivals()).hasSize(1);
  }

  @Test
  void blastwallEjectsAReplicaFailingEveryCallRetriesOnASiblingAndTakesItBackAfterTheEjectionTime() {
    Duration duration = Duration.ofSeconds(3);
    Topology topology = Topology.of(
        Plans.service("gateway").call(Dependency.required("backend")).build(),
        Plans.service("backend").replicas(4).build());
    // Replica 0 fails every call for the first second; ejected for 0.5 s, then for 1 s when it fails again.
    List<ScheduledFault> faults = List.of(new ScheduledFault("backend", Duration.ZERO, Duration.ofSeconds(1),
        new FaultSpec.Errors(1, "UNAVAILABLE"), 0));
    LabPlan plan = Plans.plan(topology, duration, faults,
        BlastwallSetup.defaults().withEjectionTime(Duration.ofMillis(500)));

    ModeRun run = LabRunner.run(plan, Mode.BLASTWALL, SEED, RunProgress.NONE);

    assertThat(run.user().overall().successRate()).isGreaterThan(0.99);
    List<ServicePoint> points = points(run, "backend");
    assertThat(share(points.get(0))).as("replica 0's share while failing").isLessThan(0.15);
    assertThat(share(points.get(2))).as("replica 0's share once taken back").isBetween(0.15, 0.35);
    assertThat(count(run, "backend#0.failed")).isPositive();
    for (int i = 1; i < 4; i++) {
      assertThat(count(run, "backend#" + i + ".failed")).as("replica %d failures", i).isZero();
    }
  }

  private static double share(ServicePoint point) {
    return (double) point.replicaArrivals().getFirst() / point.arrivals();
  }
}
