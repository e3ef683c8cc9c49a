package dev.blastwall.http;

import dev.blastwall.propagation.HeaderSink;
import dev.blastwall.propagation.HeaderValues;
import dev.blastwall.propagation.Headers;
import dev.blastwall.relay.RetryHint;
import java.time.Duration;

/**
 * How a server answers a failure over HTTP, decided by {@link HttpStatusMapping}: the status, whether to send the
 * "do not retry" mark, the retry hint (a time only when this server itself sheds), and a one-line message for the
 * body. A server adapter writes the status, then {@link #writeHeaders}, then the message.
 *
 * @param status the HTTP status code
 * @param marked whether to send {@code blastwall-do-not-retry: true}
 * @param hint the pushback; when it is a time, {@code Retry-After} and {@code retry-after-ms} are sent
 * @param message the body's text, one line, untrusted parts already bounded and escaped
 */
public record HttpFailureResponse(int status, boolean marked, RetryHint hint, String message) {

  /** Writes the mark and the pushback headers this answer carries. */
  public void writeHeaders(HeaderSink sink) {
    if (marked) {
      sink.set(Headers.DO_NOT_RETRY, HeaderValues.formatDoNotRetry());
    }
    if (hint.isAfter()) {
      RetryAfter.write(Duration.ofNanos(hint.retryAfterNanos()), sink);
    }
  }
}
