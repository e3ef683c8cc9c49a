package dev.blastwall.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenBucketRateLimiterTest {

  private static final long MS = 1_000_000;

  private static TokenBucketRateLimiter bucket(FakeTicker ticker, int capacity, int permits, Duration period) {
    return TokenBucketRateLimiter.builder(capacity, permits, period).ticker(ticker).build();
  }

  /** Starting near the largest reading proves the bucket copes with the ticker wrapping around. */
  @ParameterizedTest
  @ValueSource(longs = {0, Long.MAX_VALUE - 150 * MS})
  void admitsTheCapacityThenOnePermitPerIntervalToTheNanosecond(long start) {
    FakeTicker ticker = new FakeTicker(start);
    TokenBucketRateLimiter limiter = bucket(ticker, 3, 1, Duration.ofMillis(100));

    assertThat(limiter.availablePermits()).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire()).isZero();
    }
    long refused = limiter.tryAcquire();
    assertThat(RateLimiter.isGranted(refused)).isFalse();
    assertThat(RateLimiter.retryAfterNanos(refused)).isEqualTo(100 * MS);
    assertThat(limiter.nanosUntilNextPermit()).isEqualTo(100 * MS);
    assertThat(limiter.availablePermits()).isZero();

    ticker.advanceNanos(100 * MS - 1);
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(1);
    assertThat(limiter.nanosUntilNextPermit()).isEqualTo(1);
    ticker.advanceNanos(1);
    assertThat(limiter.nanosUntilNextPermit()).isZero();
    assertThat(limiter.availablePermits()).isEqualTo(1);
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(100 * MS);
  }

  @Test
  void refillsContinuouslyAndNeverAboveCapacity() {
    FakeTicker ticker = new FakeTicker();
    TokenBucketRateLimiter limiter = bucket(ticker, 10, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isZero();

    ticker.advance(Duration.ofMillis(350));
    assertThat(limiter.availablePermits()).isEqualTo(3);
    ticker.advance(Duration.ofMillis(49));
    assertThat(limiter.availablePermits()).isEqualTo(3);
    ticker.advance(Duration.ofMillis(1));
    assertThat(limiter.availablePermits()).isEqualTo(4);

    ticker.advance(Duration.ofHours(1));
    assertThat(limiter.availablePermits()).isEqualTo(10);
    assertThat(limiter.tryAcquire(10)).isZero();
    assertThat(limiter.tryAcquire()).isNegative();
  }

  @Test
  void reservationsPaceConcurrentWaitersEvenly() {
    FakeTicker ticker = new FakeTicker();
    TokenBucketRateLimiter limiter = bucket(ticker, 1, 10, Duration.ofSeconds(1));

    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waits.add(limiter.tryAcquire(1, Duration.ofSeconds(1).toNanos()));
    }

    assertThat(waits).containsExactly(0L, 100 * MS, 200 * MS, 300 * MS, 400 * MS);
    assertThat(limiter.nanosUntilNextPermit()).isEqualTo(500 * MS);
  }

  @Test
  void reservationsOnAnEmptyBucketBookFutureRefills() {
    FakeTicker ticker = new FakeTicker();
    TokenBucketRateLimiter limiter = bucket(ticker, 10, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isZero();

    for (int i = 1; i <= 5; i++) {
      assertThat(limiter.tryAcquire(1, Long.MAX_VALUE)).isEqualTo(i * 100L * MS);
    }
    // Reserved permits are spent: a caller who will not wait is refused until the last booking is paid off.
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(600 * MS);
  }

  @Test
  void refusesWhenTheNeededWaitExceedsMaxWaitAndTakesNothing() {
    FakeTicker ticker = new FakeTicker();
    TokenBucketRateLimiter limiter = bucket(ticker, 1, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire()).isZero();

    long refused = limiter.tryAcquire(1, 100 * MS - 1);
    assertThat(RateLimiter.retryAfterNanos(refused)).isEqualTo(100 * MS);
    assertThat(limiter.tryAcquire(1, 100 * MS)).isEqualTo(100 * MS);
  }

  @Test
  void severalPermitsAtOnceNeedThemAll() {
    FakeTicker ticker = new FakeTicker();
    TokenBucketRateLimiter limiter = bucket(ticker, 10, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(7)).isZero();
    assertThat(limiter.availablePermits()).isEqualTo(3);

    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire(4))).isEqualTo(100 * MS);
    assertThat(limiter.tryAcquire(3)).isZero();
    assertThat(limiter.tryAcquire(10, Long.MAX_VALUE)).isEqualTo(Duration.ofSeconds(1).toNanos());
  }

  @Test
  void roundsAnUnevenIntervalUpSoTheRateIsNeverExceeded() {
    FakeTicker ticker = new FakeTicker();
    TokenBucketRateLimiter limiter = bucket(ticker, 1, 3, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.nanosUntilNextPermit()).isEqualTo(333_333_334);
    assertThat(limiter.window()).isEqualTo(Duration.ofNanos(333_333_334));
  }

  @Test
  void reportsLimitAndWindowForHeaders() {
    TokenBucketRateLimiter limiter = bucket(new FakeTicker(), 100, 10, Duration.ofSeconds(1));
    assertThat(limiter.limit()).isEqualTo(100);
    assertThat(limiter.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(limiter).hasToString("TokenBucketRateLimiter[capacity=100, refill=10 per PT1S]");
  }

  @Test
  void rejectionNamesTheKeyAndCarriesTheRetryAfter() {
    FakeTicker ticker = new FakeTicker();
    TokenBucketRateLimiter limiter = bucket(ticker, 100, 80, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(100)).isZero();

    var rejection = limiter.rejection("billing", "tenant-42", 1, 5_000 * MS, limiter.tryAcquire());
    assertThat(rejection.getMessage()).isEqualTo("billing: rate-limiter: token bucket 'tenant-42': 0 of 100 "
        + "permits, next in 12.5 ms (attempts: 1, deadline: 5000.0 ms left)");
    assertThat(rejection.retryAfterNanos()).isEqualTo(12_500_000);
    assertThat(limiter.rejection("billing", "tenant-42", 1, 0).retryAfterNanos()).isEqualTo(12_500_000);
    assertThatIllegalArgumentException().isThrownBy(() -> limiter.rejection("billing", "t", 1, 0, 0))
        .withMessage("refusal: 0 (expected: a refused answer of tryAcquire, < 0)");
  }

  @Test
  void rejectsBadArguments() {
    TokenBucketRateLimiter limiter = bucket(new FakeTicker(), 10, 1, Duration.ofSeconds(1));
    assertThatIllegalArgumentException().isThrownBy(() -> limiter.tryAcquire(11))
        .withMessage("permits: 11 (expected: 1 <= permits <= 10)");
    assertThatIllegalArgumentException().isThrownBy(() -> limiter.tryAcquire(0))
        .withMessage("permits: 0 (expected: 1 <= permits <= 10)");
    assertThatIllegalArgumentException().isThrownBy(() -> limiter.tryAcquire(1, -1))
        .withMessage("maxWaitNanos: -1 (expected: >= 0)");
  }

  @Test
  void validatesTheConfiguration() {
    assertThatIllegalArgumentException().isThrownBy(() -> TokenBucketRateLimiter.builder(0, 1, Duration.ofSeconds(1)))
        .withMessage("capacity: 0 (expected: 1 <= capacity <= 2147483647)");
    assertThatIllegalArgumentException().isThrownBy(() -> TokenBucketRateLimiter.builder(1, 0, Duration.ofSeconds(1)))
        .withMessage("refillPermits: 0 (expected: 1 <= refillPermits <= 2147483647)");
    assertThatIllegalArgumentException().isThrownBy(() -> TokenBucketRateLimiter.builder(1, 1, Duration.ZERO))
        .withMessageStartingWith("refillPeriod: PT0S (expected: ");
    assertThatIllegalArgumentException().isThrownBy(() -> TokenBucketRateLimiter.builder(1, 2, Duration.ofNanos(1)))
        .withMessage("refillPermits: 2 (expected: <= 1 for a period of PT0.000000001S: at most one permit per "
            + "nanosecond)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TokenBucketRateLimiter.builder(Integer.MAX_VALUE, 1, Duration.ofDays(365)))
        .withMessageStartingWith("capacity: 2147483647 (expected: a bucket that refills within ");
    TokenBucketRateLimiter.Builder builder = TokenBucketRateLimiter.builder(1, 1, Duration.ofSeconds(1))
        .ticker(new FakeTicker());
    assertThatIllegalStateException().isThrownBy(() -> builder.ticker(new FakeTicker()))
        .withMessage("ticker was already set (expected: set once)");
  }

  @Test
  void aDecisionUsesTheCallersClockReadingOnlyWhenItComesFromTheBucketsOwnTicker() {
    FakeTicker ticker = new FakeTicker();
    TokenBucketRateLimiter bucket = TokenBucketRateLimiter.builder(1, 1, Duration.ofSeconds(1)).ticker(ticker).build();
    assertThat(bucket.tryAcquire()).isZero();

    // Empty now; a reading one second on, from the bucket's own ticker, finds it refilled.
    long later = ticker.nanos() + Duration.ofSeconds(1).toNanos();
    assertThat(bucket.tryAcquire(1, 0, new FakeTicker(), later)).isNegative();
    assertThat(bucket.tryAcquire(1, 0, ticker, later)).isZero();
  }
}
