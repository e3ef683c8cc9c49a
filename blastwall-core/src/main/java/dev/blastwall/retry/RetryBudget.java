package dev.blastwall.retry;

/**
 * Caps how much extra load retries (and hedges) may add to one upstream, so a sick dependency is not hit harder
 * while it is sick. One budget is shared by every call to the same upstream.
 *
 * <p>Implementations are thread-safe and lock-free; the balance never goes negative.
 */
public interface RetryBudget {

  /** A new logical request is about to send its first attempt. */
  void onRequest();

  /** An attempt ended with a success (a response the caller accepts). */
  void onAttemptSucceeded();

  /** An attempt ended with a failure that the upstream is to blame for (a retryable kind of failure). */
  void onAttemptFailed();

  /**
   * Asks to send one retry or hedge. Returns {@code true} and withdraws its cost when the budget allows it,
   * {@code false} (withdrawing nothing) when it is exhausted.
   */
  boolean tryAcquireRetry();

  /** A readable account of the balance, for events and snapshots (units depend on the budget type). */
  double balance();
}
