package dev.blastwall.retry;

import dev.blastwall.time.RandomSource;

/** See {@link Backoff#exponentialFullJitter(java.time.Duration, java.time.Duration)}. */
record FullJitterBackoff(long baseNanos, long capNanos) implements Backoff {

  @Override
  public long delayNanos(int retry, long previousDelayNanos, RandomSource random) {
    BackoffMath.checkRetry(retry);
    return random.nextLongInclusive(BackoffMath.exponentialCeiling(baseNanos, capNanos, retry));
  }

  @Override
  public String toString() {
    return "FullJitterBackoff[base=" + BackoffMath.duration(baseNanos) + ", cap=" + BackoffMath.duration(capNanos)
        + "]";
  }
}
