package dev.blastwall.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

  @Test
  void grantsAreTheWaitItself() {
    assertThat(RateLimiter.isGranted(0)).isTrue();
    assertThat(RateLimiter.isGranted(42)).isTrue();
    assertThat(RateLimiter.retryAfterNanos(42)).isZero();
  }

  @Test
  void refusalsCarryTheRetryAfterShiftedByOne() {
    assertThat(RateLimiter.refusal(0)).isEqualTo(-1);
    assertThat(RateLimiter.refusal(5)).isEqualTo(-6);
    assertThat(RateLimiter.refusal(Long.MAX_VALUE)).isEqualTo(Long.MIN_VALUE);
    assertThat(RateLimiter.isGranted(RateLimiter.refusal(0))).isFalse();
    for (long retryAfter : new long[] {0, 1, 12_500_000, Long.MAX_VALUE}) {
      assertThat(RateLimiter.retryAfterNanos(RateLimiter.refusal(retryAfter))).isEqualTo(retryAfter);
    }
    assertThatIllegalArgumentException().isThrownBy(() -> RateLimiter.refusal(-1))
        .withMessage("retryAfterNanos: -1 (expected: >= 0)");
  }
}
