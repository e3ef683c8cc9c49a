package dev.blastwall.retry;

import dev.blastwall.internal.Checks;
import java.time.Duration;

/** Arithmetic shared by the built-in {@link Backoff} strategies: saturating, so no retry count can overflow. */
final class BackoffMath {

  private BackoffMath() {}

  /** Rejects a negative retry number, which only a bug in the caller can produce. */
  static void checkRetry(int retry) {
    if (retry < 0) {
      throw Checks.invalidArgument("retry", retry, ">= 0");
    }
  }

  /**
   * {@code min(capNanos, baseNanos * 2^retry)} without overflow, for {@code 0 < baseNanos <= capNanos} and
   * {@code retry >= 0}.
   */
  static long exponentialCeiling(long baseNanos, long capNanos, int retry) {
    // Comparing against cap >> retry decides "base << retry > cap" without computing the shift that may overflow;
    // from 63 on, any positive base exceeds every long (and Java would take the shift distance mod 64).
    if (retry >= Long.SIZE - 1 || baseNanos > capNanos >> retry) {
      return capNanos;
    }
    return baseNanos << retry;
  }

  /** {@code Math.min(value * 3, Long.MAX_VALUE)} for {@code value >= 0}. */
  static long saturatedTriple(long value) {
    return value > Long.MAX_VALUE / 3 ? Long.MAX_VALUE : value * 3;
  }

  /** Renders nanoseconds the way {@link Duration#toString()} does, for the strategies' {@code toString}. */
  static String duration(long nanos) {
    return Duration.ofNanos(nanos).toString();
  }
}
