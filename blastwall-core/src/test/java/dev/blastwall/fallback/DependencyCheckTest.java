package dev.blastwall.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DependencyCheckTest {

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final Pipeline pipeline = Pipeline.builder("authz").ticker(ticker).scheduler(scheduler).build();
  private final RemoteFailure unavailable = new RemoteFailure(FailureKind.UNAVAILABLE, "authz down");

  @Test
  void failClosedDeniesWhenTheDependencyFails() {
    DependencyCheck authz = DependencyCheck.builder("authz", Posture.FAIL_CLOSED).build();

    Answer<Boolean> decision = authz.decide(pipeline, () -> {
      throw unavailable;
    });

    assertThat(decision).isEqualTo(Answer.degraded(false, "authz unavailable: failing closed", unavailable));
    assertThat(authz.check(pipeline, () -> {
      throw unavailable;
    })).isFalse();
  }

  @Test
  void failOpenAllowsWhenTheDependencyFails() {
    DependencyCheck fraud = DependencyCheck.builder("fraud-check", Posture.FAIL_OPEN).build();

    Answer<Boolean> decision = fraud.decide(pipeline, Idempotency.IDEMPOTENT, () -> {
      throw unavailable;
    });

    assertThat(decision).isEqualTo(Answer.degraded(true, "fraud-check unavailable: failing open", unavailable));
    assertThat(fraud.check(pipeline, Idempotency.IDEMPOTENT, () -> {
      throw unavailable;
    })).isTrue();
  }

  @Test
  void theDependencysOwnAnswerIsRealWhateverThePosture() {
    DependencyCheck open = DependencyCheck.builder("fraud-check", Posture.FAIL_OPEN).build();
    DependencyCheck closed = DependencyCheck.builder("authz", Posture.FAIL_CLOSED).build();

    assertThat(open.decide(pipeline, () -> false)).isEqualTo(Answer.ok(false));
    assertThat(closed.decide(pipeline, () -> true)).isEqualTo(Answer.ok(true));
    assertThat(open.check(pipeline, () -> false)).isFalse();
    assertThat(closed.check(pipeline, () -> true)).isTrue();
  }

  @Test
  void aSlowDependencyGetsThePostureAtTheDeadline() {
    Pipeline bounded = Pipeline.builder("authz").ticker(ticker).scheduler(scheduler)
        .timeout(Duration.ofMillis(100)).build();
    DependencyCheck authz = DependencyCheck.builder("authz", Posture.FAIL_CLOSED).build();

    Answer<Boolean> decision = authz.decide(bounded, () -> {
      scheduler.sleep(Duration.ofMillis(500).toNanos());
      return true;
    });

    assertThat(decision.value()).isFalse();
    assertThat(decision.degraded()).isTrue();
    assertThat(decision.cause()).isInstanceOf(DeadlineExceededException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void anInterruptGetsThePostureAndStaysVisible() {
    DependencyCheck authz = DependencyCheck.builder("authz", Posture.FAIL_CLOSED).build();
    InterruptedException interrupted = new InterruptedException("shutting down");

    Answer<Boolean> decision = authz.decide(pipeline, () -> {
      throw interrupted;
    });

    assertThat(Thread.interrupted()).isTrue();
    assertThat(decision).isEqualTo(Answer.degraded(false, "authz unavailable: failing closed", interrupted));
  }

  @Test
  void asyncDecisions() throws Exception {
    DependencyCheck authz = DependencyCheck.builder("authz", Posture.FAIL_CLOSED)
        .reason("authz unreachable: denied")
        .build();
    CompletableFuture<Boolean> slow = new CompletableFuture<>();
    scheduler.schedule(() -> slow.completeExceptionally(unavailable), Duration.ofMillis(20).toNanos());

    CompletableFuture<Answer<Boolean>> failed = authz.decideAsync(pipeline, () -> slow);
    CompletableFuture<Answer<Boolean>> allowed =
        authz.decideAsync(pipeline, Idempotency.IDEMPOTENT, () -> CompletableFuture.completedFuture(true));

    assertThat(allowed.get()).isEqualTo(Answer.ok(true));
    assertThat(failed).isNotDone();
    scheduler.advance(Duration.ofMillis(20));
    assertThat(failed.get()).isEqualTo(Answer.degraded(false, "authz unreachable: denied", unavailable));
  }

  @Test
  @SuppressWarnings("NullAway") // Passes the null that code outside null checking could.
  void theBuilderRefusesToBuildWithoutAPosture() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> DependencyCheck.builder("authz", null))
        .withMessage("posture: null (expected: FAIL_OPEN or FAIL_CLOSED, chosen explicitly)");
  }

  @Test
  void badConfigurationIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> DependencyCheck.builder(" ", Posture.FAIL_OPEN))
        .withMessage("name: \" \" (expected: a non-blank name)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> DependencyCheck.builder("authz", Posture.FAIL_CLOSED).reason(""))
        .withMessage("reason: \"\" (expected: a non-blank reason)");
    assertThatIllegalStateException()
        .isThrownBy(() -> DependencyCheck.builder("authz", Posture.FAIL_CLOSED).reason("a").reason("b"))
        .withMessage("reason was already set (expected: set once)");
  }

  @Test
  void describesItself() {
    DependencyCheck authz = DependencyCheck.builder("authz", Posture.FAIL_CLOSED).build();

    assertThat(authz.name()).isEqualTo("authz");
    assertThat(authz.posture()).isEqualTo(Posture.FAIL_CLOSED);
    assertThat(authz).hasToString("DependencyCheck[authz, FAIL_CLOSED]");
  }
}
