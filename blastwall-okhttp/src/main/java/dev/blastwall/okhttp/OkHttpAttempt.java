package dev.blastwall.okhttp;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.http.HeaderFields;
import dev.blastwall.http.HttpPropagation;
import dev.blastwall.http.HttpRemoteFailure;
import dev.blastwall.http.HttpStatusMapping;
import dev.blastwall.propagation.Headers;
import dev.blastwall.propagation.W3cTrace;
import dev.blastwall.relay.AttemptFacts;
import dev.blastwall.relay.IncomingVerdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One attempt of a call through {@link BlastwallInterceptor}, run on the pipeline's attempt thread (its context
 * bound): a call of its own on the transport client, so cancelling it when the attempt's cancellation fires (its
 * time limit, the call's deadline, the caller) ends this exchange only and leaves the next attempt free to run.
 */
final class OkHttpAttempt {

  /** The longest failure body kept: enough for any error document, bounded so a huge one cannot exhaust memory. */
  static final int MAX_FAILURE_BODY_BYTES = 64 * 1024;

  /** What the attempt knows when a failure arrives: sent, bounded by the call's deadline, and ours to cancel. */
  private static final AttemptFacts SENT = new AttemptFacts(false, false, true);

  private static final int MAX_DESCRIPTION_BYTES = 200;

  private static final Set<String> CONTEXT_HEADERS = Set.copyOf(HttpPropagation.CODEC.names());

  private OkHttpAttempt() {}

  /**
   * Sends {@code original} once under the current context.
   *
   * @return the response, when its status is below 400
   * @throws OkHttpStatusFailure the response had a failure status (its body is read, the connection released)
   * @throws HttpRemoteFailure the exchange failed without a status
   * @throws IOException the attempt was stopped from outside (the pipeline reports why)
   */
  static Response run(BlastwallInterceptor interceptor, Request original) throws IOException {
    CallContext context = CallContext.current();
    Call call = interceptor.transport().newCall(prepare(interceptor, original, context));
    Deadline deadline = context.deadline();
    if (deadline != null) {
      // Bounds the exchange and the reading of the body the caller does later: OkHttp's call timeout runs until
      // the body is closed.
      call.timeout().timeout(Math.max(1, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
    }
    Cancellation.Registration registration = context.cancellation().onCancel(call::cancel);
    Response response;
    try {
      response = call.execute();
    } catch (IOException failed) {
      if (context.isCancelled()) {
        throw failed;
      }
      IncomingVerdict verdict = HttpStatusMapping.incoming(failed, SENT);
      throw new HttpRemoteFailure(verdict, HttpRemoteFailure.NO_STATUS, failed);
    } finally {
      registration.remove();
    }
    if (!HttpStatusMapping.isFailure(response.code())) {
      return response;
    }
    Response buffered = buffered(response);
    IncomingVerdict verdict = HttpStatusMapping.incoming(response.code(),
        HeaderFields.source(name -> response.headers(name)), description(buffered), interceptor.wallClock.instant(),
        context.deadline(), SENT);
    throw new OkHttpStatusFailure(verdict, buffered);
  }

  /** The request for this attempt: the original with this attempt's deadline and context headers. */
  private static Request prepare(BlastwallInterceptor interceptor, Request original, CallContext context) {
    boolean ownKey = context.idempotency().key() != null;
    boolean ownTrace = context.get(W3cTrace.KEY) != null;
    Request.Builder builder = original.newBuilder();
    for (String name : original.headers().names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      boolean replaced;
      if (lower.equals(Headers.IDEMPOTENCY_KEY)) {
        replaced = ownKey;
      } else if (lower.equals(Headers.TRACEPARENT) || lower.equals(Headers.TRACESTATE)) {
        replaced = ownTrace;
      } else {
        replaced = CONTEXT_HEADERS.contains(lower);
      }
      if (replaced) {
        builder.removeHeader(name);
      }
    }
    Deadline deadline = Deadline.forChild(context.deadline(), interceptor.slack, null, interceptor.ticker);
    HttpPropagation.CODEC.write(context.withDeadline(deadline), builder::header);
    return builder.build();
  }

  /**
   * {@code response} with its body read into memory (at most {@link #MAX_FAILURE_BODY_BYTES}; a body that breaks
   * off reads as what arrived) and the original closed, so its connection goes back to the pool.
   */
  private static Response buffered(Response response) {
    try (response) {
      ResponseBody body = response.body();
      byte[] bytes;
      try {
        bytes = response.peekBody(MAX_FAILURE_BODY_BYTES).bytes();
      } catch (IOException brokeOff) {
        bytes = new byte[0];
      }
      return response.newBuilder().body(ResponseBody.create(bytes, body.contentType())).build();
    }
  }

  /** The start of the body, for the failure's message (bounded and escaped by the relay). */
  private static String description(Response buffered) {
    try {
      byte[] start = buffered.peekBody(MAX_DESCRIPTION_BYTES).bytes();
      return new String(start, StandardCharsets.UTF_8);
    } catch (IOException impossible) {
      // The body is in memory: reading it cannot fail.
      return "";
    }
  }
}
