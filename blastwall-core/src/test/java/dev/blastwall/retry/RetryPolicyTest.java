package dev.blastwall.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.FailureKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

  @Test
  void defaultsFollowTheSeed() {
    RetryPolicy policy = RetryPolicy.defaults();

    assertThat(policy.maxAttempts()).isEqualTo(3);
    assertThat(policy.backoff().toString()).contains("FullJitter").contains("PT0.1S").contains("PT10S");
    assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 11, Integer.MAX_VALUE})
  void attemptsOutsideOneToTenAreRejected(int attempts) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RetryPolicy.builder().maxAttempts(attempts))
        .withMessage("maxAttempts: " + attempts + " (expected: 1 <= maxAttempts <= 10)");
  }

  @Test
  void anOptionSetTwiceIsAMistake() {
    assertThatIllegalStateException()
        .isThrownBy(() -> RetryPolicy.builder().maxAttempts(2).maxAttempts(3))
        .withMessage("maxAttempts was already set (expected: set once)");
    assertThatIllegalStateException()
        .isThrownBy(() -> RetryPolicy.builder().backoff(Backoff.none()).backoff(Backoff.none()))
        .withMessage("backoff was already set (expected: set once)");
  }

  @ParameterizedTest
  @EnumSource(FailureKind.class)
  void nonRepeatableOperationsAreNeverRetried(FailureKind kind) {
    assertThat(RetryPolicy.defaults().isRetryable(kind, Idempotency.NON_IDEMPOTENT)).isFalse();
  }

  @Test
  void retryableKindsFollowTheSeed() {
    RetryPolicy policy = RetryPolicy.defaults();
    Idempotency keyed = Idempotency.withKey("order-17");

    assertThat(policy.isRetryable(FailureKind.UNAVAILABLE, keyed)).isTrue();
    assertThat(policy.isRetryable(FailureKind.OVERLOADED, keyed)).isTrue();
    // A key makes a repeat safe to deduplicate, not a half-done mutation safe to redo.
    assertThat(policy.isRetryable(FailureKind.INTERNAL, keyed)).isFalse();
    assertThat(policy.isRetryable(FailureKind.TIMEOUT, keyed)).isFalse();
    assertThat(policy.isRetryable(FailureKind.INTERNAL, Idempotency.IDEMPOTENT)).isTrue();
    assertThat(policy.isRetryable(FailureKind.TIMEOUT, Idempotency.IDEMPOTENT)).isTrue();
    for (FailureKind never : new FailureKind[] {FailureKind.INVALID, FailureKind.DEADLINE_EXCEEDED,
        FailureKind.CANCELLED, FailureKind.UNKNOWN}) {
      assertThat(policy.isRetryable(never, Idempotency.IDEMPOTENT)).as(never.name()).isFalse();
    }
  }
}
