package dev.blastwall.propagation;

import dev.blastwall.context.BaggageKey;
import dev.blastwall.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * The W3C Trace Context headers of a call ({@link Headers#TRACEPARENT}, {@link Headers#TRACESTATE}), carried in the
 * {@code CallContext} under {@link #KEY} and passed on to outgoing calls unchanged. Blastwall does not trace; it
 * only checks that the values are well formed and bounded, so a peer cannot smuggle anything else through it.
 *
 * @param traceparent {@code version-traceid-parentid-flags} in lower-case hex
 * @param tracestate the vendors' list, or {@code null} when none came
 */
public record W3cTrace(String traceparent, @Nullable String tracestate) {

  /** Where the context carries the trace headers. */
  public static final BaggageKey<W3cTrace> KEY = BaggageKey.of("w3c-trace", W3cTrace.class);

  /** The longest traceparent accepted: version 00 has 55 characters; later versions may append fields. */
  public static final int MAX_TRACEPARENT_LENGTH = 256;

  /** The longest tracestate accepted: W3C asks vendors to pass on at least 512 characters. */
  public static final int MAX_TRACESTATE_LENGTH = 512;

  static final String EXPECTED_TRACEPARENT =
      "2 hex digits (not ff), \"-\", 32 hex digits (not all 0), \"-\", 16 hex digits (not all 0), \"-\", "
          + "2 hex digits, lower case; version 00 exactly so";
  static final String EXPECTED_TRACESTATE =
      "at most " + MAX_TRACESTATE_LENGTH + " characters, ASCII from space to ~";

  private static final int VERSION_00_LENGTH = 55;

  /**
   * A trace from values the caller vouches for.
   *
   * @throws IllegalArgumentException if either value is malformed, with the message a read would give
   */
  public W3cTrace {
    String wrong = parseTraceparent(traceparent).refusal();
    if (wrong == null && tracestate != null) {
      wrong = parseTracestate(tracestate).refusal();
    }
    if (wrong != null) {
      throw new IllegalArgumentException(wrong);
    }
  }

  /**
   * Reads both headers: absent without a traceparent, refused when the traceparent is malformed (the tracestate is
   * then meaningless, as W3C says); a malformed tracestate alone is dropped, the traceparent kept.
   */
  public static HeaderValue<W3cTrace> read(HeaderSource source) {
    HeaderValue<String> parent = parseTraceparent(source.get(Headers.TRACEPARENT));
    if (!parent.isPresent()) {
      return parent.isRefused() ? HeaderValue.refused(String.valueOf(parent.refusal())) : HeaderValue.absent();
    }
    HeaderValue<String> state = parseTracestate(source.get(Headers.TRACESTATE));
    return HeaderValue.of(new W3cTrace(parent.value(), state.orNull()));
  }

  /** Writes both headers (the tracestate only when there is one). */
  public void write(HeaderSink sink) {
    sink.set(Headers.TRACEPARENT, traceparent);
    if (tracestate != null) {
      sink.set(Headers.TRACESTATE, tracestate);
    }
  }

  /** {@link Headers#TRACEPARENT}, unchanged when well formed. */
  public static HeaderValue<String> parseTraceparent(@Nullable CharSequence value) {
    if (value == null) {
      return HeaderValue.absent();
    }
    int length = value.length();
    boolean valid = length >= VERSION_00_LENGTH && length <= MAX_TRACEPARENT_LENGTH
        && isHex(value, 0, 2) && value.charAt(2) == '-'
        && isHex(value, 3, 35) && value.charAt(35) == '-'
        && isHex(value, 36, 52) && value.charAt(52) == '-'
        && isHex(value, 53, 55)
        && !(value.charAt(0) == 'f' && value.charAt(1) == 'f')
        && !isZero(value, 3, 35) && !isZero(value, 36, 52);
    if (valid && length > VERSION_00_LENGTH) {
      // Version 00 has nothing after the flags; a later version may add "-..." fields.
      boolean version00 = value.charAt(0) == '0' && value.charAt(1) == '0';
      valid = !version00 && value.charAt(VERSION_00_LENGTH) == '-' && Checks.isVisibleAscii(value);
    }
    return valid ? HeaderValue.of(value.toString())
        : HeaderValues.refused(Headers.TRACEPARENT, value, EXPECTED_TRACEPARENT);
  }

  /** {@link Headers#TRACESTATE}, unchanged when bounded and printable ASCII. */
  public static HeaderValue<String> parseTracestate(@Nullable CharSequence value) {
    if (value == null) {
      return HeaderValue.absent();
    }
    boolean valid = value.length() <= MAX_TRACESTATE_LENGTH;
    for (int i = 0; valid && i < value.length(); i++) {
      char c = value.charAt(i);
      valid = c >= 0x20 && c <= 0x7e;
    }
    return valid ? HeaderValue.of(value.toString())
        : HeaderValues.refused(Headers.TRACESTATE, value, EXPECTED_TRACESTATE);
  }

  private static boolean isHex(CharSequence value, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isZero(CharSequence value, int from, int to) {
    for (int i = from; i < to; i++) {
      if (value.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}
