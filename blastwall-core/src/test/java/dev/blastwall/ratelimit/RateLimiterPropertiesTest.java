package dev.blastwall.ratelimit;

import static dev.blastwall.testkit.PropertyCheck.edgeOr;
import static dev.blastwall.testkit.PropertyCheck.forAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Random arrival sequences against each limiter's guarantee, checked on the times at which granted permits
 * proceed (the ticker reading plus the wait the limiter asked for).
 */
class RateLimiterPropertiesTest {

  private static final long MS = 1_000_000;

  /** One call: how long after the previous one it arrives, how many permits, and how long it would wait. */
  private record Arrival(long gapNanos, int permits, long maxWaitNanos) {}

  /** A granted call: when it proceeds and with how many permits. */
  private record Grant(long atNanos, int permits) {}

  /** A limiter configuration (limit, rate or window) and the calls made to it. */
  private record Scenario(int limit, int refillPermits, long windowNanos, List<Arrival> arrivals) {

    static Scenario draw(SplittableRandom random, boolean singlePermits) {
      int limit = edgeOr(random, 1, 20, 1, 2, 20);
      int refill = edgeOr(random, 1, 10, 1, 10);
      long window = edgeOr(random, MS, 1_000 * MS, MS, 1_000 * MS);
      int count = random.nextInt(1, 200);
      List<Arrival> arrivals = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        long gap = random.nextInt(3) == 0 ? 0 : edgeOr(random, 0, 2 * window, 1, window - 1, window, window + 1);
        int permits = singlePermits ? 1 : edgeOr(random, 1, limit, 1, limit);
        long maxWait = random.nextBoolean() ? 0 : edgeOr(random, 0, 3 * window, 1, window, Long.MAX_VALUE);
        arrivals.add(new Arrival(gap, permits, maxWait));
      }
      return new Scenario(limit, refill, window, arrivals);
    }

