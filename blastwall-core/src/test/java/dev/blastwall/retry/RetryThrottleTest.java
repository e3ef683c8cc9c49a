package dev.blastwall.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RetryThrottleTest {

  @Test
  void startsFull() {
    RetryThrottle throttle = RetryBudget.throttle(10, 0.1);

    assertThat(throttle.maxTokens()).isEqualTo(10);
    assertThat(throttle.tokenRatio()).isEqualTo(0.1);
    assertThat(throttle.balance()).isEqualTo(10.0);
    assertThat(throttle.tryAcquireRetry()).isTrue();
  }

  @Test
  void a6WorkedExample() {
    RetryThrottle throttle = RetryThrottle.of(10, 0.1);

    for (int failure = 1; failure <= 4; failure++) {
      throttle.onAttemptFailed();
      assertThat(throttle.balance()).as("after failure %d", failure).isEqualTo(10.0 - failure);
      assertThat(throttle.tryAcquireRetry()).as("after failure %d", failure).isTrue();
    }

    throttle.onAttemptFailed();
    assertThat(throttle.balance()).isEqualTo(5.0);
    assertThat(throttle.tryAcquireRetry()).as("5 is not more than 10 / 2").isFalse();

    throttle.onAttemptSucceeded();
    assertThat(throttle.balance()).isEqualTo(5.1);
    assertThat(throttle.tryAcquireRetry()).isTrue();
  }

  @Test
  void acquiringWithdrawsNothingAndRequestsCountForNothing() {
    RetryThrottle throttle = RetryThrottle.of(10, 0.1);

    for (int i = 0; i < 1000; i++) {
      assertThat(throttle.tryAcquireRetry()).isTrue();
      throttle.onRequest();
    }

    assertThat(throttle.balance()).isEqualTo(10.0);
  }

  @Test
  void tokensDoNotGoBelowZero() {
    RetryThrottle throttle = RetryThrottle.of(3, 0.5);

    for (int i = 0; i < 10; i++) {
      throttle.onAttemptFailed();
    }
    assertThat(throttle.balance()).isZero();

    throttle.onAttemptSucceeded();
    assertThat(throttle.balance()).isEqualTo(0.5);
    throttle.onAttemptFailed();
    assertThat(throttle.balance()).isZero();
  }

  @Test
  void tokensDoNotExceedTheMaximum() {
    RetryThrottle throttle = RetryThrottle.of(3, 0.75);

    throttle.onAttemptSucceeded();
    assertThat(throttle.balance()).isEqualTo(3.0);

    throttle.onAttemptFailed();
    throttle.onAttemptSucceeded();
    assertThat(throttle.balance()).isEqualTo(2.75);
    throttle.onAttemptSucceeded();
    assertThat(throttle.balance()).isEqualTo(3.0);
  }

  @Test
  void anOddMaximumHasAHalfTokenThreshold() {
    RetryThrottle throttle = RetryThrottle.of(3, 0.5);

    throttle.onAttemptFailed();
    assertThat(throttle.tryAcquireRetry()).as("2 > 1.5").isTrue();
    throttle.onAttemptFailed();
    throttle.onAttemptSucceeded();
    assertThat(throttle.balance()).isEqualTo(1.5);
    assertThat(throttle.tryAcquireRetry()).as("1.5 is not more than 1.5").isFalse();
    throttle.onAttemptSucceeded();
    assertThat(throttle.tryAcquireRetry()).isTrue();
  }

  @Test
  void manySmallRefillsDoNotDrift() {
    RetryThrottle throttle = RetryThrottle.of(1000, 0.001);
    for (int i = 0; i < 1000; i++) {
      throttle.onAttemptFailed();
    }

    for (int i = 0; i < 500_000; i++) {
      throttle.onAttemptSucceeded();
    }

    assertThat(throttle.balance()).isEqualTo(500.0);
    assertThat(throttle.tryAcquireRetry()).isFalse();
    throttle.onAttemptSucceeded();
    assertThat(throttle.tryAcquireRetry()).isTrue();
  }

  @Test
  void boundsAreAccepted() {
    assertThat(RetryThrottle.of(1, 0.001).balance()).isEqualTo(1.0);
    assertThat(RetryThrottle.of(1000, 1.0).balance()).isEqualTo(1000.0);
    assertThat(RetryThrottle.of(7, 0.123).tokenRatio()).isEqualTo(0.123);
    for (int thousandths = 1; thousandths <= 1000; thousandths++) {
      double ratio = thousandths / 1000.0;
      assertThat(RetryThrottle.of(1, ratio).tokenRatio()).isEqualTo(ratio);
    }
  }

  @Test
  void validationMessages() {
    assertThatThrownBy(() -> RetryThrottle.of(0, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxTokens: 0 (expected: 1 <= maxTokens <= 1000)");
    assertThatThrownBy(() -> RetryThrottle.of(1001, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxTokens: 1001 (expected: 1 <= maxTokens <= 1000)");
    assertThatThrownBy(() -> RetryThrottle.of(10, 0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenRatio: 0.0 (expected: 0 < tokenRatio <= 1, at most 3 decimal places)");
    assertThatThrownBy(() -> RetryThrottle.of(10, 1.001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenRatio: 1.001 (expected: 0 < tokenRatio <= 1, at most 3 decimal places)");
    assertThatThrownBy(() -> RetryThrottle.of(10, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenRatio: NaN (expected: 0 < tokenRatio <= 1, at most 3 decimal places)");
    assertThatThrownBy(() -> RetryThrottle.of(10, 0.0005))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenRatio: 5.0E-4 (expected: 0 < tokenRatio <= 1, at most 3 decimal places)");
    assertThatThrownBy(() -> RetryThrottle.of(10, 0.1234))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenRatio: 0.1234 (expected: 0 < tokenRatio <= 1, at most 3 decimal places)");
  }
}
