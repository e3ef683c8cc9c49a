package dev.blastwall.retry;

/** The budget that never says no, for callers that cap retries some other way (or in tests). */
enum UnlimitedRetryBudget implements RetryBudget {
  INSTANCE;

  @Override
  public void onRequest() {}

  @Override
  public void onAttemptSucceeded() {}

  @Override
  public void onAttemptFailed() {}

  @Override
  public boolean tryAcquireRetry() {
    return true;
  }

  /** Always {@link Double#POSITIVE_INFINITY}: there is no limit to report. */
  @Override
  public double balance() {
    return Double.POSITIVE_INFINITY;
  }

  @Override
  public String toString() {
    return "RetryBudget.unlimited()";
  }
}
