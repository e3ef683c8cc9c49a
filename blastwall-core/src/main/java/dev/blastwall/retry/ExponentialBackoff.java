package dev.blastwall.retry;

import dev.blastwall.time.RandomSource;

/** See {@link Backoff#exponential(java.time.Duration, java.time.Duration)}. */
record ExponentialBackoff(long baseNanos, long capNanos) implements Backoff {

  @Override
  public long delayNanos(int retry, long previousDelayNanos, RandomSource random) {
    BackoffMath.checkRetry(retry);
    return BackoffMath.exponentialCeiling(baseNanos, capNanos, retry);
  }

  @Override
  public String toString() {
    return "ExponentialBackoff[base=" + BackoffMath.duration(baseNanos) + ", cap=" + BackoffMath.duration(capNanos)
        + "]";
  }
}
