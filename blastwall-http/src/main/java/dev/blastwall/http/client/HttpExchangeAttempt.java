package dev.blastwall.http.client;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.http.EndpointBalancer;
import dev.blastwall.http.HeaderFields;
import dev.blastwall.http.HttpPropagation;
import dev.blastwall.http.HttpRemoteFailure;
import dev.blastwall.http.HttpStatusMapping;
import dev.blastwall.internal.Failures;
import dev.blastwall.propagation.Headers;
import dev.blastwall.propagation.W3cTrace;
import dev.blastwall.relay.AttemptFacts;
import dev.blastwall.relay.IncomingVerdict;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a {@link BlastwallHttpClient} call, started on the pipeline's attempt thread (its context bound):
 * picks the endpoint, writes the context to the request, bounds the exchange by the attempt's deadline, cancels it
 * when the attempt's cancellation fires, and judges the outcome.
 */
final class HttpExchangeAttempt<T> {

  /** What the attempt knows when a failure arrives: sent, bounded by the call's deadline, and ours to cancel. */
  private static final AttemptFacts SENT = new AttemptFacts(false, false, true);

  /** The shortest exchange timeout: HttpClient refuses zero, and the pipeline stops a call whose deadline passed. */
  private static final Duration MIN_TIMEOUT = Duration.ofMillis(1);

  private static final int MAX_DESCRIPTION_CHARS = 200;

  private static final Set<String> CONTEXT_HEADERS = Set.copyOf(HttpPropagation.CODEC.names());

  private final BlastwallHttpClient client;
  private final CallContext context;
  private final EndpointBalancer.@Nullable Member member;
  private final long startNanos;
  private final CompletableFuture<HttpResponse<T>> exchange;
  private final Cancellation.Registration registration;

  HttpExchangeAttempt(BlastwallHttpClient client, HttpRequest original, BodyHandler<T> handler) {
    this.client = client;
    this.context = CallContext.current();
    this.member = client.pick();
    HttpRequest request = prepare(original);
    this.startNanos = member != null ? member.start() : 0;
    this.exchange = client.http().sendAsync(request, handler);
    this.registration = context.cancellation().onCancel(() -> exchange.cancel(true));
  }

  /** The request for this attempt: the original with this attempt's endpoint, deadline and context headers. */
  private HttpRequest prepare(HttpRequest original) {
    boolean ownKey = context.idempotency().key() != null;
    boolean ownTrace = context.get(W3cTrace.KEY) != null;
    HttpRequest.Builder builder = HttpRequest.newBuilder(original, (name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals(Headers.IDEMPOTENCY_KEY)) {
        return !ownKey;
      }
      if (lower.equals(Headers.TRACEPARENT) || lower.equals(Headers.TRACESTATE)) {
        return !ownTrace;
      }
      return !CONTEXT_HEADERS.contains(lower);
    });
    if (member != null) {
      builder.uri(member.resolve(original.uri()));
    }
    Deadline deadline = Deadline.forChild(context.deadline(), client.slack, null, client.ticker);
    if (deadline != null) {
      Duration left = deadline.remaining();
      builder.timeout(left.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : left);
    }
    HttpPropagation.CODEC.write(context.withDeadline(deadline), builder::setHeader);
    return builder.build();
  }

  /** Waits for the exchange on this thread; an interrupt (the attempt's timeout, the caller) cancels it. */
  HttpResponse<T> await() throws InterruptedException {
    try {
      return judge(exchange.get());
    } catch (ExecutionException failed) {
      throw failure(failed.getCause());
    } catch (InterruptedException | CancellationException stopped) {
      exchange.cancel(true);
      finish(null, false);
      throw stopped;
    } finally {
      registration.remove();
    }
  }

  /** The outcome as a future; cancelling it (the attempt's timeout, the caller) cancels the exchange. */
  CompletableFuture<HttpResponse<T>> future() {
    CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
    var unusedJudged = exchange.whenComplete((response, failed) -> {
      try {
        result.complete(failed == null ? judge(response) : rethrow(failed));
      } catch (RuntimeException judged) {
        result.completeExceptionally(judged);
      }
    });
    var unusedCleanup = result.whenComplete((response, failed) -> {
      registration.remove();
      if (result.isCancelled()) {
        exchange.cancel(true);
        finish(null, false);
      }
    });
    return result;
  }

  private HttpResponse<T> rethrow(Throwable failed) {
    throw failure(failed);
  }

  /** A response below 400 is the result; any other is this attempt's {@link HttpStatusFailure}. */
  private HttpResponse<T> judge(HttpResponse<T> response) {
    int status = response.statusCode();
    if (!HttpStatusMapping.isFailure(status)) {
      finish(null, false);
      return response;
    }
    IncomingVerdict verdict = HttpStatusMapping.incoming(status, HeaderFields.source(response.headers()),
        description(response.body()), client.wallClock.instant(), context.deadline(), SENT);
    HttpStatusFailure failure = new HttpStatusFailure(verdict, response);
    finish(failure, false);
    throw failure;
  }

  /** What a failed exchange means: a transport error in core's terms; a cancellation and anything else as is. */
  private RuntimeException failure(@Nullable Throwable failed) {
    Throwable cause = failed == null ? new IOException("exchange failed") : Failures.unwrap(failed);
    if (cause instanceof IOException io) {
      IncomingVerdict verdict = HttpStatusMapping.incoming(io, SENT);
      HttpRemoteFailure failure = new HttpRemoteFailure(verdict, HttpRemoteFailure.NO_STATUS, io);
      finish(failure, verdict.didNotRun());
      return failure;
    }
    finish(null, false);
    return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
  }

  private void finish(@Nullable HttpRemoteFailure failure, boolean notConnected) {
    if (member != null) {
      member.finish(startNanos, failure, notConnected);
    }
  }

  /** The start of a text body, for the failure's message (bounded and escaped by the relay). */
  private static @Nullable CharSequence description(@Nullable Object body) {
    if (body instanceof CharSequence text) {
      return text.length() > MAX_DESCRIPTION_CHARS ? text.subSequence(0, MAX_DESCRIPTION_CHARS) : text;
    }
    if (body instanceof byte[] bytes) {
      return new String(bytes, 0, Math.min(bytes.length, MAX_DESCRIPTION_CHARS), StandardCharsets.UTF_8);
    }
    return null;
  }
}
