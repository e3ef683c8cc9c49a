package dev.blastwall.failure;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The failures Blastwall's own policies raise. Each message names the upstream and the policy, the attempts made
 * and the deadline left, and the original failure stays attached as the cause.
 *
 * <p>The family is sealed so callers can switch over it exhaustively; the next policies (breaker, bulkhead, rate
 * limiter, shedding) join it.
 */
public abstract sealed class BlastwallException extends RuntimeException
    permits AttemptTimeoutException, BulkheadFullException, CallNotPermittedException, DeadlineExceededException,
        OverloadedException, RateLimitedException, RetriesExhaustedException, RetryBudgetExhaustedException {

  private static final long serialVersionUID = 1L;

  /** Marks {@link #remainingNanos()} when the call had no deadline. */
  public static final long NO_DEADLINE = Long.MIN_VALUE;

  private final String upstream;
  private final String policy;
  private final int attempts;
  private final long remainingNanos;

  BlastwallException(String upstream, String policy, String detail, int attempts, long remainingNanos,
      @Nullable Throwable cause) {
    super(message(upstream, policy, detail, attempts, remainingNanos, cause), cause);
    this.upstream = upstream;
    this.policy = policy;
    this.attempts = attempts;
    this.remainingNanos = remainingNanos;
  }

  private static String message(String upstream, String policy, String detail, int attempts, long remainingNanos,
      @Nullable Throwable cause) {
    StringBuilder text = new StringBuilder(upstream).append(": ").append(policy).append(": ").append(detail)
        .append(" (attempts: ").append(attempts).append(", deadline: ");
    if (remainingNanos == NO_DEADLINE) {
      text.append("none");
    } else if (remainingNanos <= 0) {
      text.append("expired ").append(millis(-remainingNanos)).append(" ago");
    } else {
      text.append(millis(remainingNanos)).append(" left");
    }
    text.append(')');
    if (cause != null) {
      text.append("; last failure: ").append(cause);
    }
    return text.toString();
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  /** The upstream (pipeline name) the call went to. */
  public String upstream() {
    return upstream;
  }

  /**
   * The policy that gave up: {@code retry}, {@code retry-budget}, {@code deadline}, {@code attempt-timeout},
   * {@code circuit-breaker}, {@code bulkhead}, {@code rate-limiter}.
   */
  public String policy() {
    return policy;
  }

  /** How many attempts were sent. */
  public int attempts() {
    return attempts;
  }

  /** Nanoseconds left on the call's deadline when this was raised, or {@link #NO_DEADLINE}. */
  public long remainingNanos() {
    return remainingNanos;
  }

  /** How a caller's policies should treat this failure. */
  public abstract FailureKind kind();

  /** Whether the layers above should refrain from retrying (this layer already did, or chose not to). */
  public boolean doNotRetry() {
    return false;
  }

  /** A retry-after hint for the layers above, or -1. */
  public long retryAfterNanos() {
    return -1;
  }
}
