package dev.blastwall.overload;

import java.util.concurrent.atomic.AtomicLong;

/**
 * An exponentially weighted moving average of non-negative nanosecond samples, each new sample weighing 1/8: it
 * follows a change within a few dozen samples without jumping on one outlier.
 *
 * <p>Thread-safe and lock-free. An update that loses a race with another is dropped rather than retried: one
 * sample more or less barely moves an average, and a retry loop would make every release contend on one word.
 */
final class RecentMean {

  private static final long NONE = -1;
  private static final int WEIGHT_SHIFT = 3;

  private final AtomicLong mean = new AtomicLong(NONE);

  /** Adds a sample; negative samples count as zero. */
  void add(long sampleNanos) {
    long sample = Math.max(0, sampleNanos);
    long previous = mean.get();
    // Both terms are non-negative, so the difference cannot overflow.
    long next = previous < 0 ? sample : previous + ((sample - previous) >> WEIGHT_SHIFT);
    boolean unused = mean.compareAndSet(previous, next);
  }

  /** The current average, or -1 before the first sample. */
  long nanos() {
    return mean.get();
  }

  /** The current average, or {@code fallback} before the first sample. */
  long nanosOr(long fallback) {
    long value = mean.get();
    return value < 0 ? fallback : value;
  }
}
