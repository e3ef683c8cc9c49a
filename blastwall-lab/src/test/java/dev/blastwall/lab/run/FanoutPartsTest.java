package dev.blastwall.lab.run;

import static dev.blastwall.lab.run.Counts.count;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Part outcomes at a fan-out of three: the first part always answers, the second half the time, the third never. */
class FanoutPartsTest {

  @Test
  void countsTheRequestsWhoseFirstKPartsAllSucceeded() {
    Topology topology = Topology.of(
        Plans.service("gateway").call(Dependency.required("auth")).parallel(List.of(
            Dependency.optional("a"), Dependency.optional("b"), Dependency.optional("c"))).build(),
        Plans.service("auth").build(),
        Plans.service("a").build(),
        Plans.service("b").build(),
        Plans.service("c").build());
    Duration duration = Duration.ofSeconds(2);
    // INTERNAL: naive clients do not retry it, so each part fails exactly as drawn.
    List<ScheduledFault> faults = new ArrayList<>();
    faults.addAll(Plans.throughout("b", duration, new FaultSpec.Errors(0.5, "INTERNAL")));
    faults.addAll(Plans.throughout("c", duration, new FaultSpec.Errors(1, "INTERNAL")));
    LabPlan plan = Plans.plan(topology, duration, faults, BlastwallSetup.defaults());

    ModeRun run = LabRunner.run(plan, Mode.NAIVE, 5, RunProgress.NONE);

    long requests = count(run, "gateway.requests");
    assertThat(requests).isEqualTo(run.user().overall().userRequests());
    assertThat(count(run, "gateway.first_1_ok")).isEqualTo(requests);
    assertThat((double) count(run, "gateway.first_2_ok") / requests).isBetween(0.35, 0.65);
    assertThat(count(run, "gateway.first_2_ok")).isEqualTo(count(run, "b.completed"));
    assertThat(count(run, "gateway.first_3_ok")).isZero();
    assertThat(run.counters()).doesNotContainKey("gateway.first_4_ok").doesNotContainKey("auth.requests");
    assertThat(run.user().overall().degradedRate()).isEqualTo(1.0);
  }
}
