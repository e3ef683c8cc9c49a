package dev.blastwall.failure;

import org.jspecify.annotations.Nullable;

/**
 * A server (or a client's local throttle) refused work because it is overloaded: admission control shed the
 * request for its criticality, the queue was full, the request's deadline would pass before it could start, or the
 * adaptive concurrency limit was reached. The work was not done.
 *
 * <p>It carries a retry-after hint and asks the layers above not to retry: adapters send it as gRPC
 * RESOURCE_EXHAUSTED with {@code grpc-retry-pushback-ms} (or UNAVAILABLE) and as HTTP 429 / 503 with Retry-After,
 * so only the caller directly above may try again, after the hint, and nothing further up multiplies the load.
 */
public final class OverloadedException extends BlastwallException {

  private static final long serialVersionUID = 1L;

  private final long retryAfterNanos;
  private final @Nullable String reason;

  /**
   * @param service the overloaded service or upstream
   * @param policy which mechanism refused: {@code admission}, {@code queue}, {@code concurrency-limit},
   *     {@code client-throttle}
   * @param detail what was seen, e.g. "SHEDDABLE shed: 96 of 100 in flight (reserved 20 for CRITICAL_PLUS)"
   * @param retryAfterNanos a hint of when to try again, or -1
   * @param reason a short machine-readable reason for metrics ({@code shed}, {@code queue-full},
   *     {@code deadline}, {@code limit}, {@code throttled}), or {@code null}
   */
  public OverloadedException(String service, String policy, String detail, long retryAfterNanos,
      @Nullable String reason) {
    super(service, policy, detail, 0, NO_DEADLINE, null);
    this.retryAfterNanos = retryAfterNanos;
    this.reason = reason;
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

  /** A short machine-readable reason, or {@code null}. */
  public @Nullable String reason() {
    return reason;
  }
}
