package dev.blastwall.limit;

/** {@link Limit#fixed(int)}: ignores every sample. Immutable, so also thread-safe. */
final class FixedLimit implements Limit {

  private final int limit;

  FixedLimit(int limit) {
    this.limit = limit;
  }

  @Override
  public int limit() {
    return limit;
  }

  @Override
  public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    return limit;
  }

  @Override
  public String toString() {
    return "FixedLimit[" + limit + "]";
  }
}
