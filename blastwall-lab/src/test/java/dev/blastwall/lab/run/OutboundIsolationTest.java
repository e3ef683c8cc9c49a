package dev.blastwall.lab.run;

import static dev.blastwall.lab.run.Counts.edge;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A gateway calls a slow A and a healthy B. With one small shared outbound pool (naive), A's calls hold its threads
 * and B's calls wait for one; with a bulkhead per upstream (Blastwall), B's calls do not wait for A's.
 */
class OutboundIsolationTest {

  private static final Duration DURATION = Duration.ofSeconds(2);

  private static LabPlan plan() {
    Topology topology = Topology.of(
        Plans.service("gateway").capacity(32, 256)
            .parallel(List.of(Dependency.optional("a"), Dependency.required("b"))).build(),
        Plans.service("a").capacity(64, 256).build(),
        Plans.service("b").build());
    NaiveSetup naive = NaiveSetup.defaults().withTimeout(Duration.ofSeconds(2)).withOutboundPool(4);
    BlastwallSetup blastwall = BlastwallSetup.defaults().withBulkhead("a", 4).withBulkhead("b", 32);
    // A at 50 ms: 100 calls/s need 5 threads; with B's, the pool of 4 falls behind by about 30 calls a second.
    return new LabPlan(topology, LoadSpec.constant(Plans.RATE, DURATION, Duration.ofSeconds(1)),
        Plans.throughout("a", DURATION, new FaultSpec.SlowDown(ServiceTime.fixed(Duration.ofMillis(50)))),
        naive, blastwall);
  }

  @Test
  void aSharedPoolMakesTheHealthyUpstreamWaitAndBulkheadsDoNot() {
    ModeRun naive = LabRunner.run(plan(), Mode.NAIVE, 13, RunProgress.NONE);
    ModeRun blastwall = LabRunner.run(plan(), Mode.BLASTWALL, 13, RunProgress.NONE);

    EdgeStats naiveB = edge(naive, "gateway", "b");
    EdgeStats blastwallB = edge(blastwall, "gateway", "b");
    // B answers in 2 ms; naive calls to it queue behind A's for hundreds of milliseconds.
    assertThat(naiveB.p50Ms()).isGreaterThan(100);
    assertThat(naiveB.p50Ms()).isGreaterThan(5 * blastwallB.p50Ms());
    assertThat(naiveB.p99Ms()).isGreaterThan(2 * blastwallB.p99Ms());
    assertThat(blastwallB.failed()).isZero();
    // Accounting: every call the gateway made to B is in the edge, once, and in its per-second series.
    for (ModeRun run : List.of(naive, blastwall)) {
      EdgeStats b = edge(run, "gateway", "b");
      assertThat(b.calls()).isEqualTo(Counts.count(run, "b.arrivals"));
      assertThat(b.series().stream().mapToLong(EdgePoint::calls).sum()).isEqualTo(b.calls());
      assertThat(b.series()).hasSameSizeAs(Counts.points(run, "gateway"));
      assertThat(edge(run, "gateway", "a").calls()).isPositive();
    }
  }
}
