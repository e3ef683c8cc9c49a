package dev.blastwall.retry;

import static dev.blastwall.testkit.PropertyCheck.edgeOr;
import static dev.blastwall.testkit.PropertyCheck.forAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RatioRetryBudgetPropertiesTest {

  /** One generated case: requests within one window, and the budget's three settings. */
  private record Case(int requests, double percent, int floor, int windowSeconds) {
    static Case draw(SplittableRandom random) {
      int requests = edgeOr(random, 0, 100_000, 0, 1, 9, 10, 99_999, 100_000);
      double percent =
          random.nextInt(4) == 0 ? pick(random, 0.01, 0.1, 0.3, 1.0 / 3, 0.999, 1.0) : random.nextDouble(0.01, 1.0);
      int floor = edgeOr(random, 0, 100, 0, 1, 100);
      int windowSeconds = edgeOr(random, 1, 60, 1, 7, 60);
      return new Case(requests, percent, floor, windowSeconds);
    }

    private static double pick(SplittableRandom random, double... values) {
      return values[random.nextInt(values.length)];
    }
  }

  @Test
  void retriesWithinOneWindowAreTheShareOfRequestsPlusTheFloor() {
    forAll(
        Case::draw,
        c -> {
          RatioRetryBudget budget =
              RetryBudget.ratio()
                  .percentCanRetry(c.percent())
                  .minRetriesPerSecond(c.floor())
                  .window(Duration.ofSeconds(c.windowSeconds()))
                  .ticker(new FakeTicker())
                  .build();

          RatioRetryBudgetTest.requests(budget, c.requests());
          int granted = RatioRetryBudgetTest.acquireAll(budget);

          double expected = Math.floor(c.requests() * c.percent() + (double) c.floor() * c.windowSeconds());
          assertThat((double) granted).isCloseTo(expected, within(1.0));
          assertThat(budget.balance()).isBetween(0.0, 1.0);
        });
  }
}
