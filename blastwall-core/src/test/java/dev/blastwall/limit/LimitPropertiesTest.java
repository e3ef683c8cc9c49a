package dev.blastwall.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testkit.PropertyCheck;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Whatever samples arrive, in whatever order, a limit stays within its bounds and returns what it publishes. */
class LimitPropertiesTest {

  private record Case(long seed, int samples) {}

  private static Case anyCase(SplittableRandom random) {
    return new Case(random.nextLong(), PropertyCheck.edgeOr(random, 1, 400, 1, 2, 400));
  }

  private static void check(Function<SplittableRandom, Limit> create, int min, int max) {
    PropertyCheck.forAll(7, 200, LimitPropertiesTest::anyCase, testCase -> {
      SplittableRandom random = new SplittableRandom(testCase.seed());
      Limit limit = create.apply(random);
      long now = PropertyCheck.edgeOr(random, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2, 0, Long.MAX_VALUE / 2);
      for (int i = 0; i < testCase.samples(); i++) {
        long start = now - random.nextLong(0, 50_000_000);
        long rtt = PropertyCheck.edgeOr(random, 0, 1_000_000_000, 0, 1);
        int inflight = PropertyCheck.edgeOr(random, 1, 2000, 1, 2000);
        int result = limit.onSample(start, rtt, inflight, random.nextInt(5) == 0);
        assertThat(result).isEqualTo(limit.limit()).isBetween(min, max);
        now += random.nextLong(0, 20_000_000);
      }
    });
  }

  @Test
  void aimdStaysWithinItsBounds() {
    check(random -> AimdLimit.builder().minLimit(2).maxLimit(60).timeout(Duration.ofMillis(15)).build(), 2, 60);
  }

  @Test
  void vegasStaysWithinItsBounds() {
    check(random -> VegasLimit.builder().minLimit(2).maxLimit(60).build(), 2, 60);
  }

  @Test
  void gradientStaysWithinItsBounds() {
    check(random -> GradientLimit.builder().maxLimit(60).sampleWindow(random.nextInt(1, 20))
        .minRttSamples(random.nextInt(1, 20)).minRttInterval(Duration.ofMillis(200)).random(random::nextDouble)
        .build(), 3, 60);
  }
}
