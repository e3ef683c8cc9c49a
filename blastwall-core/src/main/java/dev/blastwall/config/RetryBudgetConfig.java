package dev.blastwall.config;

import dev.blastwall.retry.RatioRetryBudget;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.time.Ticker;
import java.time.Duration;

/**
 * A retry budget: retries may add {@code ratio} of the requests of the last {@code window}, and
 * {@code minPerSecond} retries a second whatever the traffic.
 *
 * @param ratio a fraction of the requests, 0..10 ({@code 0.1}: retries add at most 10%)
 */
public record RetryBudgetConfig(double ratio, int minPerSecond, Duration window) {

  /** The budget's own defaults: 10% of the requests of the last 10 s, and 10 retries a second. */
  public static final RetryBudgetConfig DEFAULT = defaults();

  /** The budget this describes, reading time from {@code ticker}. */
  public RatioRetryBudget toBudget(Ticker ticker) {
    return RetryBudget.ratio().ticker(ticker).percentCanRetry(ratio).minRetriesPerSecond(minPerSecond).window(window)
        .build();
  }

  private static RetryBudgetConfig defaults() {
    // Read from a budget built with no settings, so these stay the budget's own defaults.
    RatioRetryBudget budget = RetryBudget.ratio().build();
    return new RetryBudgetConfig(budget.percentCanRetry(), budget.minRetriesPerSecond(), budget.window());
  }
}
