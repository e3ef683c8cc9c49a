package dev.blastwall.failure;

/**
 * The circuit breaker for the upstream is open (or half-open with all its probes in flight): the call was
 * rejected without being sent, so the sick upstream gets room to recover and the caller fails fast instead of
 * waiting on it. Not retried at this layer: the breaker's verdict holds for every attempt until it probes again.
 */
public final class CallNotPermittedException extends BlastwallException {

  private static final long serialVersionUID = 1L;

  private final long retryAfterNanos;

  /**
   * @param detail what the breaker saw, e.g. "circuit OPEN (failure rate 62.0% >= 50.0%)"
   * @param retryAfterNanos when the breaker will next let a probe through, or -1 if unknown
   */
  public CallNotPermittedException(String upstream, String detail, int attempts, long remainingNanos,
      long retryAfterNanos) {
    super(upstream, "circuit-breaker", detail, attempts, remainingNanos, null);
    this.retryAfterNanos = retryAfterNanos;
  }

  @Override
  public FailureKind kind() {
    return FailureKind.UNAVAILABLE;
  }

  @Override
  public boolean doNotRetry() {
    return true;
  }

  @Override
  public long retryAfterNanos() {
    return retryAfterNanos;
  }
}
