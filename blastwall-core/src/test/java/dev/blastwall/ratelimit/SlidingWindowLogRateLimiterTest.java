package dev.blastwall.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlidingWindowLogRateLimiterTest {

  private static final long MS = 1_000_000;
  private static final long SECOND = 1_000 * MS;

  private static SlidingWindowLogRateLimiter log(FakeTicker ticker, int limit, Duration window) {
    return SlidingWindowLogRateLimiter.builder(limit, window).ticker(ticker).build();
  }

  @ParameterizedTest
  @ValueSource(longs = {0, Long.MAX_VALUE - 500 * MS})
  void aPermitLeavesTheWindowExactlyOneWindowAfterItWasGranted(long start) {
    FakeTicker ticker = new FakeTicker(start);
    SlidingWindowLogRateLimiter limiter = log(ticker, 3, Duration.ofSeconds(1));

    assertThat(limiter.tryAcquire()).isZero();
    ticker.advance(Duration.ofMillis(100));
    assertThat(limiter.tryAcquire()).isZero();
    ticker.advance(Duration.ofMillis(100));
    assertThat(limiter.tryAcquire()).isZero();
    ticker.advance(Duration.ofMillis(100));
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(700 * MS);
    assertThat(limiter.nanosUntilNextPermit()).isEqualTo(700 * MS);
    assertThat(limiter.availablePermits()).isZero();

    ticker.advanceNanos(700 * MS - 1);
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(1);
    ticker.advanceNanos(1);
    assertThat(limiter.availablePermits()).isEqualTo(1);
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(100 * MS);
  }

  @Test
  void countsAvailablePermitsFromTheOldest() {
    FakeTicker ticker = new FakeTicker();
    SlidingWindowLogRateLimiter limiter = log(ticker, 5, Duration.ofSeconds(1));
    assertThat(limiter.availablePermits()).isEqualTo(5);
    assertThat(limiter.tryAcquire(2)).isZero();
    assertThat(limiter.availablePermits()).isEqualTo(3);
    ticker.advance(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire(3)).isZero();
    assertThat(limiter.availablePermits()).isZero();
    ticker.advance(Duration.ofMillis(500));
    assertThat(limiter.availablePermits()).isEqualTo(2);
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire(3))).isEqualTo(500 * MS);
    ticker.advance(Duration.ofMillis(500));
    assertThat(limiter.availablePermits()).isEqualTo(5);
  }

  @Test
  void reservationsArePacedWindowByWindow() {
    FakeTicker ticker = new FakeTicker();
    SlidingWindowLogRateLimiter limiter = log(ticker, 2, Duration.ofSeconds(1));

    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waits.add(limiter.tryAcquire(1, 5 * SECOND));
    }

    assertThat(waits).containsExactly(0L, 0L, SECOND, SECOND, 2 * SECOND);
    long refused = limiter.tryAcquire(1, 2 * SECOND - 1);
    assertThat(RateLimiter.retryAfterNanos(refused)).isEqualTo(2 * SECOND);
  }

  @Test
  void aReservationCountsFromWhenItProceedsNotWhenItWasMade() {
    FakeTicker ticker = new FakeTicker();
    SlidingWindowLogRateLimiter limiter = log(ticker, 2, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(2)).isZero();
    assertThat(limiter.tryAcquire(1, SECOND)).isEqualTo(SECOND);

    // At 1.5 s the booked permit (proceeding at 1 s) is in the window: only one more fits until 2 s.
    ticker.advance(Duration.ofMillis(1500));
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire())).isEqualTo(500 * MS);
  }

  @Test
  void recordsOutOfTimeOrderAreEachChecked() {
    // A thread that read the ticker before another one was granted, but is granted after it, records an
    // earlier time under a later sequence number. A ticker that can be wound back plays that thread.
    AtomicLong clock = new AtomicLong();
    SlidingWindowLogRateLimiter limiter = SlidingWindowLogRateLimiter.builder(2, Duration.ofSeconds(1))
        .ticker(clock::get).build();
    assertThat(limiter.tryAcquire(2)).isZero();
    clock.set(1500 * MS);
    assertThat(limiter.tryAcquire()).isZero();
    clock.set(1200 * MS);
    assertThat(limiter.tryAcquire()).isZero();

    // Permits 2 (at 1.5 s) and 3 (at 1.2 s) are in the way of two more: the later one decides. Checking only
    // the newer sequence would admit two here, three in the window (1.3 s, 2.3 s].
    clock.set(2300 * MS);
    assertThat(RateLimiter.retryAfterNanos(limiter.tryAcquire(2))).isEqualTo(200 * MS);
    clock.set(2500 * MS);
    assertThat(limiter.tryAcquire(2)).isZero();
  }

  @Test
  void reportsItsConfiguration() {
    FakeTicker ticker = new FakeTicker();
    SlidingWindowLogRateLimiter limiter = log(ticker, 100, Duration.ofMinutes(1));
    assertThat(limiter.limit()).isEqualTo(100);
    assertThat(limiter.window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(limiter).hasToString("SlidingWindowLogRateLimiter[100 per PT1M]");
    assertThat(limiter.tryAcquire(100)).isZero();
    assertThat(limiter.rejection("maps", "user-7", 1, -1).getMessage())
        .startsWith("maps: rate-limiter: sliding window log 'user-7': 0 of 100 permits, next in 60000.0 ms");
  }

  @Test
  void validatesTheConfiguration() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SlidingWindowLogRateLimiter.builder(0, Duration.ofSeconds(1)))
        .withMessage("limit: 0 (expected: 1 <= limit <= 1048576)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SlidingWindowLogRateLimiter.builder(1, Duration.ofNanos(999_999)))
        .withMessageStartingWith("window: PT0.000999999S (expected: PT0.001S <= window <= ");
  }
}
