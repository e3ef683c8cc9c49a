package dev.blastwall.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {

  private static final long MS = 1_000_000;

  private final FakeTicker ticker = new FakeTicker();
  private final List<String> made = new ArrayList<>();

  /** Two permits per key, refilled at 2/s: its window (time to refill) is 1 s. */
  private RateLimiter twoPerSecond(String key) {
    made.add(key);
    return TokenBucketRateLimiter.builder(2, 2, Duration.ofSeconds(1)).ticker(ticker).build();
  }

  private KeyedRateLimiter.Builder<String> keyed() {
    return KeyedRateLimiter.<String>builder(this::twoPerSecond).ticker(ticker);
  }

  @Test
  void keysDoNotShareTheirPermits() {
    KeyedRateLimiter<String> limiter = keyed().build();

    assertThat(limiter.tryAcquire("alice", 2, 0)).isZero();
    assertThat(limiter.tryAcquire("alice")).isNegative();
    assertThat(limiter.tryAcquire("bob", 2, 0)).isZero();
    assertThat(limiter.tryAcquire("bob")).isNegative();

    assertThat(made).containsExactly("alice", "bob");
    assertThat(limiter.size()).isEqualTo(2);
    assertThat(limiter.limiterFor("alice")).extracting(RateLimiter::nanosUntilNextPermit).isEqualTo(500 * MS);
    assertThat(limiter.limiterFor("carol")).isNull();
  }

  @Test
  void aPartitionIsEvictedAfterTheLongerOfTheIdleTimeoutAndTwoWindows() {
    KeyedRateLimiter<String> limiter = keyed().idleTimeout(Duration.ofMillis(500)).build();
    assertThat(limiter.tryAcquire("alice", 2, 0)).isZero();

    ticker.advanceNanos(2_000 * MS - 1);
    assertThat(limiter.evictIdle()).isZero();
    ticker.advanceNanos(1);
    assertThat(limiter.evictIdle()).isEqualTo(1);
    assertThat(limiter.size()).isZero();
    assertThat(limiter.limiterFor("alice")).isNull();

    // A fresh partition is what the old one would have become by now: full.
    assertThat(limiter.tryAcquire("alice", 2, 0)).isZero();
    assertThat(made).containsExactly("alice", "alice");
  }

  @Test
  void aBookedWaitKeepsThePartitionInUseUntilItRuns() {
    KeyedRateLimiter<String> limiter = keyed().idleTimeout(Duration.ofSeconds(1)).build();
    assertThat(limiter.tryAcquire("alice", 2, 0)).isZero();
    assertThat(limiter.tryAcquire("alice", 2, Long.MAX_VALUE)).isEqualTo(1_000 * MS);

    ticker.advanceNanos(3_000 * MS - 1);
    assertThat(limiter.evictIdle()).isZero();
    ticker.advanceNanos(1);
    assertThat(limiter.evictIdle()).isEqualTo(1);
  }

  @Test
  void callsSweepIdlePartitionsLazily() {
    KeyedRateLimiter<String> limiter = keyed().idleTimeout(Duration.ofSeconds(2)).build();
    assertThat(limiter.tryAcquire("alice")).isZero();
    ticker.advance(Duration.ofSeconds(2));
    assertThat(limiter.tryAcquire("bob")).isZero();

    assertThat(limiter.size()).isEqualTo(1);
    assertThat(limiter.limiterFor("alice")).isNull();
  }

  @Test
  void refusesNewKeysWhenAllPartitionsAreBusyUntilOneGoesIdle() {
    KeyedRateLimiter<String> limiter = keyed().maxKeys(2).idleTimeout(Duration.ofSeconds(5)).build();
    assertThat(limiter.tryAcquire("alice")).isZero();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire("bob")).isZero();

    long refused = limiter.tryAcquire("carol");
    assertThat(RateLimiter.retryAfterNanos(refused)).isEqualTo(4_000 * MS);
    assertThat(limiter.rejection("api", "carol", 1, -1, refused).getMessage()).startsWith(
        "api: rate-limiter: keyed rate limiter: all 2 partitions in use, none for 'carol', next in 4000.0 ms");
    assertThat(limiter.rejection("api", "carol", 1, -1).retryAfterNanos()).isEqualTo(4_000 * MS);
    // Existing keys are unaffected.
    ticker.advance(Duration.ofSeconds(2));
    assertThat(limiter.tryAcquire("alice")).isZero();

    // At 6 s bob (last used at 1 s) is idle, alice (at 3 s) is not.
    ticker.advance(Duration.ofSeconds(3));
    assertThat(limiter.tryAcquire("carol")).isZero();
    assertThat(limiter.size()).isEqualTo(2);
    assertThat(limiter.limiterFor("bob")).isNull();
    assertThat(limiter.limiterFor("alice")).isNotNull();
    assertThat(made).containsExactly("alice", "bob", "carol");
  }

  @Test
  void anOverflowLimiterTakesKeysThatFindNoRoom() {
    RateLimiter shared = TokenBucketRateLimiter.builder(1, 1, Duration.ofSeconds(1)).ticker(ticker).build();
    KeyedRateLimiter<String> limiter = keyed().maxKeys(1).overflow(shared).build();
    assertThat(limiter.tryAcquire("alice")).isZero();

    assertThat(limiter.tryAcquire("bob")).isZero();
    long refused = limiter.tryAcquire("carol");
    assertThat(RateLimiter.retryAfterNanos(refused)).isEqualTo(1_000 * MS);
    assertThat(limiter.rejection("api", "carol", 1, -1, refused).getMessage())
        .startsWith("api: rate-limiter: token bucket 'overflow:carol': 0 of 1 permits, next in 1000.0 ms");
    assertThat(made).containsExactly("alice");
  }

  @Test
  void rejectionIsWordedByTheKeysLimiter() {
    KeyedRateLimiter<String> limiter = keyed().build();
    assertThat(limiter.tryAcquire("alice", 2, 0)).isZero();
    long refused = limiter.tryAcquire("alice");
    var rejection = limiter.rejection("api", "alice", 3, -1, refused);
    assertThat(rejection.getMessage())
        .startsWith("api: rate-limiter: token bucket 'alice': 0 of 2 permits, next in 500.0 ms (attempts: 3");
    assertThat(rejection.retryAfterNanos()).isEqualTo(500 * MS);
  }

  @Test
  void aPartitionInUseIsNotEvicted() {
    // The partition's limiter sweeps in the middle of its own decision, as a concurrent sweeper could.
    AtomicReference<@Nullable KeyedRateLimiter<String>> self = new AtomicReference<>();
    AtomicInteger evictedMidCall = new AtomicInteger(-1);
    RateLimiter inner = TokenBucketRateLimiter.builder(1, 1, Duration.ofSeconds(1)).ticker(ticker).build();
    RateLimiter sweeping = new RateLimiter() {
      @Override
      public long tryAcquire(int permits, long maxWaitNanos) {
        ticker.advance(Duration.ofHours(1));
        KeyedRateLimiter<String> keyed = self.get();
        if (keyed != null) {
          evictedMidCall.set(keyed.evictIdle());
        }
        return inner.tryAcquire(permits, maxWaitNanos);
      }

      @Override
      public long nanosUntilNextPermit() {
        return inner.nanosUntilNextPermit();
      }

      @Override
      public long availablePermits() {
        return inner.availablePermits();
      }

      @Override
      public long limit() {
        return inner.limit();
      }

      @Override
      public Duration window() {
        return inner.window();
      }
    };
    KeyedRateLimiter<String> limiter = KeyedRateLimiter.<String>builder(key -> sweeping).ticker(ticker)
        .idleTimeout(Duration.ofSeconds(1)).build();
    self.set(limiter);

    assertThat(limiter.tryAcquire("alice")).isZero();

    assertThat(evictedMidCall.get()).isZero();
    assertThat(limiter.limiterFor("alice")).isSameAs(sweeping);
  }

  @Test
  void aFailingFactoryDoesNotUseUpAPartition() {
    KeyedRateLimiter<String> limiter = KeyedRateLimiter.<String>builder(key -> {
      if (key.isEmpty()) {
        throw new IllegalArgumentException("no limit for an empty key");
      }
      return twoPerSecond(key);
    }).maxKeys(1).ticker(ticker).build();

    assertThatIllegalArgumentException().isThrownBy(() -> limiter.tryAcquire(""));
    assertThat(limiter.size()).isZero();
    assertThat(limiter.tryAcquire("alice")).isZero();
  }

  @Test
  void validatesTheConfiguration() {
    KeyedRateLimiter.Builder<String> builder = keyed();
    assertThatIllegalArgumentException().isThrownBy(() -> builder.maxKeys(0))
        .withMessage("maxKeys: 0 (expected: 1 <= maxKeys <= 2147483647)");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.idleTimeout(Duration.ofNanos(1)))
        .withMessageStartingWith("idleTimeout: PT0.000000001S (expected: PT0.001S <= idleTimeout <= ");
    builder.maxKeys(5);
    assertThatIllegalStateException().isThrownBy(() -> builder.maxKeys(5))
        .withMessage("maxKeys was already set (expected: set once)");
    assertThat(builder.build().maxKeys()).isEqualTo(5);
    assertThat(keyed().build())
        .hasToString("KeyedRateLimiter[0 of 10000 keys, idleTimeout=PT10M]");
  }
}
