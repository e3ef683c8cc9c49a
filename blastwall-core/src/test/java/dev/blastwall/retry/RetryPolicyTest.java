package dev.blastwall.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.FailureKind;
import java.time.Duration;
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

  @Test
  void aRequestThatDidNotRun_mayBeRetriedForAnyOperation_onTheTryAgainKindsOnly() {
    RetryPolicy policy = RetryPolicy.defaults();

    for (FailureKind tryAgain : new FailureKind[] {FailureKind.UNAVAILABLE, FailureKind.OVERLOADED,
        FailureKind.TIMEOUT}) {
      assertThat(policy.isRetryable(tryAgain, Idempotency.NON_IDEMPOTENT, true)).as(tryAgain.name()).isTrue();
      assertThat(policy.isRetryable(tryAgain, Idempotency.NON_IDEMPOTENT, false)).as(tryAgain.name()).isFalse();
    }
    for (FailureKind never : new FailureKind[] {FailureKind.INTERNAL, FailureKind.INVALID,
        FailureKind.DEADLINE_EXCEEDED, FailureKind.CANCELLED, FailureKind.UNKNOWN}) {
      assertThat(policy.isRetryable(never, Idempotency.NON_IDEMPOTENT, true)).as(never.name()).isFalse();
    }
    // Not having run never makes a failure less retryable than it was.
    assertThat(policy.isRetryable(FailureKind.INTERNAL, Idempotency.IDEMPOTENT, true)).isTrue();
  }

  @Test
  void retryAfterHints_areHonouredUpTo10s_andNeverPastTheBackoffsCap() {
    assertThat(RetryPolicy.MAX_RETRY_AFTER).isEqualTo(Duration.ofSeconds(10));
    assertThat(RetryPolicy.defaults().maxRetryAfterNanos()).isEqualTo(Duration.ofSeconds(10).toNanos());
    assertThat(withBackoff(Backoff.exponentialFullJitter(Duration.ofMillis(10), Duration.ofMillis(200)))
        .maxRetryAfterNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(withBackoff(Backoff.decorrelatedJitter(Duration.ofMillis(10), Duration.ofSeconds(1)))
        .maxRetryAfterNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(withBackoff(Backoff.exponentialEqualJitter(Duration.ofMillis(10), Duration.ofMinutes(5)))
        .maxRetryAfterNanos()).as("a longer cap does not lift the maximum").isEqualTo(Duration.ofSeconds(10).toNanos());
    // A constant wait is not a cap: a pushback longer than it is still honoured, up to the maximum.
    assertThat(withBackoff(Backoff.constant(Duration.ofMillis(5))).maxRetryAfterNanos())
        .isEqualTo(Duration.ofSeconds(10).toNanos());
    assertThat(withBackoff(Backoff.none()).maxRetryAfterNanos()).isEqualTo(Duration.ofSeconds(10).toNanos());
    assertThat(withBackoff((retry, previous, random) -> 1).maxRetryAfterNanos())
        .isEqualTo(Duration.ofSeconds(10).toNanos());
  }

  private static RetryPolicy withBackoff(Backoff backoff) {
    return RetryPolicy.builder().backoff(backoff).build();
  }
}
