package dev.blastwall.retry;

import dev.blastwall.time.Ticker;

/**
 * Caps how much extra load retries (and hedges) may add to one upstream, so a sick dependency is not hit harder
 * while it is sick. One budget is shared by every call to the same upstream.
 *
 * <p>Implementations are thread-safe and lock-free; the balance never goes negative.
 *
 * <p>Two kinds come with Blastwall: {@link #ratio()} lets retries add a share of the request load (Finagle's
 * model), {@link #throttle(int, double)} stops retries while failures outweigh successes (gRPC's model).
 */
public interface RetryBudget {

  /**
   * Starts a budget that allows retries up to a share of recent requests plus a small per-second floor; see
   * {@link RatioRetryBudget}. The defaults (10%, a 10 s window, 10 retries per second) suit most callers.
   */
  static RatioRetryBudget.Builder ratio() {
    return RatioRetryBudget.builder();
  }

  /**
   * gRPC-style retry throttling (gRFC A6); see {@link RetryThrottle}.
   *
   * @param maxTokens the starting count and cap, in {@code (0, 1000]}
   * @param tokenRatio the tokens a success gives back, in {@code (0, 1]} with at most 3 decimal places
   */
  static RetryThrottle throttle(int maxTokens, double tokenRatio) {
    return RetryThrottle.of(maxTokens, tokenRatio);
  }

  /** A budget that always allows a retry and keeps no account; its {@link #balance()} is infinite. */
  static RetryBudget unlimited() {
    return UnlimitedRetryBudget.INSTANCE;
  }

  /** A new logical request is about to send its first attempt. */
  void onRequest();

  /**
   * Like {@link #onRequest()}, at {@code nowNanos} as just read from {@code ticker}: a budget that keeps time on
   * that same ticker may use the reading, if it needs the time at all, instead of reading its clock again (a clock
   * read costs more than the rest of a deposit). Callers with no reading at hand call {@link #onRequest()} rather
   * than reading the clock for this: {@link RatioRetryBudget} needs the time only on the few requests that date
   * the others. By default it ignores both and calls {@link #onRequest()}.
   */
  default void onRequest(Ticker ticker, long nowNanos) {
    onRequest();
  }

  /** An attempt ended with a success (a response the caller accepts). */
  void onAttemptSucceeded();

  /** An attempt ended with a failure that the upstream is to blame for (a retryable kind of failure). */
  void onAttemptFailed();

  /**
   * Asks to send one retry or hedge. Returns {@code true} and withdraws its cost when the budget allows it,
   * {@code false} (withdrawing nothing) when it is exhausted. The cost may be nothing: {@link RetryThrottle}
   * charges a retry only if it fails.
   */
  boolean tryAcquireRetry();

  /** A readable account of the balance, for events and snapshots (units depend on the budget type). */
  double balance();
}
