package dev.blastwall.retry;

import dev.blastwall.time.RandomSource;

/**
 * How long to wait before a retry.
 *
 * <p>Implementations are immutable and thread-safe; all randomness comes from the {@link RandomSource} passed in,
 * so tests can pin it down.
 */
@FunctionalInterface
public interface Backoff {

  /**
   * The delay before retry number {@code retry}.
   *
   * @param retry 0 for the first retry (the second attempt), 1 for the next, and so on
   * @param previousDelayNanos the delay this backoff returned for the previous retry, or 0 before the first
   * @param random the source of jitter
   * @return a delay in nanoseconds, never negative
   */
  long delayNanos(int retry, long previousDelayNanos, RandomSource random);
}
