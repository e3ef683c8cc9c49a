package dev.blastwall.propagation;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.deadline.TimeoutHeader;
import dev.blastwall.time.Ticker;

/** {@link DeadlineCodec#relative()}: the time left, as {@link TimeoutHeader} writes it. */
final class RelativeDeadlineCodec implements DeadlineCodec {

  static final RelativeDeadlineCodec INSTANCE = new RelativeDeadlineCodec();

  private RelativeDeadlineCodec() {}

  @Override
  public String headerName() {
    return Headers.TIMEOUT;
  }

  @Override
  public void write(Deadline deadline, HeaderSink sink) {
    sink.set(Headers.TIMEOUT, TimeoutHeader.encode(deadline));
  }

  @Override
  public HeaderValue<Deadline> read(HeaderSource source, Ticker ticker) {
    String value = source.get(Headers.TIMEOUT);
    if (value == null) {
      return HeaderValue.absent();
    }
    try {
      return HeaderValue.of(TimeoutHeader.decode(value, ticker));
    } catch (IllegalArgumentException malformed) {
      // TimeoutHeader's message is already "grpc-timeout: <quoted> (expected: ...)"; it checks the length first,
      // so a long value costs no more than a short one.
      return HeaderValue.refused(String.valueOf(malformed.getMessage()));
    }
  }

  @Override
  public String toString() {
    return "DeadlineCodec.relative[" + Headers.TIMEOUT + "]";
  }
}
