package dev.blastwall.lab.run;

import static dev.blastwall.lab.run.Counts.count;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A payments service commits and then loses a fifth of its answers; its caller retries. Naive retries commit again
 * (duplicates); Blastwall's keyed retries get the stored answer from the service's idempotency store.
 */
class IdempotencyTest {

  private static final long SEED = 11;
  private static final Duration DURATION = Duration.ofSeconds(2);

  private static LabPlan plan() {
    Topology topology = Topology.of(
        Plans.service("gateway").call(Dependency.required("payments").notIdempotent()).build(),
        Plans.service("payments").build());
    // A budget that never runs dry in 2 s, so every lost answer is retried and the test sees the store at work.
    BlastwallSetup setup = new BlastwallSetup(4, Duration.ofMillis(1), Duration.ofMillis(5), 1, 100, 0.9, 100,
        Duration.ofSeconds(1), Duration.ofSeconds(1), Map.of(), Set.of(), Map.of(), true);
    return Plans.plan(topology, DURATION,
        Plans.throughout("payments", DURATION, new FaultSpec.ResponseLost(0.2)), setup);
  }

  @Test
  void naiveRetriesAfterALostResponseCommitAgain() {
    ModeRun run = LabRunner.run(plan(), Mode.NAIVE, SEED, RunProgress.NONE);

    long users = run.user().overall().userRequests();
    long committed = count(run, "payments.committed");
    long duplicates = count(run, "payments.duplicates");
    // Every lost answer is retried and committed again, but the last of the 4 attempts: as many duplicates as lost
    // answers, about 0.2 + 0.04 + ... = 25% of the users' payments.
    assertThat(duplicates).isEqualTo(count(run, "payments.failed") - count(run, "gateway.failed"));
    assertThat((double) duplicates / users).isBetween(0.1, 0.45);
    assertThat(count(run, "payments.unique_committed")).isEqualTo(committed - duplicates);
    assertThat(count(run, "payments.unique_committed")).isBetween(users - 2, users);
    assertThat(count(run, "gateway.duplicates")).isZero();
  }

  @Test
  void blastwallKeyedRetriesGetTheStoredAnswerAndCommitEachPaymentOnce() {
    ModeRun run = LabRunner.run(plan(), Mode.BLASTWALL, SEED, RunProgress.NONE);

    long users = run.user().overall().userRequests();
    assertThat(count(run, "payments.duplicates")).isZero();
    assertThat(count(run, "payments.committed")).isEqualTo(count(run, "payments.unique_committed"));
    // Retried (the key makes the call safe to repeat), answered from the store without a second commit.
    assertThat(count(run, "gateway.retries")).isGreaterThan(users / 10);
    assertThat(count(run, "payments.arrivals")).isGreaterThan(count(run, "payments.committed"));
    assertThat(run.user().overall().successRate()).isGreaterThan(0.99);
    assertThat(count(run, "payments.committed")).isBetween(users - 2, users);
  }
}
