package dev.blastwall.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RatioRetryBudgetTest {

  private final FakeTicker ticker = new FakeTicker();

  @Test
  void defaults() {
    RatioRetryBudget budget = RetryBudget.ratio().build();

    assertThat(budget.percentCanRetry()).isEqualTo(0.1);
    assertThat(budget.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(budget.minRetriesPerSecond()).isEqualTo(10);
    assertThat(budget.balance()).isEqualTo(100.0);
  }

  @Test
  void floorIsAvailableWithNoTraffic() {
    RatioRetryBudget budget = RetryBudget.ratio().ticker(ticker).build();

    assertThat(budget.balance()).isEqualTo(100.0);
    assertThat(acquireAll(budget)).isEqualTo(100);
    assertThat(budget.balance()).isZero();
    assertThat(budget.tryAcquireRetry()).isFalse();
  }

  @Test
  void thousandRequestsAtTenPercentAllowTwoHundredRetries() {
    RatioRetryBudget budget = RetryBudget.ratio().ticker(ticker).build();

    requests(budget, 1000);

    assertThat(budget.balance()).isEqualTo(200.0);
    for (int i = 0; i < 200; i++) {
      assertThat(budget.tryAcquireRetry()).as("retry %d", i + 1).isTrue();
    }
    assertThat(budget.tryAcquireRetry()).as("retry 201").isFalse();
    assertThat(budget.balance()).isZero();
  }

  @Test
  void eachRequestAddsItsShareAndARefusalWithdrawsNothing() {
    RatioRetryBudget budget = RetryBudget.ratio().percentCanRetry(0.25).minRetriesPerSecond(0).ticker(ticker).build();

    assertThat(budget.tryAcquireRetry()).isFalse();
    requests(budget, 10);
    assertThat(budget.balance()).isEqualTo(2.5);
    assertThat(acquireAll(budget)).isEqualTo(2);
    assertThat(budget.balance()).isEqualTo(0.5);

    requests(budget, 2);
    assertThat(budget.balance()).isEqualTo(1.0);
    assertThat(acquireAll(budget)).isEqualTo(1);
  }

  @Test
  void aPercentAboveOneAllowsSeveralRetriesPerRequest() {
    RatioRetryBudget budget = RetryBudget.ratio().percentCanRetry(2.0).minRetriesPerSecond(0).ticker(ticker).build();

    requests(budget, 7);

    assertThat(acquireAll(budget)).isEqualTo(14);
  }

  @Test
  void percentZeroLeavesOnlyTheFloor() {
    RatioRetryBudget budget = RetryBudget.ratio().percentCanRetry(0).ticker(ticker).build();

    requests(budget, 10_000);

    assertThat(budget.balance()).isEqualTo(100.0);
    assertThat(acquireAll(budget)).isEqualTo(100);
  }

  @Test
  void floorScalesWithTheWindow() {
    RatioRetryBudget budget =
        RetryBudget.ratio().window(Duration.ofMillis(1500)).minRetriesPerSecond(7).ticker(ticker).build();

    assertThat(budget.balance()).isEqualTo(10.5);
    assertThat(acquireAll(budget)).isEqualTo(10);
  }

  @Test
  void outcomesAreNotCounted() {
    RatioRetryBudget budget = RetryBudget.ratio().ticker(ticker).build();
    requests(budget, 50);

    for (int i = 0; i < 1000; i++) {
      budget.onAttemptFailed();
      budget.onAttemptSucceeded();
    }

    assertThat(budget.balance()).isEqualTo(105.0);
  }

  @Test
  void depositsExpireAfterTheWindow() {
    RatioRetryBudget budget = RetryBudget.ratio().ticker(ticker).build();
    requests(budget, 1000);

    // Made at the very start of a slot, these deposits live the whole window and not a nanosecond more.
    ticker.advance(Duration.ofSeconds(10).minusNanos(1));
    assertThat(budget.balance()).isEqualTo(200.0);

    ticker.advanceNanos(1);
    assertThat(budget.balance()).isEqualTo(100.0);
    assertThat(acquireAll(budget)).isEqualTo(100);
  }

  @Test
  void withdrawalsExpireTooSoTheFloorRefills() {
    RatioRetryBudget budget = RetryBudget.ratio().ticker(ticker).build();
    assertThat(acquireAll(budget)).isEqualTo(100);

    ticker.advance(Duration.ofSeconds(5));
    assertThat(budget.tryAcquireRetry()).isFalse();

    ticker.advance(Duration.ofSeconds(5));
    assertThat(budget.balance()).isEqualTo(100.0);
    assertThat(acquireAll(budget)).isEqualTo(100);
  }

  @Test
  void partialExpirySlotBySlot() {
    RatioRetryBudget budget = RetryBudget.ratio().ticker(ticker).build();
    // 100 requests (10 retries' worth) in each of the ten 1 s slots.
    for (int second = 0; second < 10; second++) {
      requests(budget, 100);
      assertThat(budget.balance()).isEqualTo(100.0 + 10 * (second + 1));
      ticker.advance(Duration.ofSeconds(1));
    }

    // Each further second drops exactly the oldest slot.
    for (int expired = 1; expired <= 10; expired++) {
      assertThat(budget.balance()).as("after %d slots expired", expired).isEqualTo(200.0 - 10 * expired);
      ticker.advance(Duration.ofSeconds(1));
    }
    assertThat(budget.balance()).isEqualTo(100.0);
  }

  @Test
  void aRequestLateInASlotExpiresWithThatSlot() {
    RatioRetryBudget budget = RetryBudget.ratio().minRetriesPerSecond(0).ticker(ticker).build();

    ticker.advance(Duration.ofMillis(999));
    requests(budget, 10);
    ticker.advance(Duration.ofSeconds(9));
    assertThat(budget.balance()).isEqualTo(1.0);

    ticker.advance(Duration.ofMillis(1));
    assertThat(budget.balance()).isZero();
  }

  @Test
  void retriesSpentAgainstExpiredDepositsBlockUntilTheyExpireToo() {
    RatioRetryBudget budget = RetryBudget.ratio().ticker(ticker).build();
    requests(budget, 1000);
    ticker.advance(Duration.ofSeconds(5));
    assertThat(acquireAll(budget)).isEqualTo(200);

    // The 100 retries' worth of deposits expire; the 200 withdrawals are still in the window.
    ticker.advance(Duration.ofSeconds(5));
    assertThat(budget.balance()).isZero();
    assertThat(budget.tryAcquireRetry()).isFalse();
    requests(budget, 1000);
    assertThat(budget.balance()).isZero();
    requests(budget, 10);
    assertThat(budget.balance()).isEqualTo(1.0);

    ticker.advance(Duration.ofSeconds(5));
    assertThat(budget.balance()).isEqualTo(100.0 + 101.0);
  }

  @Test
  void aLongIdleGapExpiresEverything() {
    RatioRetryBudget budget = RetryBudget.ratio().ticker(ticker).build();
    requests(budget, 1000);
    budget.tryAcquireRetry();

    ticker.advance(Duration.ofDays(400));

    assertThat(budget.balance()).isEqualTo(100.0);
    requests(budget, 10);
    assertThat(budget.balance()).isEqualTo(101.0);
  }

  @Test
  void copesWithTheTickerWrappingAround() {
    FakeTicker nearTheEnd = new FakeTicker(Long.MAX_VALUE - Duration.ofSeconds(3).toNanos());
    RatioRetryBudget budget = RetryBudget.ratio().ticker(nearTheEnd).build();

    for (int second = 0; second < 10; second++) {
      requests(budget, 100);
      nearTheEnd.advance(Duration.ofSeconds(1));
    }
    assertThat(nearTheEnd.nanos()).isNegative();
    assertThat(budget.balance()).isEqualTo(190.0);
    assertThat(budget.tryAcquireRetry()).isTrue();

    nearTheEnd.advance(Duration.ofSeconds(9).minusNanos(1));
    assertThat(budget.balance()).isEqualTo(109.0);
    nearTheEnd.advanceNanos(1);
    assertThat(budget.balance()).isEqualTo(99.0);
    nearTheEnd.advance(Duration.ofSeconds(1));
    assertThat(budget.balance()).isEqualTo(100.0);
  }

  @Test
  void validationMessages() {
    assertThatThrownBy(() -> RetryBudget.ratio().percentCanRetry(-0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentCanRetry: -0.5 (expected: 0.0 <= percentCanRetry <= 1000.0)");
    assertThatThrownBy(() -> RetryBudget.ratio().percentCanRetry(1000.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentCanRetry: 1000.5 (expected: 0.0 <= percentCanRetry <= 1000.0)");
    assertThatThrownBy(() -> RetryBudget.ratio().percentCanRetry(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentCanRetry: NaN (expected: 0.0 <= percentCanRetry <= 1000.0)");
    assertThatThrownBy(() -> RetryBudget.ratio().window(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window: PT0.999S (expected: PT1S <= window <= PT1M)");
    assertThatThrownBy(() -> RetryBudget.ratio().window(Duration.ofSeconds(61)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window: PT1M1S (expected: PT1S <= window <= PT1M)");
    assertThatThrownBy(() -> RetryBudget.ratio().minRetriesPerSecond(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minRetriesPerSecond: -1 (expected: >= 0)");
  }

  @Test
  void boundsAreAccepted() {
    assertThat(RetryBudget.ratio().percentCanRetry(1000).window(Duration.ofSeconds(60)).build().percentCanRetry())
        .isEqualTo(1000.0);
    assertThat(RetryBudget.ratio().percentCanRetry(0).window(Duration.ofSeconds(1)).build().window())
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(RetryBudget.ratio().minRetriesPerSecond(0).ticker(ticker).build().balance()).isZero();
  }

  @Test
  void eachOptionMayBeSetOnce() {
    assertThatThrownBy(() -> RetryBudget.ratio().percentCanRetry(0.1).percentCanRetry(0.2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("percentCanRetry was already set (expected: set once)");
    assertThatThrownBy(() -> RetryBudget.ratio().window(Duration.ofSeconds(5)).window(Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("window was already set (expected: set once)");
    assertThatThrownBy(() -> RetryBudget.ratio().minRetriesPerSecond(1).minRetriesPerSecond(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("minRetriesPerSecond was already set (expected: set once)");
    assertThatThrownBy(() -> RetryBudget.ratio().ticker(ticker).ticker(ticker))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ticker was already set (expected: set once)");
  }

  @Test
  void unlimitedAlwaysAllows() {
    RetryBudget budget = RetryBudget.unlimited();

    for (int i = 0; i < 10_000; i++) {
      budget.onAttemptFailed();
      assertThat(budget.tryAcquireRetry()).isTrue();
    }
    assertThat(budget.balance()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(RetryBudget.unlimited()).isSameAs(budget);
  }

  @Test
  void aRequestUsesTheCallersClockReadingOnlyWhenItComesFromTheBudgetsOwnTicker() {
    FakeTicker ticker = new FakeTicker();
    long start = ticker.nanos();
    RatioRetryBudget budget = RetryBudget.ratio().percentCanRetry(1.0).minRetriesPerSecond(0).ticker(ticker).build();
    ticker.advance(Duration.ofMillis(9_500));

    // A reading from 9.5 s ago on the budget's own ticker dates the request to the first slot, which expires
    // once 10 s have passed since its start; the other two are dated now.
    budget.onRequest(ticker, start);
    budget.onRequest(new FakeTicker(), start);
    budget.onRequest();
    assertThat(budget.balance()).isEqualTo(3.0);

    ticker.advance(Duration.ofMillis(600));
    assertThat(budget.balance()).isEqualTo(2.0);
  }

  static void requests(RetryBudget budget, int count) {
    for (int i = 0; i < count; i++) {
      budget.onRequest();
    }
  }

  /** Acquires retries until refused; returns how many were granted. */
  static int acquireAll(RetryBudget budget) {
    int granted = 0;
    while (budget.tryAcquireRetry()) {
      granted++;
    }
    return granted;
  }
}
