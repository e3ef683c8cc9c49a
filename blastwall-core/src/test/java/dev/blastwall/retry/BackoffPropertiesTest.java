package dev.blastwall.retry;

import static dev.blastwall.testkit.PropertyCheck.edgeOr;
import static dev.blastwall.testkit.PropertyCheck.forAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.blastwall.time.RandomSource;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class BackoffPropertiesTest {

  /** Up to about 11.5 days, so doubling reaches the cap within a few dozen retries and also far beyond. */
  private static final long MAX_BASE_NANOS = 1_000_000_000_000_000L;

  private static final List<BiFunction<Duration, Duration, Backoff>> FACTORIES = List.of(
      Backoff::exponentialFullJitter, Backoff::exponentialEqualJitter, Backoff::decorrelatedJitter,
      Backoff::exponential);

  private static final List<BiFunction<Duration, Duration, Backoff>> EXPONENTIAL_FACTORIES = List.of(
      Backoff::exponentialFullJitter, Backoff::exponentialEqualJitter, Backoff::exponential);

  /** One generated case: a base, a cap at or above it, a retry number, a previous delay and a random draw. */
  private record Case(long baseNanos, long capNanos, int retry, long previousNanos, double random) {
    static Case draw(SplittableRandom random) {
      long base = edgeOr(random, 1, MAX_BASE_NANOS, 1, 2, 1_000_000, 100_000_000, MAX_BASE_NANOS);
      long extra = edgeOr(random, 0, Long.MAX_VALUE, 0, 1, Long.MAX_VALUE);
      int retry = edgeOr(random, 0, 1000, 0, 1, 62, 63, 64, 1000);
      long previous = edgeOr(random, 0, Long.MAX_VALUE, 0, 1, Long.MAX_VALUE);
      double draw = random.nextInt(8) == 0 ? Math.nextDown(1.0) : random.nextDouble();
      return new Case(base, cap(base, extra), retry, previous, draw);
    }

    Backoff with(BiFunction<Duration, Duration, Backoff> factory) {
      return factory.apply(Duration.ofNanos(baseNanos), Duration.ofNanos(capNanos));
    }

    /** {@code min(cap, base * 2^retry)}, computed exactly as an independent oracle. */
    long ceiling(int atRetry) {
      return BigInteger.valueOf(baseNanos).shiftLeft(atRetry).min(BigInteger.valueOf(capNanos)).longValueExact();
    }
  }

  /** A cap at {@code extra} nanoseconds above the base, saturating at the largest long. */
  private static long cap(long baseNanos, long extraNanos) {
    return extraNanos > Long.MAX_VALUE - baseNanos ? Long.MAX_VALUE : baseNanos + extraNanos;
  }

  private static RandomSource fixed(double value) {
    return () -> value;
  }

  @Test
  void fullJitterStaysWithinZeroAndTheCeiling() {
    forAll(Case::draw, c -> assertThat(c.with(Backoff::exponentialFullJitter).delayNanos(c.retry(), 0,
        fixed(c.random()))).isBetween(0L, c.ceiling(c.retry())));
  }

  @Test
  void equalJitterStaysWithinHalfTheCeilingAndTheCeiling() {
    forAll(Case::draw, c -> {
      long ceiling = c.ceiling(c.retry());
      assertThat(c.with(Backoff::exponentialEqualJitter).delayNanos(c.retry(), 0, fixed(c.random())))
          .isBetween(ceiling / 2, ceiling);
    });
  }

  @Test
  void exponentialIsExactlyTheCeiling() {
    forAll(Case::draw, c -> assertThat(c.with(Backoff::exponential).delayNanos(c.retry(), 0, fixed(0.5)))
        .isEqualTo(c.ceiling(c.retry())));
  }

  @Test
  void decorrelatedJitterStaysWithinBaseAndCapAndTripleThePrevious() {
    forAll(Case::draw, c -> {
      long delay = c.with(Backoff::decorrelatedJitter).delayNanos(c.retry(), c.previousNanos(), fixed(c.random()));
      assertThat(delay).isBetween(c.baseNanos(), c.capNanos());
      BigInteger tripled = BigInteger.valueOf(Math.max(c.previousNanos(), c.baseNanos())).multiply(
          BigInteger.valueOf(3));
      assertThat(BigInteger.valueOf(delay)).isLessThanOrEqualTo(tripled);
    });
  }

  @Test
  void noStrategyEverReturnsANegativeDelay() {
    forAll(Case::draw, c -> {
      for (BiFunction<Duration, Duration, Backoff> factory : FACTORIES) {
        assertThat(c.with(factory).delayNanos(c.retry(), c.previousNanos(), fixed(c.random()))).isNotNegative();
      }
      assertThat(Backoff.constant(Duration.ofNanos(c.previousNanos())).delayNanos(c.retry(), 0, fixed(c.random())))
          .isEqualTo(c.previousNanos());
      assertThat(Backoff.none().delayNanos(c.retry(), c.previousNanos(), fixed(c.random()))).isZero();
    });
  }

  @Test
  void exponentialStrategiesNeverShrinkAsRetriesGrow() {
    // With the random draw held still, only the ceiling moves, and it only grows.
    forAll(Case::draw, c -> {
      for (BiFunction<Duration, Duration, Backoff> factory : EXPONENTIAL_FACTORIES) {
        Backoff backoff = c.with(factory);
        RandomSource source = fixed(c.random());
        assertThat(backoff.delayNanos(c.retry() + 1, 0, source))
            .isGreaterThanOrEqualTo(backoff.delayNanos(c.retry(), 0, source));
      }
    });
  }

  @Test
  void theUpperBoundOfFullJitterIsMonotoneAndCapped() {
    forAll(Case::draw, c -> {
      Backoff backoff = c.with(Backoff::exponentialFullJitter);
      RandomSource highest = fixed(Math.nextDown(1.0));
      long bound = backoff.delayNanos(c.retry(), 0, highest);
      assertThat(backoff.delayNanos(c.retry() + 1, 0, highest))
          .isGreaterThanOrEqualTo(bound).isLessThanOrEqualTo(c.capNanos());
    });
  }

  @Test
  void aBaseThatIsNotPositiveIsRejected() {
    forAll(random -> edgeOr(random, Long.MIN_VALUE, 0, 0, -1, Long.MIN_VALUE), baseNanos -> {
      Duration base = Duration.ofNanos(baseNanos);
      for (BiFunction<Duration, Duration, Backoff> factory : FACTORIES) {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> factory.apply(base, Duration.ofSeconds(1)))
            .withMessage("base: " + base + " (expected: > 0)");
      }
    });
  }

  @Test
  void aCapBelowTheBaseIsRejected() {
    forAll(random -> new long[] {edgeOr(random, 2, Long.MAX_VALUE, 2, Long.MAX_VALUE),
        edgeOr(random, 1, Long.MAX_VALUE, 1, Long.MAX_VALUE)}, pair -> {
      Duration base = Duration.ofNanos(pair[0]);
      Duration cap = Duration.ofNanos(Math.max(1, pair[0] - pair[1]));
      for (BiFunction<Duration, Duration, Backoff> factory : FACTORIES) {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> factory.apply(base, cap))
            .withMessage("cap: " + cap + " (expected: >= base " + base + ")");
      }
    });
  }

  @Test
  void aNegativeConstantDelayIsRejected() {
    forAll(random -> edgeOr(random, Long.MIN_VALUE, -1, -1, Long.MIN_VALUE), delayNanos -> {
      Duration delay = Duration.ofNanos(delayNanos);
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Backoff.constant(delay))
          .withMessage("delay: " + delay + " (expected: >= 0)");
    });
  }
}
