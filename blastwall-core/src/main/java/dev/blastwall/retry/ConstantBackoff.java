package dev.blastwall.retry;

import dev.blastwall.time.RandomSource;

/** See {@link Backoff#constant(java.time.Duration)} and {@link Backoff#none()}. */
record ConstantBackoff(long fixedNanos) implements Backoff {

  static final ConstantBackoff NONE = new ConstantBackoff(0);

  @Override
  public long delayNanos(int retry, long previousDelayNanos, RandomSource random) {
    BackoffMath.checkRetry(retry);
    return fixedNanos;
  }

  @Override
  public String toString() {
    return fixedNanos == 0
        ? "ConstantBackoff[none]"
        : "ConstantBackoff[delay=" + BackoffMath.duration(fixedNanos) + "]";
  }
}
