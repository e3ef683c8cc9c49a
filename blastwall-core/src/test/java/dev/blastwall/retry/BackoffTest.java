package dev.blastwall.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.blastwall.time.RandomSource;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final RandomSource LOWEST = () -> 0.0;
  private static final RandomSource MIDDLE = () -> 0.5;
  private static final RandomSource HIGH = () -> 0.999999;
  private static final RandomSource HIGHEST = () -> Math.nextDown(1.0);

  private static final Duration BASE = Duration.ofMillis(100);
  private static final Duration CAP = Duration.ofSeconds(10);
  private static final long BASE_NANOS = 100_000_000L;
  private static final long CAP_NANOS = 10_000_000_000L;

  @Test
  void defaultsAreFullJitterFrom100MillisUpTo10Seconds() {
    assertThat(Backoff.DEFAULT_BASE).isEqualTo(Duration.ofMillis(100));
    assertThat(Backoff.DEFAULT_CAP).isEqualTo(Duration.ofSeconds(10));
    assertThat(Backoff.exponentialFullJitter()).isEqualTo(Backoff.exponentialFullJitter(BASE, CAP));
    assertThat(Backoff.exponentialFullJitter()).hasToString("FullJitterBackoff[base=PT0.1S, cap=PT10S]");
  }

  @Test
  void fullJitterDrawsFromZeroToTheDoublingCeiling() {
    Backoff backoff = Backoff.exponentialFullJitter(BASE, CAP);

    assertThat(backoff.delayNanos(0, 0, LOWEST)).isZero();
    assertThat(backoff.delayNanos(7, 0, LOWEST)).isZero();

    assertThat(backoff.delayNanos(0, 0, MIDDLE)).isEqualTo(50_000_000L);
    assertThat(backoff.delayNanos(3, 0, MIDDLE)).isEqualTo(400_000_000L);
    // 100 ms * 2^7 = 12.8 s is above the cap.
    assertThat(backoff.delayNanos(7, 0, MIDDLE)).isEqualTo(5_000_000_000L);

    assertThat(backoff.delayNanos(0, 0, HIGH)).isEqualTo(99_999_900L);
    assertThat(backoff.delayNanos(0, 0, HIGHEST)).isEqualTo(BASE_NANOS);
    assertThat(backoff.delayNanos(1, 0, HIGHEST)).isEqualTo(2 * BASE_NANOS);
    assertThat(backoff.delayNanos(6, 0, HIGHEST)).isEqualTo(64 * BASE_NANOS);
    assertThat(backoff.delayNanos(7, 0, HIGHEST)).isEqualTo(CAP_NANOS);
  }

  @Test
  void fullJitterIgnoresThePreviousDelay() {
    Backoff backoff = Backoff.exponentialFullJitter(BASE, CAP);

    assertThat(backoff.delayNanos(2, CAP_NANOS, MIDDLE)).isEqualTo(backoff.delayNanos(2, 0, MIDDLE));
  }

  @Test
  void exponentialCeilingSaturatesForAnyRetry() {
    Backoff backoff = Backoff.exponential(Duration.ofNanos(1), Duration.ofSeconds(Long.MAX_VALUE));

    assertThat(backoff.delayNanos(62, 0, LOWEST)).isEqualTo(1L << 62);
    assertThat(backoff.delayNanos(63, 0, LOWEST)).isEqualTo(Long.MAX_VALUE);
    assertThat(backoff.delayNanos(64, 0, LOWEST)).isEqualTo(Long.MAX_VALUE);
    assertThat(backoff.delayNanos(Integer.MAX_VALUE, 0, LOWEST)).isEqualTo(Long.MAX_VALUE);

    Backoff jittered = Backoff.exponentialFullJitter(BASE, CAP);
    assertThat(jittered.delayNanos(Integer.MAX_VALUE, 0, HIGHEST)).isEqualTo(CAP_NANOS);
    assertThat(jittered.delayNanos(Integer.MAX_VALUE, 0, MIDDLE)).isEqualTo(CAP_NANOS / 2);
  }

  @Test
  void exponentialDoublesUpToTheCapWithoutJitter() {
    Backoff backoff = Backoff.exponential(BASE, Duration.ofSeconds(1));

    long[] delays = new long[6];
    for (int retry = 0; retry < delays.length; retry++) {
      delays[retry] = backoff.delayNanos(retry, 0, HIGH);
    }

    assertThat(delays).containsExactly(
        100_000_000L, 200_000_000L, 400_000_000L, 800_000_000L, 1_000_000_000L, 1_000_000_000L);
  }

  @Test
  void equalJitterKeepsAtLeastHalfTheCeiling() {
    Backoff backoff = Backoff.exponentialEqualJitter(BASE, CAP);

    assertThat(backoff.delayNanos(0, 0, LOWEST)).isEqualTo(50_000_000L);
    assertThat(backoff.delayNanos(0, 0, MIDDLE)).isEqualTo(75_000_000L);
    assertThat(backoff.delayNanos(0, 0, HIGHEST)).isEqualTo(BASE_NANOS);
    assertThat(backoff.delayNanos(3, 0, LOWEST)).isEqualTo(400_000_000L);
    assertThat(backoff.delayNanos(20, 0, LOWEST)).isEqualTo(CAP_NANOS / 2);
    assertThat(backoff.delayNanos(20, 0, HIGHEST)).isEqualTo(CAP_NANOS);
  }

  @Test
  void equalJitterReachesAnOddCeiling() {
    Backoff backoff = Backoff.exponentialEqualJitter(Duration.ofNanos(3), Duration.ofNanos(3));

    assertThat(backoff.delayNanos(0, 0, LOWEST)).isEqualTo(1);
    assertThat(backoff.delayNanos(0, 0, HIGHEST)).isEqualTo(3);
  }

  @Test
  void decorrelatedJitterGrowsFromThePreviousDelay() {
    Backoff backoff = Backoff.decorrelatedJitter(BASE, CAP);

    // Before the first retry the previous delay counts as base: the range is [base, 3 * base].
    assertThat(backoff.delayNanos(0, 0, LOWEST)).isEqualTo(BASE_NANOS);
    assertThat(backoff.delayNanos(0, 0, HIGHEST)).isEqualTo(3 * BASE_NANOS);
    assertThat(backoff.delayNanos(0, 0, HIGH)).isEqualTo(299_999_800L);

    // [100 ms, 600 ms], halfway.
    assertThat(backoff.delayNanos(1, 200_000_000L, MIDDLE)).isEqualTo(350_000_000L);
    assertThat(backoff.delayNanos(1, 200_000_000L, LOWEST)).isEqualTo(BASE_NANOS);

    assertThat(backoff.delayNanos(9, 5_000_000_000L, HIGHEST)).isEqualTo(CAP_NANOS);
    assertThat(backoff.delayNanos(9, Long.MAX_VALUE, HIGHEST)).isEqualTo(CAP_NANOS);
    assertThat(backoff.delayNanos(9, Long.MAX_VALUE, LOWEST)).isEqualTo(BASE_NANOS);
  }

  @Test
  void decorrelatedJitterChainsWithinBaseAndCap() {
    Backoff backoff = Backoff.decorrelatedJitter(BASE, Duration.ofSeconds(1));

    long previous = 0;
    for (int retry = 0; retry < 10; retry++) {
      previous = backoff.delayNanos(retry, previous, HIGHEST);
    }

    assertThat(previous).isEqualTo(1_000_000_000L);
  }

  @Test
  void constantAndNone() {
    Backoff constant = Backoff.constant(Duration.ofMillis(250));

    assertThat(constant.delayNanos(0, 0, HIGH)).isEqualTo(250_000_000L);
    assertThat(constant.delayNanos(Integer.MAX_VALUE, Long.MAX_VALUE, LOWEST)).isEqualTo(250_000_000L);
    assertThat(Backoff.none().delayNanos(5, 1_000, HIGH)).isZero();
    assertThat(Backoff.constant(Duration.ZERO)).isEqualTo(Backoff.none());
    assertThat(Backoff.constant(Duration.ofSeconds(Long.MAX_VALUE)).delayNanos(0, 0, LOWEST))
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void capEqualToBaseIsAllowed() {
    Backoff backoff = Backoff.exponential(BASE, BASE);

    assertThat(backoff.delayNanos(0, 0, LOWEST)).isEqualTo(BASE_NANOS);
    assertThat(backoff.delayNanos(40, 0, LOWEST)).isEqualTo(BASE_NANOS);
  }

  @Test
  void toStringNamesTheParameters() {
    assertThat(Backoff.exponentialFullJitter(BASE, CAP)).hasToString("FullJitterBackoff[base=PT0.1S, cap=PT10S]");
    assertThat(Backoff.exponentialEqualJitter(BASE, CAP)).hasToString("EqualJitterBackoff[base=PT0.1S, cap=PT10S]");
    assertThat(Backoff.decorrelatedJitter(BASE, CAP))
        .hasToString("DecorrelatedJitterBackoff[base=PT0.1S, cap=PT10S]");
    assertThat(Backoff.exponential(BASE, CAP)).hasToString("ExponentialBackoff[base=PT0.1S, cap=PT10S]");
    assertThat(Backoff.constant(Duration.ofMillis(250))).hasToString("ConstantBackoff[delay=PT0.25S]");
    assertThat(Backoff.none()).hasToString("ConstantBackoff[none]");
  }

  @Test
  void rejectsABaseThatIsNotPositive() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Backoff.exponentialFullJitter(Duration.ZERO, CAP))
        .withMessage("base: PT0S (expected: > 0)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Backoff.exponentialEqualJitter(Duration.ofSeconds(-1), CAP))
        .withMessage("base: PT-1S (expected: > 0)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Backoff.decorrelatedJitter(Duration.ZERO, CAP))
        .withMessage("base: PT0S (expected: > 0)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Backoff.exponential(Duration.ofNanos(-1), CAP))
        .withMessage("base: PT-0.000000001S (expected: > 0)");
  }

  @Test
  void rejectsACapBelowTheBase() {
    Duration cap = Duration.ofMillis(50);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> Backoff.exponentialFullJitter(BASE, cap))
        .withMessage("cap: PT0.05S (expected: >= base PT0.1S)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Backoff.exponentialEqualJitter(BASE, cap))
        .withMessage("cap: PT0.05S (expected: >= base PT0.1S)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Backoff.decorrelatedJitter(BASE, cap))
        .withMessage("cap: PT0.05S (expected: >= base PT0.1S)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Backoff.exponential(BASE, cap))
        .withMessage("cap: PT0.05S (expected: >= base PT0.1S)");
  }

  @Test
  void rejectsANegativeConstantDelay() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Backoff.constant(Duration.ofMillis(-1)))
        .withMessage("delay: PT-0.001S (expected: >= 0)");
  }

  @Test
  void rejectsANegativeRetry() {
    for (Backoff backoff : allStrategies()) {
      assertThatIllegalArgumentException()
          .as(backoff.toString())
          .isThrownBy(() -> backoff.delayNanos(-1, 0, MIDDLE))
          .withMessage("retry: -1 (expected: >= 0)");
    }
  }

  @Test
  void fullJitterMeanIsHalfTheCeiling() {
    // Fixed seed: the same 10,000 draws on every run, so this checks the distribution without being flaky.
    Random seeded = new Random(20_240_601L);
    RandomSource random = seeded::nextDouble;
    Backoff backoff = Backoff.exponentialFullJitter();
    int draws = 10_000;

    double sum = 0;
    for (int i = 0; i < draws; i++) {
      sum += backoff.delayNanos(3, 0, random);
    }

    double expectedMean = 800_000_000.0 / 2;
    assertThat(sum / draws).isCloseTo(expectedMean, withPercentage(5));
  }

  private static List<Backoff> allStrategies() {
    return List.of(
        Backoff.exponentialFullJitter(BASE, CAP),
        Backoff.exponentialEqualJitter(BASE, CAP),
        Backoff.decorrelatedJitter(BASE, CAP),
        Backoff.exponential(BASE, CAP),
        Backoff.constant(Duration.ofMillis(250)),
        Backoff.none());
  }
}
