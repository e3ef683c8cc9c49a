package dev.blastwall.failure;

/**
 * A retry was called for but the upstream's retry budget had no room: the upstream is failing for many callers at
 * once and more retries would only add load. The last failure is the cause; the layers above should not retry.
 */
public final class RetryBudgetExhaustedException extends BlastwallException {

  private static final long serialVersionUID = 1L;

  private final FailureKind lastKind;

  public RetryBudgetExhaustedException(String upstream, int attempts, long remainingNanos, FailureKind lastKind,
      Throwable lastFailure) {
    super(upstream, "retry-budget", "retry budget exhausted", attempts, remainingNanos, lastFailure);
    this.lastKind = lastKind;
  }

  /** The kind of the last failure. */
  @Override
  public FailureKind kind() {
    return lastKind;
  }

  @Override
  public boolean doNotRetry() {
    return true;
  }
}
