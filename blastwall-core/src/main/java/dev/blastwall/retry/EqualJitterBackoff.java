package dev.blastwall.retry;

import dev.blastwall.time.RandomSource;

/** See {@link Backoff#exponentialEqualJitter(java.time.Duration, java.time.Duration)}. */
record EqualJitterBackoff(long baseNanos, long capNanos) implements Backoff {

  @Override
  public long delayNanos(int retry, long previousDelayNanos, RandomSource random) {
    BackoffMath.checkRetry(retry);
    long ceiling = BackoffMath.exponentialCeiling(baseNanos, capNanos, retry);
    long half = ceiling / 2;
    // Jitter over ceiling - half rather than half, so an odd ceiling is still reachable.
    return half + random.nextLongInclusive(ceiling - half);
  }

  @Override
  public String toString() {
    return "EqualJitterBackoff[base=" + BackoffMath.duration(baseNanos) + ", cap=" + BackoffMath.duration(capNanos)
        + "]";
  }
}
