package dev.blastwall.lab.run;

import static dev.blastwall.lab.run.Counts.edge;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Service time growing with a replica's load: two identical services, one contended, under the same calls. */
class ContentionTest {

  @Test
  void theFactorGrowsWithTheOtherRequestsPerWorker() {
    ServiceSpec spec = ServiceSpec.builder("s").capacity(4, 8).contention(2).build();
    assertThat(spec.contentionFactor(0)).isEqualTo(1);
    assertThat(spec.contentionFactor(2)).isEqualTo(2);
    assertThat(spec.contentionFactor(-1)).isEqualTo(1);
    assertThat(ServiceSpec.builder("s").build().contention()).isZero();
    assertThat(ServiceSpec.builder("s").build().contentionFactor(100)).isEqualTo(1);
  }

  @Test
  void aContendedServiceAnswersSlowerThanItsUncontendedTwin() {
    // Each user request calls each service twice at once: on two workers, each call finds the other inside, so a
    // contended call takes 40 ms x (1 + 1 x 1 / 2) = 60 ms where its twin's takes 40 ms. 10 requests/s leave both
    // services idle between requests (a stronger contention would let a late call start a queue that feeds itself).
    ServiceTime time = ServiceTime.fixed(Duration.ofMillis(40));
    Topology topology = Topology.of(
        Plans.service("gateway").capacity(16, 64).parallel(List.of(Dependency.required("plain"),
            Dependency.required("plain"), Dependency.required("contended"), Dependency.required("contended")))
            .build(),
        Plans.service("plain").capacity(2, 64).serviceTime(time).build(),
        Plans.service("contended").capacity(2, 64).serviceTime(time).contention(1).build());
    LabPlan plan = new LabPlan(topology, LoadSpec.constant(10, Duration.ofSeconds(2), Plans.SLO), List.of(),
        NaiveSetup.defaults().withTimeout(Duration.ofSeconds(2)), BlastwallSetup.defaults());

    ModeRun run = LabRunner.run(plan, Mode.NAIVE, 3, RunProgress.NONE);

    EdgeStats plain = edge(run, "gateway", "plain");
    EdgeStats contended = edge(run, "gateway", "contended");
    assertThat(contended.calls()).isEqualTo(Counts.count(run, "contended.arrivals")).isPositive();
    assertThat(contended.calls()).isEqualTo(plain.calls());
    // The median call pays the contention (20 ms more); the lab's own overhead is the same on both edges.
    assertThat(contended.p50Ms()).isGreaterThan(plain.p50Ms() + 12);
  }
}
