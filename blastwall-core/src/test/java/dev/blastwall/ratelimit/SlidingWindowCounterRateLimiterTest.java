package dev.blastwall.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlidingWindowCounterRateLimiterTest {

  private static final long MS = 1_000_000;
  private static final long SECOND = 1_000 * MS;

  private static SlidingWindowCounterRateLimiter counter(FakeTicker ticker, int limit, Duration window) {
    return SlidingWindowCounterRateLimiter.builder(limit, window).ticker(ticker).build();
  }

  @ParameterizedTest
  @ValueSource(longs = {0, Long.MAX_VALUE - 500 * MS})
  void weighsThePreviousWindowByItsOverlapToTheNanosecond(long start) {
    FakeTicker ticker = new FakeTicker(start);
    SlidingWindowCounterRateLimiter limiter = counter(ticker, 10, Duration.ofSeconds(1));

    assertThat(limiter.tryAcquire(10)).isZero();
    // In the next window the 10 weigh ceil(10 * (1 s - elapsed) / 1 s): 9 from 100 ms in, so one fits there.
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(1100 * MS);
    assertThat(limiter.nanosUntilNextPermit()).isEqualTo(1100 * MS);

    ticker.advanceNanos(1100 * MS - 1);
    assertThat(limiter.availablePermits()).isZero();
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(1);
    ticker.advanceNanos(1);
    assertThat(limiter.availablePermits()).isEqualTo(1);
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(100 * MS);

    ticker.advance(Duration.ofMillis(400));
    assertThat(limiter.availablePermits()).isEqualTo(4);
    assertThat(limiter.tryAcquire(4)).isZero();
    assertThat(limiter.tryAcquire()).isNegative();
  }

  @Test
  void admitsTheLimitInEachFixedWindowWhenThePreviousWasEmpty() {
    FakeTicker ticker = new FakeTicker();
    SlidingWindowCounterRateLimiter limiter = counter(ticker, 5, Duration.ofSeconds(1));
    ticker.advanceNanos(SECOND - 1);
    assertThat(limiter.tryAcquire(5)).isZero();
    assertThat(limiter.tryAcquire()).isNegative();

    // Two windows later neither count weighs any more.
    ticker.advanceNanos(SECOND + 1);
    assertThat(limiter.availablePermits()).isEqualTo(5);
    assertThat(limiter.tryAcquire(5)).isZero();
  }

  @Test
  void reservationsAreBookedIntoTheNextWindowAndPaced() {
    FakeTicker ticker = new FakeTicker();
    SlidingWindowCounterRateLimiter limiter = counter(ticker, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isZero();

    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waits.add(limiter.tryAcquire(1, 3 * SECOND));
    }
    assertThat(waits).containsExactly(1100 * MS, 1200 * MS, 1300 * MS);
    assertThat(limiter.availablePermits()).isZero();

    // Once the window turns, the bookings count in it and newcomers line up behind them.
    ticker.advance(Duration.ofMillis(1100));
    assertThat(limiter.tryAcquire(1, SECOND)).isEqualTo(300 * MS);
  }

  @Test
  void aWaitBeyondTheNextWindowIsRefusedWhateverTheCallerAllows() {
    FakeTicker ticker = new FakeTicker();
    SlidingWindowCounterRateLimiter limiter = counter(ticker, 1, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire()).isZero();

    // A count of 1 weighs 1 throughout the next window, so the earliest slot is two windows away.
    long refused = limiter.tryAcquire(1, 10 * SECOND);
    assertThat(RateLimiter.retryAfterNanos(refused)).isEqualTo(2 * SECOND);
    ticker.advance(Duration.ofSeconds(2));
    assertThat(limiter.tryAcquire()).isZero();
  }

  @Test
  void bookingsCarryOverAWindowNobodyVisited() {
    FakeTicker ticker = new FakeTicker();
    SlidingWindowCounterRateLimiter limiter = counter(ticker, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isZero();
    assertThat(limiter.tryAcquire(1, 2 * SECOND)).isEqualTo(1100 * MS);

    // Window 1 held only the booked permit; at 2.05 s it weighs ceil(1 * 0.95) = 1.
    ticker.advance(Duration.ofMillis(2050));
    assertThat(limiter.availablePermits()).isEqualTo(9);
    assertThat(limiter.tryAcquire(9)).isZero();
    assertThat(limiter.tryAcquire()).isNegative();
  }

  @Test
  void handlesLongWindowsWithLargeLimitsExactly() {
    FakeTicker ticker = new FakeTicker();
    int limit = SlidingWindowCounterRateLimiter.MAX_LIMIT;
    SlidingWindowCounterRateLimiter limiter = counter(ticker, limit, Duration.ofDays(3650));
    assertThat(limiter.tryAcquire(limit)).isZero();
    ticker.advance(Duration.ofDays(3650 + 1825));
    // Half way through the next window, half the previous count weighs.
    assertThat(limiter.availablePermits()).isEqualTo(limit / 2);
  }

  @Test
  void reportsItsConfiguration() {
    FakeTicker ticker = new FakeTicker();
    SlidingWindowCounterRateLimiter limiter = counter(ticker, 100, Duration.ofSeconds(10));
    assertThat(limiter.limit()).isEqualTo(100);
    assertThat(limiter.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(limiter).hasToString("SlidingWindowCounterRateLimiter[100 per PT10S]");
    assertThat(limiter.tryAcquire(100)).isZero();
    assertThat(limiter.rejection("geo", "k", 1, -1).getMessage())
        .startsWith("geo: rate-limiter: sliding window counter 'k': 0 of 100 permits, next in 10100.0 ms");
  }

  @Test
  void validatesTheConfiguration() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SlidingWindowCounterRateLimiter.builder(SlidingWindowCounterRateLimiter.MAX_LIMIT + 1,
            Duration.ofSeconds(1)))
        .withMessage("limit: 1073741825 (expected: 1 <= limit <= 1073741824)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SlidingWindowCounterRateLimiter.builder(1, Duration.ZERO))
        .withMessageStartingWith("window: PT0S (expected: PT0.001S <= window <= ");
  }
}
