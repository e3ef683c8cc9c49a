package dev.blastwall.ratelimit;

import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.internal.Checks;
import java.time.Duration;
import java.util.Locale;

/** Checks and messages shared by the limiters, so they all validate and report the same way. */
final class RateLimitSupport {

  /**
   * The largest span of time the limiters work with, about 73 years. Keeping windows, bursts and waits below it
   * leaves headroom so that sums of two or three of them never overflow a {@code long}.
   */
  static final long MAX_NANOS = 1L << 61;

  static final Duration MAX_DURATION = Duration.ofNanos(MAX_NANOS);

  static final Duration MIN_WINDOW = Duration.ofMillis(1);

  private RateLimitSupport() {}

  /** Rejects a permit count outside {@code [1, limit]}: more than the limit could never be granted. */
  static void checkPermits(int permits, long limit) {
    if (permits < 1 || permits > limit) {
      throw Checks.invalidArgument("permits", permits, "1 <= permits <= " + limit);
    }
  }

  /** Rejects a negative wait and clamps huge ones to {@link #MAX_NANOS}, which is "forever" for all purposes. */
  static long checkMaxWait(long maxWaitNanos) {
    return Math.min(Checks.checkAtLeast("maxWaitNanos", maxWaitNanos, 0), MAX_NANOS);
  }

  /** A window of at least a millisecond and at most {@link #MAX_DURATION}. */
  static long checkWindow(String name, Duration window) {
    return Checks.checkRange(name, window, MIN_WINDOW, MAX_DURATION).toNanos();
  }

  static RateLimitedException rejection(String algorithm, RateLimiter limiter, String upstream, String key,
      int attempts, long remainingNanos, long refusal) {
    if (refusal >= 0) {
      throw Checks.invalidArgument("refusal", refusal, "a refused answer of tryAcquire, < 0");
    }
    long retryAfter = RateLimiter.retryAfterNanos(refusal);
    String detail = algorithm + " '" + key + "': " + limiter.availablePermits() + " of " + limiter.limit()
        + " permits, next in " + millis(retryAfter);
    return new RateLimitedException(upstream, detail, attempts, remainingNanos, retryAfter);
  }

  /** Milliseconds with one decimal, independent of the default locale so messages read the same everywhere. */
  static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  /** The later of two ticker readings; readings may wrap around, so only their difference is compared. */
  static long later(long a, long b) {
    return a - b >= 0 ? a : b;
  }
}
