package dev.blastwall.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeakyBucketRateLimiterTest {

  private static final long MS = 1_000_000;
  private static final long SECOND = 1_000 * MS;

  private final FakeTicker ticker = new FakeTicker();

  private LeakyBucketRateLimiter tenPerSecond() {
    return LeakyBucketRateLimiter.builder(10, Duration.ofSeconds(1)).ticker(ticker).build();
  }

  @Test
  void admitsOneCallPerIntervalWithoutBursts() {
    LeakyBucketRateLimiter limiter = tenPerSecond();

    assertThat(limiter.availablePermits()).isEqualTo(1);
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.availablePermits()).isZero();
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(100 * MS);

    ticker.advanceNanos(100 * MS - 1);
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(1);
    ticker.advanceNanos(1);
    assertThat(limiter.tryAcquire()).isZero();

    // A long pause does not save up a burst.
    ticker.advance(Duration.ofMinutes(1));
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isNegative();
  }

  @Test
  void queuesWaitersOnePerInterval() {
    LeakyBucketRateLimiter limiter = tenPerSecond();
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waits.add(limiter.tryAcquire(1, SECOND));
    }
    assertThat(waits).containsExactly(0L, 100 * MS, 200 * MS, 300 * MS, 400 * MS);
    assertThat(limiter.nanosUntilNextPermit()).isEqualTo(500 * MS);
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire(1, 499 * MS))).isEqualTo(500 * MS);
  }

  @Test
  void theMaximumQueueDelayBoundsEveryWait() {
    LeakyBucketRateLimiter limiter = LeakyBucketRateLimiter.builder(10, Duration.ofSeconds(1))
        .maxQueueDelay(Duration.ofMillis(250)).ticker(ticker).build();

    assertThat(limiter.tryAcquire(1, SECOND)).isZero();
    assertThat(limiter.tryAcquire(1, SECOND)).isEqualTo(100 * MS);
    assertThat(limiter.tryAcquire(1, SECOND)).isEqualTo(200 * MS);
    long refused = limiter.tryAcquire(1, SECOND);
    assertThat(RateLimiter.retryAfterNanos(refused)).isEqualTo(300 * MS);

    ticker.advance(Duration.ofMillis(50));
    assertThat(limiter.tryAcquire(1, SECOND)).isEqualTo(250 * MS);
  }

  @Test
  void aZeroQueueDelayMakesAPureMeter() {
    LeakyBucketRateLimiter limiter = LeakyBucketRateLimiter.builder(10, Duration.ofSeconds(1))
        .maxQueueDelay(Duration.ZERO).ticker(ticker).build();
    assertThat(limiter.tryAcquire(1, SECOND)).isZero();
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire(1, SECOND))).isEqualTo(100 * MS);
  }

  @Test
  void severalPermitsTakeConsecutiveSlotsAndGoAtTheLast() {
    LeakyBucketRateLimiter limiter = tenPerSecond();
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire(3))).isEqualTo(200 * MS);
    assertThat(limiter.tryAcquire(3, SECOND)).isEqualTo(200 * MS);
    assertThat(limiter.tryAcquire(1, SECOND)).isEqualTo(300 * MS);
  }

  @Test
  void reportsItsConfiguration() {
    LeakyBucketRateLimiter limiter = tenPerSecond();
    assertThat(limiter.limit()).isEqualTo(10);
    assertThat(limiter.window()).isEqualTo(Duration.ofSeconds(1));
    assertThat(limiter).hasToString("LeakyBucketRateLimiter[10 per PT1S, maxQueueDelay=none]");
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.rejection("search", "api", 2, -1).getMessage())
        .startsWith("search: rate-limiter: leaky bucket 'api': 0 of 10 permits, next in 100.0 ms");
  }

  @Test
  void validatesTheConfiguration() {
    assertThatIllegalArgumentException().isThrownBy(() -> LeakyBucketRateLimiter.builder(0, Duration.ofSeconds(1)))
        .withMessage("permits: 0 (expected: 1 <= permits <= 2147483647)");
    assertThatIllegalArgumentException().isThrownBy(() -> LeakyBucketRateLimiter.builder(1, Duration.ofNanos(-1)))
        .withMessageStartingWith("period: PT-0.000000001S (expected: ");
    LeakyBucketRateLimiter.Builder builder = LeakyBucketRateLimiter.builder(1, Duration.ofSeconds(1));
    assertThatIllegalArgumentException().isThrownBy(() -> builder.maxQueueDelay(Duration.ofMillis(-1)))
        .withMessageStartingWith("maxQueueDelay: PT-0.001S (expected: ");
    builder.maxQueueDelay(Duration.ZERO);
    assertThatIllegalStateException().isThrownBy(() -> builder.maxQueueDelay(Duration.ZERO))
        .withMessage("maxQueueDelay was already set (expected: set once)");
  }
}
