package dev.blastwall.relay;

import dev.blastwall.internal.Checks;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What a hop says about retrying a failure (gRPC {@code grpc-retry-pushback-ms}, HTTP {@code Retry-After}): retry
 * after exactly this long, do not retry, or nothing. Immutable.
 */
public final class RetryHint {

  private static final long NONE = -2;
  private static final long DO_NOT_RETRY = -1;
  private static final RetryHint NO_HINT = new RetryHint(NONE);
  private static final RetryHint DO_NOT = new RetryHint(DO_NOT_RETRY);

  private final long nanos;

  private RetryHint(long nanos) {
    this.nanos = nanos;
  }

  /** No hint: the caller's own backoff applies. */
  public static RetryHint none() {
    return NO_HINT;
  }

  /** "Do not retry" (gRPC: a negative or unreadable pushback). */
  public static RetryHint doNotRetry() {
    return DO_NOT;
  }

  /** "Retry after exactly {@code delay}", which replaces the backoff; {@code delay} must not be negative. */
  public static RetryHint after(Duration delay) {
    return new RetryHint(Checks.saturatedNanos(Checks.checkNotNegative("delay", delay)));
  }

  /** "Retry after exactly {@code millis}" for {@code millis >= 0}; "do not retry" for a negative value. */
  public static RetryHint afterMillis(long millis) {
    if (millis < 0) {
      return DO_NOT;
    }
    return new RetryHint(millis > Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : millis * 1_000_000);
  }

  public boolean isNone() {
    return nanos == NONE;
  }

  public boolean isDoNotRetry() {
    return nanos == DO_NOT_RETRY;
  }

  /** Whether this says "retry after" a time ({@link #retryAfterNanos()}). */
  public boolean isAfter() {
    return nanos >= 0;
  }

  /** The time to wait in nanoseconds when {@link #isAfter()}, else -1. */
  public long retryAfterNanos() {
    return nanos >= 0 ? nanos : -1;
  }

  /**
   * {@link #retryAfterNanos()} in whole milliseconds, rounded up (retrying a little later than asked is harmless, a
   * little earlier is not); -1 when this is not a time.
   */
  public long retryAfterMillisRoundedUp() {
    if (nanos < 0) {
      return -1;
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
    return TimeUnit.MILLISECONDS.toNanos(millis) < nanos ? millis + 1 : millis;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof RetryHint hint && hint.nanos == nanos;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(nanos);
  }

  @Override
  public String toString() {
    return isNone() ? "RetryHint[none]" : isDoNotRetry() ? "RetryHint[do not retry]"
        : "RetryHint[after " + Duration.ofNanos(nanos) + "]";
  }
}
