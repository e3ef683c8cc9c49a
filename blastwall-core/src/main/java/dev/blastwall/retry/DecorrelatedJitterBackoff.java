package dev.blastwall.retry;

import dev.blastwall.time.RandomSource;

/** See {@link Backoff#decorrelatedJitter(java.time.Duration, java.time.Duration)}. */
record DecorrelatedJitterBackoff(long baseNanos, long capNanos) implements Backoff {

  @Override
  public long delayNanos(int retry, long previousDelayNanos, RandomSource random) {
    BackoffMath.checkRetry(retry);
    // A previous delay below base (0 before the first retry) restarts the walk from base.
    long previous = Math.max(previousDelayNanos, baseNanos);
    long upper = BackoffMath.saturatedTriple(previous);
    long delay = baseNanos + random.nextLongInclusive(upper - baseNanos);
    return Math.min(capNanos, delay);
  }

  @Override
  public String toString() {
    return "DecorrelatedJitterBackoff[base=" + BackoffMath.duration(baseNanos) + ", cap="
        + BackoffMath.duration(capNanos) + "]";
  }
}
