package dev.blastwall.propagation;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.time.Ticker;
import java.time.InstantSource;

/** {@link DeadlineCodec#absolute}: the wall-clock expiry in epoch milliseconds. */
final class AbsoluteDeadlineCodec implements DeadlineCodec {

  static final String EXPECTED = "epoch milliseconds, 1 to " + HeaderValues.MAX_NUMBER_CHARS + " ASCII digits";

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final InstantSource wallClock;

  AbsoluteDeadlineCodec(InstantSource wallClock) {
    this.wallClock = wallClock;
  }

  @Override
  public String headerName() {
    return Headers.DEADLINE;
  }

  @Override
  public void write(Deadline deadline, HeaderSink sink) {
    // floorDiv: rounds toward the past, so the receiver never gets more time; 0 for anything before 1970.
    long expiry = Math.max(0, wallClock.millis() + Math.floorDiv(deadline.remainingNanos(), NANOS_PER_MILLI));
    sink.set(Headers.DEADLINE, Long.toString(expiry));
  }

  @Override
  public HeaderValue<Deadline> read(HeaderSource source, Ticker ticker) {
    String value = source.get(Headers.DEADLINE);
    if (value == null) {
      return HeaderValue.absent();
    }
    long expiry = HeaderValues.parseNonNegative(value);
    if (expiry < 0) {
      return HeaderValues.refused(Headers.DEADLINE, value, EXPECTED);
    }
    long remainingMillis = expiry - wallClock.millis();
    // Saturate: Deadline clamps the offset to about 100 years anyway.
    long remainingNanos = Math.abs(remainingMillis) > Long.MAX_VALUE / NANOS_PER_MILLI
        ? (remainingMillis < 0 ? Long.MIN_VALUE : Long.MAX_VALUE)
        : remainingMillis * NANOS_PER_MILLI;
    return HeaderValue.of(Deadline.afterNanos(remainingNanos, ticker));
  }

  @Override
  public String toString() {
    return "DeadlineCodec.absolute[" + Headers.DEADLINE + ", " + wallClock + "]";
  }
}
