package dev.blastwall.limit;

import dev.blastwall.internal.Checks;

/**
 * A concurrency-limit algorithm: a pure function of the samples fed to it, in the style of Netflix
 * concurrency-limits' {@code onSample(startTime, rtt, inflight, didDrop)}.
 *
 * <p>A limit never reads a clock: every time it needs comes from the samples themselves ({@code startNanos} and
 * {@code startNanos + rttNanos}, both readings of the limiter's {@link dev.blastwall.time.Ticker}), so a test can
 * drive it with computed samples and no ticker at all.
 *
 * <p><b>Threading.</b> Implementations must be thread-safe: a limiter calls {@link #onSample} from whichever thread
 * ends a request, concurrently, and reads {@link #limit()} on every admission. Concurrent samples must have the
 * effect of some serial order. Blastwall's limits are lock-free: immutable state replaced by compare-and-set.
 */
public interface Limit {

  /** The current limit, at least 1. */
  int limit();

  /**
   * Feeds one completed request and returns the limit after it.
   *
   * @param startNanos the ticker reading when the request was admitted
   * @param rttNanos how long it took, from admission to completion
   * @param inflight requests in flight when it was admitted, itself included
   * @param dropped whether it timed out or was refused as overloaded: a congestion signal, whatever its rtt
   * @return the new limit
   */
  int onSample(long startNanos, long rttNanos, int inflight, boolean dropped);

  /**
   * A limit that never moves: {@link PartitionedLimiter} over a fixed capacity, or a baseline in tests.
   *
   * @throws IllegalArgumentException if {@code limit < 1}
   */
  static Limit fixed(int limit) {
    return new FixedLimit(Checks.checkRange("limit", limit, 1, Integer.MAX_VALUE));
  }
}
