package dev.blastwall.time;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Uniform randomness for jitter and sampling, injected so tests can pin it down.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface RandomSource {

  /** Returns a value uniformly distributed in {@code [0, 1)}. */
  double nextDouble();

  /** Returns a value uniformly distributed in {@code [0, bound]}; {@code bound} must be {@code >= 0}. */
  default long nextLongInclusive(long bound) {
    // Computed from a double: good to 2^53, far more resolution than any jittered delay needs.
    long value = (long) (nextDouble() * ((double) bound + 1));
    return Math.min(value, bound);
  }

  /** Thread-local randomness: contention-free, not reproducible. */
  static RandomSource threadLocal() {
    return () -> ThreadLocalRandom.current().nextDouble();
  }
}
