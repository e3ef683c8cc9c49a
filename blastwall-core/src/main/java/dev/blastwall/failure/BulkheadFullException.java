package dev.blastwall.failure;

/**
 * The bulkhead guarding the upstream had no free slot (and no room in its wait queue, or the wait ran out): the
 * call was rejected at once so one slow dependency cannot hold every thread or connection of the caller.
 */
public final class BulkheadFullException extends BlastwallException {

  private static final long serialVersionUID = 1L;

  /** @param detail what was full, e.g. "20 of 20 calls in flight, wait queue full (10)" */
  public BulkheadFullException(String upstream, String detail, int attempts, long remainingNanos) {
    super(upstream, "bulkhead", detail, attempts, remainingNanos, null);
  }

  /** Local saturation, not the upstream's fault: treated like an overloaded answer. */
  @Override
  public FailureKind kind() {
    return FailureKind.OVERLOADED;
  }

  @Override
  public boolean doNotRetry() {
    return true;
  }
}
