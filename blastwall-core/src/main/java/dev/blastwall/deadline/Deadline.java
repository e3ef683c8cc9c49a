package dev.blastwall.deadline;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An absolute point in time on a {@link Ticker} by which a whole request must be done.
 *
 * <p>Unlike a timeout, a deadline travels with the request: each hop sees what is left, not a fresh allowance.
 * Offsets are clamped to about &plusmn;100 years, so arithmetic on deadlines never overflows even though
 * {@code nanoTime} readings may sit anywhere in the {@code long} range and wrap around.
 *
 * <p>Immutable and thread-safe. Two deadlines can only be compared when they use the same ticker.
 */
public final class Deadline implements Comparable<Deadline> {

  /** About 100 years: far beyond any real deadline, far inside the {@code long} range of nanoseconds. */
  static final long MAX_OFFSET_NANOS = TimeUnit.DAYS.toNanos(100 * 365);

  private final Ticker ticker;
  private final long deadlineNanos;

  private Deadline(Ticker ticker, long deadlineNanos) {
    this.ticker = ticker;
    this.deadlineNanos = deadlineNanos;
  }

  /** A deadline {@code timeout} from now on the system ticker. */
  public static Deadline after(Duration timeout) {
    return after(timeout, Ticker.system());
  }

  /** A deadline {@code timeout} from now on {@code ticker}; negative timeouts give an already-expired deadline. */
  public static Deadline after(Duration timeout, Ticker ticker) {
    return afterNanos(Checks.saturatedNanos(timeout), ticker);
  }

  /** A deadline {@code timeoutNanos} from now on {@code ticker}, clamped to about &plusmn;100 years. */
  public static Deadline afterNanos(long timeoutNanos, Ticker ticker) {
    return new Deadline(ticker, ticker.nanos() + clamp(timeoutNanos));
  }

  private static long clamp(long offsetNanos) {
    return Math.max(-MAX_OFFSET_NANOS, Math.min(MAX_OFFSET_NANOS, offsetNanos));
  }

  /** The ticker this deadline is measured on. */
  public Ticker ticker() {
    return ticker;
  }

  /** Nanoseconds left before the deadline; zero or negative once it has passed. */
  public long remainingNanos() {
    return deadlineNanos - ticker.nanos();
  }

  /** Time left before the deadline; zero or negative once it has passed. */
  public Duration remaining() {
    return Duration.ofNanos(remainingNanos());
  }

  /** Whether the deadline has passed. */
  public boolean isExpired() {
    return remainingNanos() <= 0;
  }

  /** The earlier of the two: a nested call never gets more time than its caller has left. */
  public Deadline min(@Nullable Deadline other) {
    if (other == null) {
      return this;
    }
    return compareTo(other) <= 0 ? this : other;
  }

  /** Whether this deadline comes strictly before {@code other}. */
  public boolean isBefore(Deadline other) {
    return compareTo(other) < 0;
  }

  /**
   * The deadline to hand down to a child call, keeping {@code slack} for this hop's own work after the child
   * answers (the seed's "gateway has 300 ms, child gets now + 200 ms"). The result is never later than this one.
   *
   * @throws IllegalArgumentException if {@code slack} is negative
   */
  public Deadline reserve(Duration slack) {
    Checks.checkNotNegative("slack", slack);
    return offset(-Checks.saturatedNanos(slack));
  }

  /** This deadline moved by {@code offsetNanos} (clamped). */
  public Deadline offset(long offsetNanos) {
    // One reading only: re-reading the ticker would shift the result by the time between the two reads, so a
    // zero offset (or reserve(ZERO)) could land later than this deadline.
    long now = ticker.nanos();
    long moved = clamp(deadlineNanos - now + clamp(offsetNanos));
    return new Deadline(ticker, now + moved);
  }

  /**
   * The child deadline for an outgoing call: {@code timeout} from now, but never later than this deadline minus a
   * fixed {@code slack} (all of what is left when less remains). Either limit may be absent.
   */
  public static @Nullable Deadline forChild(
      @Nullable Deadline parent, Duration slack, @Nullable Duration timeout, Ticker ticker) {
    return forChild(parent, DeadlineSlack.fixed(slack), timeout, ticker);
  }

  /**
   * The child deadline for an outgoing call: {@code timeout} from now, but never later than this deadline minus
   * the {@code slack} it keeps back. Either limit may be absent. Every adapter derives its outgoing deadline here.
   */
  public static @Nullable Deadline forChild(
      @Nullable Deadline parent, DeadlineSlack slack, @Nullable Duration timeout, Ticker ticker) {
    Deadline fromParent = parent == null ? null : parent.offset(-slack.slackNanos(parent.remainingNanos()));
    Deadline fromTimeout = timeout == null ? null : after(timeout, ticker);
    if (fromParent == null) {
      return fromTimeout;
    }
    return fromParent.min(fromTimeout);
  }

  @Override
  public int compareTo(Deadline other) {
    if (other.ticker != ticker) {
      throw new IllegalArgumentException(
          Checks.invalid("other.ticker", other.ticker, "the same ticker as this deadline (" + ticker + ")"));
    }
    // Compare by difference, not by value: nanoTime readings may wrap around.
    return Long.signum(deadlineNanos - other.deadlineNanos);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Deadline that && that.ticker == ticker && that.deadlineNanos == deadlineNanos;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(deadlineNanos) * 31 + System.identityHashCode(ticker);
  }

  @Override
  public String toString() {
    long remaining = remainingNanos();
    String sign = remaining < 0 ? "-" : "";
    long abs = Math.abs(remaining);
    // Locale.ROOT: the default locale may pad with non-ASCII digits (ar-SA, fa), mixing scripts in one number.
    return "Deadline[" + (remaining <= 0 ? "expired " : "") + sign + (abs / 1_000_000) + "."
        + String.format(Locale.ROOT, "%06d", abs % 1_000_000) + " ms from now]";
  }
}
