package dev.blastwall.kafka.internal;

/**
 * The failures of one record so far: how many handler attempts failed and when the first and last did (epoch ms).
 * Immutable; the runner replaces it on each failure.
 *
 * @param offset the record's offset, so state left from a record already dealt with is never applied to another
 * @param attempts handler attempts that failed
 * @param firstFailureMillis when the first failure happened
 * @param lastFailureMillis when the last failure happened
 * @param retryAtNanos when the next attempt is due, on the runner's ticker
 */
public record Failures(long offset, int attempts, long firstFailureMillis, long lastFailureMillis,
    long retryAtNanos) {

  /** The first failure of the record at {@code offset}. */
  public static Failures first(long offset, long nowMillis) {
    return new Failures(offset, 1, nowMillis, nowMillis, 0);
  }

  /** One more failure. */
  public Failures again(long nowMillis) {
    return new Failures(offset, attempts + 1, firstFailureMillis, nowMillis, 0);
  }

  /** This state with the next attempt due at {@code nanos}. */
  public Failures retryAt(long nanos) {
    return new Failures(offset, attempts, firstFailureMillis, lastFailureMillis, nanos);
  }
}
