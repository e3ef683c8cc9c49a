package dev.blastwall.servlet;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.http.HttpFailureResponse;
import dev.blastwall.http.HttpPropagation;
import dev.blastwall.http.HttpStatusMapping;
import dev.blastwall.propagation.ContextRead;
import dev.blastwall.propagation.HeaderSource;
import dev.blastwall.propagation.HeaderValue;
import dev.blastwall.server.GuardedCall;
import dev.blastwall.server.ServerCallGuard;
import dev.blastwall.time.Ticker;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides an arriving request from its headers: a bad Blastwall header is a 400, a passed deadline a 504, a
 * refusal of admission a 503 or 429; anything else is admitted with its context. The bad-header rule is the one
 * every Blastwall HTTP server applies (see {@code docs/http.md}): a refused {@code grpc-timeout},
 * {@code idempotency-key}, {@code blastwall-attempt}, {@code blastwall-attempt-kind}, {@code blastwall-do-not-retry}
 * or {@code blastwall-tenant} is answered 400, since guessing a deadline, a key or a mark would run the caller's
 * work under rules it did not ask for; an unknown {@code blastwall-criticality} is the server's default (a newer
 * client may know a level this server does not), and a malformed {@code traceparent}/{@code tracestate} is dropped,
 * as W3C Trace Context says.
 */
final class RequestGate {

  private final ServerCallGuard guard;
  private final Ticker ticker;
  private final Criticality defaultCriticality;

  RequestGate(ServerCallGuard guard, Ticker ticker, Criticality defaultCriticality) {
    this.guard = guard;
    this.ticker = ticker;
    this.defaultCriticality = defaultCriticality;
  }

  /** The decision: an answer to send instead of the handler, or the admitted call. */
  record Decision(@Nullable HttpFailureResponse refusal, @Nullable ServletCall call) {}

  Decision enter(HeaderSource headers) {
    ContextRead read = HttpPropagation.CODEC.read(headers, ticker);
    String bad = firstRefusal(read);
    if (bad != null) {
      return new Decision(HttpStatusMapping.badRequest(bad), null);
    }
    CallContext context = read.context(defaultCriticality, Cancellation.create());
    GuardedCall guarded = guard.enter(context);
    if (!guarded.admitted()) {
      OverloadedException refusal = guarded.refusal();
      return new Decision(refusal == null ? HttpStatusMapping.expired() : HttpStatusMapping.outgoing(refusal), null);
    }
    return new Decision(null, new ServletCall(context, guarded));
  }

  private static @Nullable String firstRefusal(ContextRead read) {
    for (HeaderValue<?> value : List.of(read.deadline(), read.idempotencyKey(), read.attempt(), read.attemptKind(),
        read.doNotRetry(), read.tenant())) {
      String refusal = value.refusal();
      if (refusal != null) {
        return refusal;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return guard + ", default " + defaultCriticality;
  }
}
