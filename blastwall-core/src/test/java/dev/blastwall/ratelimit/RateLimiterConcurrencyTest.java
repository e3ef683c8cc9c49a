package dev.blastwall.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many threads racing for permits while the fake ticker stands still: the limiter must grant exactly what it
 * grants to the same calls made one at a time, no more (over-admission) and no less (lost updates), and booked
 * waits must be the same set of slots.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RateLimiterConcurrencyTest {

  private static final int THREADS = 16;
  private static final int CALLS_PER_THREAD = 10_000;
  private static final long MS = 1_000_000;

  /**
   * Below the calls made per round, so every round runs the limiter dry while threads still compete, and large
   * enough that the contended phase outlasts thread start-up even on a machine with few cores.
   */
  private static final int CAPACITY = 100_000;

  private static final List<String> KINDS = List.of("token", "leaky", "log", "counter");

  private static RateLimiter limiter(String kind, FakeTicker ticker) {
    return switch (kind) {
      case "token" -> TokenBucketRateLimiter.builder(CAPACITY, 100, Duration.ofSeconds(1)).ticker(ticker).build();
      case "leaky" -> LeakyBucketRateLimiter.builder(CAPACITY, Duration.ofSeconds(1)).ticker(ticker).build();
      case "log" -> SlidingWindowLogRateLimiter.builder(CAPACITY, Duration.ofSeconds(1)).ticker(ticker).build();
      case "counter" ->
          SlidingWindowCounterRateLimiter.builder(CAPACITY, Duration.ofSeconds(1)).ticker(ticker).build();
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /** Enough rounds that a race which loses an update only now and then still shows. */
  private static final int ROUNDS = 20;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stopThreads() {
    pool.shutdownNow();
  }

  /** Runs {@code call} THREADS * CALLS_PER_THREAD times from THREADS threads started together. */
  private List<Long> race(ToLongFunction<Integer> call) throws Exception {
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Future<List<Long>>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      futures.add(pool.submit(() -> {
        start.await(10, TimeUnit.SECONDS);
        List<Long> answers = new ArrayList<>(CALLS_PER_THREAD);
        for (int i = 0; i < CALLS_PER_THREAD; i++) {
          answers.add(call.applyAsLong(thread));
        }
        return answers;
      }));
    }
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> future : futures) {
      all.addAll(future.get(20, TimeUnit.SECONDS));
    }
    return all;
  }

  private static List<Long> grantedWaits(List<Long> answers) {
    return answers.stream().filter(RateLimiter::isGranted).sorted().toList();
  }

  private static List<Long> sequentially(Function<FakeTicker, RateLimiter> factory, int permits, long maxWait) {
    RateLimiter limiter = factory.apply(new FakeTicker());
    List<Long> answers = new ArrayList<>();
    for (int i = 0; i < THREADS * CALLS_PER_THREAD; i++) {
      answers.add(limiter.tryAcquire(permits, maxWait));
    }
    return grantedWaits(answers);
  }

  @ParameterizedTest
  @ValueSource(strings = {"token", "log", "counter"})
  void grantsExactlyTheCapacityUnderContention(String kind) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      RateLimiter limiter = limiter(kind, new FakeTicker());

      List<Long> answers = race(thread -> limiter.tryAcquire());

      assertThat(grantedWaits(answers)).as("round %d", round).hasSize(CAPACITY).containsOnly(0L);
      assertThat(limiter.availablePermits()).isZero();
    }
  }

  @Test
  void aLeakyBucketGrantsExactlyOneAtATimeUnderContention() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      RateLimiter limiter = limiter("leaky", new FakeTicker());
      assertThat(grantedWaits(race(thread -> limiter.tryAcquire()))).as("round %d", round).containsExactly(0L);
    }
  }

  @Test
  void bookedWaitsUnderContentionAreTheSameSlotsAsOneAtATime() throws Exception {
    long maxWait = 2_500 * MS;
    for (String kind : KINDS) {
      for (int permits : new int[] {1, 3}) {
        List<Long> expected = sequentially(ticker -> limiter(kind, ticker), permits, maxWait);
        assertThat(expected).as("%s books waits", kind).hasSizeGreaterThan(1).last().isNotEqualTo(0L);
        for (int round = 0; round < ROUNDS / 4; round++) {
          RateLimiter limiter = limiter(kind, new FakeTicker());

          List<Long> concurrent = grantedWaits(race(thread -> limiter.tryAcquire(permits, maxWait)));

          assertThat(concurrent).as("%s with %d permits, round %d", kind, permits, round).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void aKeyedLimiterGrantsEachKeyExactlyItsCapacityUnderContention() throws Exception {
    FakeTicker ticker = new FakeTicker();
    KeyedRateLimiter<Integer> keyed = KeyedRateLimiter.<Integer>builder(
        key -> TokenBucketRateLimiter.builder(100, 1, Duration.ofSeconds(1)).ticker(ticker).build())
        .maxKeys(8).ticker(ticker).build();

    List<Long> answers = race(thread -> keyed.tryAcquire(thread % 4));
    List<Long> overflowing = race(thread -> keyed.tryAcquire(100 + thread));

    assertThat(grantedWaits(answers)).hasSize(4 * 100);
    // Four more keys fit, each with 100 permits; the other eight keys are refused for want of a partition.
    assertThat(grantedWaits(overflowing)).hasSize(4 * 100);
    assertThat(keyed.size()).isEqualTo(8);
  }
}
