package dev.blastwall.failure;

/**
 * The retry policy stopped with the call still failing: attempts used up, or too little deadline left to wait
 * out the next backoff. The last failure is the cause. It asks the layers above not to retry again, so only one
 * layer of a call stack ever multiplies load.
 */
public final class RetriesExhaustedException extends BlastwallException {

  private static final long serialVersionUID = 1L;

  private final FailureKind lastKind;

  public RetriesExhaustedException(String upstream, String detail, int attempts, long remainingNanos,
      FailureKind lastKind, Throwable lastFailure) {
    super(upstream, "retry", detail, attempts, remainingNanos, lastFailure);
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
