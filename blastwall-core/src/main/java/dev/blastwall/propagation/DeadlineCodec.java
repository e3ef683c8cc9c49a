package dev.blastwall.propagation;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.time.Ticker;
import java.time.InstantSource;

/**
 * Carries a deadline in one header. Two forms:
 * <ul>
 *   <li>{@link #relative()}: the time left when the request is sent ({@link Headers#TIMEOUT}), for RPC, where the
 *       request arrives at once; clocks of the two hosts need not agree;
 *   <li>{@link #absolute}: the wall-clock expiry in epoch milliseconds ({@link Headers#DEADLINE}), for messages
 *       that wait in a broker, where the time spent waiting must count; it trusts the hosts' clocks to agree
 *       (NTP keeps them within milliseconds, small next to a deadline).
 * </ul>
 *
 * <p>Both round down, so the receiver is never promised more time than the sender has left. A read never throws:
 * a malformed value is a refusal naming the header.
 */
public interface DeadlineCodec {

  /** The header this codec uses. */
  String headerName();

  /** Writes {@code deadline} to {@code sink}; an expired one is written too, as already passed. */
  void write(Deadline deadline, HeaderSink sink);

  /** Reads the deadline from {@code source}, placed on {@code ticker}. */
  HeaderValue<Deadline> read(HeaderSource source, Ticker ticker);

  /** The time left, in {@code grpc-timeout}'s format ({@link dev.blastwall.deadline.TimeoutHeader}). */
  static DeadlineCodec relative() {
    return RelativeDeadlineCodec.INSTANCE;
  }

  /** The wall-clock expiry in epoch milliseconds, read on {@code wallClock} (a fake one in tests). */
  static DeadlineCodec absolute(InstantSource wallClock) {
    return new AbsoluteDeadlineCodec(wallClock);
  }
}
