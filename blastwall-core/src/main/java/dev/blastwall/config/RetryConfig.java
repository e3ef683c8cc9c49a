package dev.blastwall.config;

import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryPolicy;
import java.time.Duration;
import java.util.Locale;

/**
 * Retries: attempts in total (the first included) and the wait between them.
 *
 * @param base the first retry's ceiling; with {@link BackoffKind#CONSTANT}, the delay; unused with {@code NONE}
 * @param cap the longest wait, at least {@code base}; used by the jittered kinds only
 */
public record RetryConfig(int maxAttempts, BackoffKind backoff, Duration base, Duration cap) {

  /** Three attempts, full jitter from 100 ms up to 10 s. */
  public static final RetryConfig DEFAULT = new RetryConfig(
      RetryPolicy.DEFAULT_MAX_ATTEMPTS, BackoffKind.FULL_JITTER, Backoff.DEFAULT_BASE, Backoff.DEFAULT_CAP);

  /** How the wait between attempts is chosen; written as in configuration: {@code full-jitter}, ... */
  public enum BackoffKind {
    FULL_JITTER, EQUAL_JITTER, DECORRELATED, CONSTANT, NONE;

    /** The name configuration uses: {@code full-jitter}. */
    public String text() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** The policy this describes. */
  public RetryPolicy toPolicy() {
    Backoff wait = switch (backoff) {
      case FULL_JITTER -> Backoff.exponentialFullJitter(base, cap);
      case EQUAL_JITTER -> Backoff.exponentialEqualJitter(base, cap);
      case DECORRELATED -> Backoff.decorrelatedJitter(base, cap);
      case CONSTANT -> Backoff.constant(base);
      case NONE -> Backoff.none();
    };
    return RetryPolicy.builder().maxAttempts(maxAttempts).backoff(wait).build();
  }
}
