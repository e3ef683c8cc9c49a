package dev.blastwall.failure;

/**
 * A rate limiter refused the call: no permit now, and none within the wait the caller allowed. Carries how long
 * until the next permit, which adapters send as Retry-After / RateLimit headers or gRPC pushback.
 */
public final class RateLimitedException extends BlastwallException {

  private static final long serialVersionUID = 1L;

  private final long retryAfterNanos;

  /**
   * @param detail which limit and key, e.g. "token bucket 'tenant-42': 0 of 100 permits"
   * @param retryAfterNanos nanoseconds until a permit is expected to be free
   */
  public RateLimitedException(String upstream, String detail, int attempts, long remainingNanos,
      long retryAfterNanos) {
    super(upstream, "rate-limiter", detail, attempts, remainingNanos, null);
    this.retryAfterNanos = retryAfterNanos;
  }

  @Override
  public FailureKind kind() {
    return FailureKind.OVERLOADED;
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