    /** Plays the arrivals against a limiter on a fake ticker, checking every answer's basic contract. */
    List<Grant> play(Function<FakeTicker, RateLimiter> factory, boolean strictRetryAfter) {
      FakeTicker ticker = new FakeTicker(1_000_000_000_000L);
      RateLimiter limiter = factory.apply(ticker);
      List<Grant> grants = new ArrayList<>();
      for (Arrival arrival : arrivals) {
        ticker.advanceNanos(arrival.gapNanos());
        long answer = limiter.tryAcquire(arrival.permits(), arrival.maxWaitNanos());
        if (RateLimiter.isGranted(answer)) {
          assertThat(answer).isLessThanOrEqualTo(arrival.maxWaitNanos());
          grants.add(new Grant(ticker.nanos() + answer, arrival.permits()));
        } else if (strictRetryAfter) {
          assertThat(RateLimiter.retryAfterNanos(answer)).isGreaterThan(arrival.maxWaitNanos());
        }
      }
      grants.sort(Comparator.comparingLong(Grant::atNanos));
      return grants;
    }
  }

  @Test
  void slidingLogNeverAdmitsMoreThanTheLimitInAnyWindow() {
    forAll(random -> Scenario.draw(random, false), scenario -> {
      List<Grant> grants = scenario.play(ticker -> SlidingWindowLogRateLimiter
          .builder(scenario.limit(), Duration.ofNanos(scenario.windowNanos())).ticker(ticker).build(), true);
      // The fullest window (x - W, x] ends at some grant: check every one.
      int from = 0;
      long inWindow = 0;
      for (Grant grant : grants) {
        inWindow += grant.permits();
        while (grants.get(from).atNanos() <= grant.atNanos() - scenario.windowNanos()) {
          inWindow -= grants.get(from++).permits();
        }
        assertThat(inWindow).as("permits in the window ending at %d", grant.atNanos())
            .isLessThanOrEqualTo(scenario.limit());
      }
    });
  }

  @Test
  void tokenBucketAdmitsAtMostCapacityPlusRateTimesTheInterval() {
    forAll(random -> Scenario.draw(random, false), scenario -> {
      long period = scenario.windowNanos();
      List<Grant> grants = scenario.play(ticker -> TokenBucketRateLimiter
          .builder(scenario.limit(), scenario.refillPermits(), Duration.ofNanos(period)).ticker(ticker).build(),
          true);
      for (int i = 0; i < grants.size(); i++) {
        long admitted = 0;
        for (int j = i; j < grants.size(); j++) {
          admitted += grants.get(j).permits();
          long interval = grants.get(j).atNanos() - grants.get(i).atNanos();
          // admitted <= capacity + rate * t, with rate = refillPermits / period, kept in integers.
          assertThat(admitted * period).as("permits in [%d, %d]", grants.get(i).atNanos(), grants.get(j).atNanos())
              .isLessThanOrEqualTo(scenario.limit() * period + interval * scenario.refillPermits());
        }
      }
    });
  }

  @Test
  void leakyBucketSpacesSingleCallsByTheIntervalAndBoundsTheQueue() {
    forAll(random -> Scenario.draw(random, true), scenario -> {
      long period = scenario.windowNanos();
      long maxQueue = period / 2;
      List<Grant> grants = scenario.play(ticker -> LeakyBucketRateLimiter
          .builder(scenario.refillPermits(), Duration.ofNanos(period)).maxQueueDelay(Duration.ofNanos(maxQueue))
          .ticker(ticker).build(), false);
      for (int i = 1; i < grants.size(); i++) {
        long gap = grants.get(i).atNanos() - grants.get(i - 1).atNanos();
        assertThat(gap * scenario.refillPermits()).isGreaterThanOrEqualTo(period);
      }
    });
  }

  @Test
  void slidingCounterAdmitsAtMostTheLimitPerFixedWindowAndTwiceItPerSlidingWindow() {
    long origin = 1_000_000_000_000L;
    forAll(random -> Scenario.draw(random, false), scenario -> {
      long window = scenario.windowNanos();
      List<Grant> grants = scenario.play(ticker -> SlidingWindowCounterRateLimiter
          .builder(scenario.limit(), Duration.ofNanos(window)).ticker(ticker).build(), false);
      int from = 0;
      long inWindow = 0;
      for (Grant grant : grants) {
        inWindow += grant.permits();
        while (grants.get(from).atNanos() <= grant.atNanos() - window) {
          inWindow -= grants.get(from++).permits();
        }
        assertThat(inWindow).isLessThanOrEqualTo(2L * scenario.limit());
      }
      long fixed = 0;
      long index = Long.MIN_VALUE;
      for (Grant grant : grants) {
        long at = Math.floorDiv(grant.atNanos() - origin, window);
        fixed = at == index ? fixed + grant.permits() : grant.permits();
        index = at;
        assertThat(fixed).as("permits in fixed window %d", index).isLessThanOrEqualTo(scenario.limit());
      }
    });
  }

  @Test
  void slidingCounterIsCloseToExactForSteadyTraffic() {
    // Requests at twice the limit's rate, evenly spaced, for 20 windows: after the first window the estimate
    // tracks the true sliding count, so no window holds noticeably more than the limit.
    int limit = 100;
    long window = 1_000 * MS;
    FakeTicker ticker = new FakeTicker();
    RateLimiter limiter = SlidingWindowCounterRateLimiter.builder(limit, Duration.ofNanos(window))
        .ticker(ticker).build();
    List<Long> granted = new ArrayList<>();
    for (int i = 0; i < 20 * 2 * limit; i++) {
      if (limiter.tryAcquire() == 0) {
        granted.add(ticker.nanos());
      }
      ticker.advanceNanos(window / (2L * limit));
    }
    int from = 0;
    long most = 0;
    long least = Long.MAX_VALUE;
    for (int to = 0; to < granted.size(); to++) {
      while (granted.get(from) <= granted.get(to) - window) {
        from++;
      }
      most = Math.max(most, to - from + 1);
      if (granted.get(to) >= 2 * window) {
        least = Math.min(least, to - from + 1);
      }
    }
    assertThat(granted).hasSizeBetween(19 * limit, 21 * limit);
    assertThat(most).isLessThanOrEqualTo(limit + limit / 10);
    assertThat(least).isGreaterThanOrEqualTo(limit - limit / 10);
  }
}
