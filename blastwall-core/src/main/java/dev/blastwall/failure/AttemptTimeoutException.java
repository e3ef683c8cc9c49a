package dev.blastwall.failure;

import java.util.Locale;

/**
 * One attempt ran longer than its attempt timeout and was stopped (interrupted, or its future cancelled). The
 * request may have run, so it is retried only for idempotent operations.
 */
public final class AttemptTimeoutException extends BlastwallException {

  private static final long serialVersionUID = 1L;

  public AttemptTimeoutException(String upstream, long timeoutNanos, int attempts, long remainingNanos) {
    super(upstream, "attempt-timeout",
        String.format(Locale.ROOT, "attempt %d timed out after %.1f ms", attempts, timeoutNanos / 1e6), attempts,
        remainingNanos, null);
  }

  @Override
  public FailureKind kind() {
    return FailureKind.TIMEOUT;
  }
}
