package dev.blastwall.deadline;

import dev.blastwall.internal.Checks;
import java.time.Duration;

/**
 * How much of its deadline a hop keeps back from each child call, to receive and act on the answer (or the
 * failure) itself: {@code min(fraction * time left, max)}, and nothing once the deadline has passed. The one rule
 * every adapter applies, through {@link Deadline#forChild(Deadline, DeadlineSlack, Duration, dev.blastwall.time.Ticker)}.
 *
 * <p>{@link #fixed} keeps a fixed amount (the seed's "gateway has 300 ms, child gets now + 200 ms"), or all that
 * is left when less remains. Immutable and thread-safe.
 */
public final class DeadlineSlack {

  /** What a caller keeps back by default: 10% of the time left, at most 50 ms. */
  public static final DeadlineSlack DEFAULT = new DeadlineSlack(0.10, Duration.ofMillis(50));

  /** Nothing kept back: the child gets the whole deadline. */
  public static final DeadlineSlack NONE = new DeadlineSlack(0, Duration.ZERO);

  private final double fraction;
  private final Duration max;
  private final long maxNanos;

  private DeadlineSlack(double fraction, Duration max) {
    this.fraction = Checks.checkRange("fraction", fraction, 0, 1);
    this.max = Checks.checkNotNegative("max", max);
    this.maxNanos = Checks.saturatedNanos(max);
  }

  /**
   * Keeps back {@code fraction} ({@code 0 <= fraction <= 1}) of the time left, at most {@code max}.
   *
   * @throws IllegalArgumentException if {@code fraction} is outside [0, 1] or {@code max} is negative
   */
  public static DeadlineSlack of(double fraction, Duration max) {
    return new DeadlineSlack(fraction, max);
  }

  /** Keeps back {@code slack}, or all that is left when less remains. */
  public static DeadlineSlack fixed(Duration slack) {
    return new DeadlineSlack(1, slack);
  }

  /** The share of the time left kept back. */
  public double fraction() {
    return fraction;
  }

  /** The most kept back. */
  public Duration max() {
    return max;
  }

  /** The nanoseconds to keep back from a deadline {@code remainingNanos} away; zero once it has passed. */
  public long slackNanos(long remainingNanos) {
    if (remainingNanos <= 0) {
      return 0;
    }
    // fraction 1 exactly: the double product would round remainders beyond 2^53 ns.
    long share = fraction >= 1 ? remainingNanos : (long) (remainingNanos * fraction);
    return Math.min(maxNanos, share);
  }

  @Override
  public String toString() {
    return "DeadlineSlack[" + fraction + " of the time left, at most " + max + "]";
  }
}
