package dev.blastwall.deadline;

import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Untrusted;
import dev.blastwall.time.Ticker;

/**
 * The {@code grpc-timeout} wire format, shared by the gRPC, HTTP and messaging adapters to carry a deadline from
 * one service to the next.
 *
 * <p>A value is 1 to 8 ASCII digits followed by exactly one unit: {@code H} hours, {@code M} minutes, {@code S}
 * seconds, {@code m} milliseconds, {@code u} microseconds, {@code n} nanoseconds. Leading zeros are allowed;
 * nothing else is (no sign, no spaces, no other digits, nothing after the unit). {@code "0n"} means the deadline
 * has already passed.
 *
 * <p><b>Rounding.</b> {@link #encode(long)} picks the finest unit whose value fits in 8 digits and truncates to
 * it, so the callee is never promised more time than the caller has left. Timeouts up to 99,999,999 ns (about
 * 100 ms) travel exactly; above that a coarser unit is chosen only when the finer one overflows 8 digits, so the
 * value always has at least 100,000 units (at least 1,666,666 once minutes or hours are used) and the loss is
 * under one unit: {@code x - x / 100_000 <= decodeNanos(encode(x)) <= x} for every {@code x >= 0}. A positive
 * timeout thus never truncates to zero. Zero and negative timeouts encode as {@code "0n"}. Even
 * {@code Long.MAX_VALUE} ns is only about 2.6 million hours, so encoding never needs to clamp.
 *
 * <p>Decoding saturates instead of overflowing: {@code 99999999H} is more nanoseconds than a {@code long} holds and
 * decodes to {@code Long.MAX_VALUE}; {@link #decode} then clamps it like any other deadline offset.
 */
public final class TimeoutHeader {

  /** The header's name on the wire. */
  public static final String NAME = "grpc-timeout";

  private static final int MAX_DIGITS = 8;
  private static final long MAX_VALUE = 99_999_999L;
  private static final String EXPECTED = "1-8 ASCII digits followed by one of H M S m u n";

  /** Units from finest to coarsest, with their length in nanoseconds. */
  private static final char[] UNITS = {'n', 'u', 'm', 'S', 'M', 'H'};

  private static final long[] UNIT_NANOS = {
    1L, 1_000L, 1_000_000L, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L
  };

  private TimeoutHeader() {}

  /**
   * Encodes {@code timeoutNanos}, truncated to the finest unit that fits in 8 digits; zero or negative gives
   * {@code "0n"}.
   */
  public static String encode(long timeoutNanos) {
    if (timeoutNanos <= 0) {
      return "0n";
    }
    for (int i = 0; i < UNITS.length; i++) {
      long value = timeoutNanos / UNIT_NANOS[i];
      if (value <= MAX_VALUE) {
        // Cannot be zero (see the class comment); the max only guards the promise that positive stays positive.
        return Math.max(1, value) + String.valueOf(UNITS[i]);
      }
    }
    // Unreachable for a long (Long.MAX_VALUE ns is about 2.6e6 hours); kept so the result is always legal.
    return MAX_VALUE + "H";
  }

  /** Encodes the time left before {@code deadline}; {@code "0n"} once it has passed. */
  public static String encode(Deadline deadline) {
    return encode(deadline.remainingNanos());
  }

  /**
   * Parses a header value into nanoseconds, saturating at {@code Long.MAX_VALUE}.
   *
   * @throws IllegalArgumentException if {@code value} is not 1 to 8 ASCII digits followed by one unit
   */
  public static long decodeNanos(CharSequence value) {
    int length = value.length();
    if (length < 2 || length > MAX_DIGITS + 1) {
      throw invalid(value);
    }
    long unitNanos = unitNanos(value.charAt(length - 1));
    if (unitNanos < 0) {
      throw invalid(value);
    }
    long amount = 0;
    for (int i = 0; i < length - 1; i++) {
      char c = value.charAt(i);
      // Not Character.isDigit: that also accepts Arabic-Indic, full-width and other non-ASCII digits.
      if (c < '0' || c > '9') {
        throw invalid(value);
      }
      amount = amount * 10 + (c - '0');
    }
    return amount > Long.MAX_VALUE / unitNanos ? Long.MAX_VALUE : amount * unitNanos;
  }

  /**
   * Parses a header value into a deadline on {@code ticker}, counting from now.
   *
   * @throws IllegalArgumentException if {@code value} is not 1 to 8 ASCII digits followed by one unit
   */
  public static Deadline decode(CharSequence value, Ticker ticker) {
    return Deadline.afterNanos(decodeNanos(value), ticker);
  }

  private static long unitNanos(char unit) {
    for (int i = 0; i < UNITS.length; i++) {
      if (UNITS[i] == unit) {
        return UNIT_NANOS[i];
      }
    }
    return -1;
  }

  /** A header is peer input: the message shows it bounded and escaped. */
  private static IllegalArgumentException invalid(CharSequence value) {
    return Checks.invalidArgument(NAME, Untrusted.quote(value), EXPECTED);
  }
}
