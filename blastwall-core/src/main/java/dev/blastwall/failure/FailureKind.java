package dev.blastwall.failure;

/**
 * The class of a failed attempt, which decides whether retrying can help. Protocol adapters map their statuses
 * onto these (gRPC UNAVAILABLE and HTTP 503 are {@link #UNAVAILABLE}; RESOURCE_EXHAUSTED and 429 are
 * {@link #OVERLOADED}; INVALID_ARGUMENT and 400 are {@link #INVALID}, and so on).
 */
public enum FailureKind {
  /**
   * The upstream could not be reached or said it is unavailable. Usually the request did not run, but it may have
   * (a connection that broke after the server ran it looks the same), so it is retried for repeatable operations
   * only, unless the adapter knows the request {@linkplain FailureClassifier#didNotRun did not run}.
   */
  UNAVAILABLE,
  /**
   * The upstream is overloaded and asked to slow down, possibly with a retry-after hint. Retryable for repeatable
   * operations, and for any operation the upstream refused before running it.
   */
  OVERLOADED,
  /** The attempt ran out of its own time; the request may or may not have run. Retryable only if idempotent. */
  TIMEOUT,
  /** The upstream failed internally; the request may have partly run. Retryable only if idempotent. */
  INTERNAL,
  /** The request itself is wrong (validation, not found, permission denied): repeating it cannot help. */
  INVALID,
  /** The whole call's deadline passed: nobody is waiting for a retry any more. */
  DEADLINE_EXCEEDED,
  /** The caller cancelled the call. */
  CANCELLED,
  /** Anything not classified: not retried, since nothing says that repeating it is safe or useful. */
  UNKNOWN;

  /**
   * Whether a failure of this kind may be retried for an operation with the given idempotency: never for a
   * non-repeatable operation; for a repeatable one, the kinds that mean "did not run" or "try later", plus the
   * kinds that mean "may have run" when the operation is idempotent by nature (a key alone does not make a
   * half-done mutation safe to redo).
   */
  public boolean isRetryable(boolean idempotent, boolean hasIdempotencyKey) {
    if (!idempotent && !hasIdempotencyKey) {
      return false;
    }
    return switch (this) {
      case UNAVAILABLE, OVERLOADED -> true;
      case TIMEOUT, INTERNAL -> idempotent;
      case INVALID, DEADLINE_EXCEEDED, CANCELLED, UNKNOWN -> false;
    };
  }

  /**
   * Like {@link #isRetryable(boolean, boolean)}, knowing whether the request certainly did not run: it never left
   * the client, or the upstream refused it before running it ({@link FailureClassifier#didNotRun}). Such a failure
   * of a kind that says "try again" (UNAVAILABLE, OVERLOADED, or TIMEOUT: a time limit that passed before the
   * request was sent) may be retried for any operation, repeatable or not: nothing ran that could run twice.
   */
  public boolean isRetryable(boolean idempotent, boolean hasIdempotencyKey, boolean didNotRun) {
    if (didNotRun && (this == UNAVAILABLE || this == OVERLOADED || this == TIMEOUT)) {
      return true;
    }
    return isRetryable(idempotent, hasIdempotencyKey);
  }

  /**
   * Whether a failure of this kind counts against the upstream's health: the one rule that the circuit breaker
   * (what opens it), the pipeline (what its retry budget is told) and the load balancers' outlier ejection (what
   * ejects an endpoint) share, so an upstream one of them thinks sick the others do too.
   *
   * <p>UNAVAILABLE, TIMEOUT and INTERNAL say the upstream is unwell. So does OVERLOADED: an upstream that sheds
   * is failing to serve, and counting it is how callers take load off it. The breaker opens and the caller sheds
   * locally instead of sending work that will be refused; a balancer moves traffic to other endpoints, which
   * matters because a shedding endpoint answers fast, so a least-loaded pick would otherwise send it more.
   * Ejection cannot empty a fleet that is overloaded as a whole: it is bounded by the balancer's ejection
   * percentage and ignored when every ready endpoint would be out.
   *
   * <p>INVALID (the request is wrong), DEADLINE_EXCEEDED and CANCELLED (the caller's own time or choice) and
   * UNKNOWN (nothing says whose fault it is) do not count.
   */
  public boolean countsAgainstUpstream() {
    return switch (this) {
      case UNAVAILABLE, OVERLOADED, TIMEOUT, INTERNAL -> true;
      case INVALID, DEADLINE_EXCEEDED, CANCELLED, UNKNOWN -> false;
    };
  }
}
