package dev.blastwall.okhttp;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.DeadlineSlack;
import dev.blastwall.http.HttpIdempotency;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.propagation.HeaderValues;
import dev.blastwall.propagation.Headers;
import dev.blastwall.time.Ticker;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.InstantSource;
import java.util.Objects;
import java.util.function.Predicate;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * An OkHttp application interceptor that runs every call through one upstream's {@link Pipeline}, as
 * {@code BlastwallHttpClient} does for the JDK's client: the call's deadline (the caller's context and the
 * pipeline's timeout) bounds all attempts, failures are retried by the method's idempotency under the retry budget
 * and the breaker, and the call context (deadline with slack, criticality, idempotency key, attempt, mark, tenant,
 * trace) goes on every attempt's headers.
 *
 * <pre>{@code
 * OkHttpClient http = new OkHttpClient();
 * OkHttpClient orders = http.newBuilder()
 *     .addInterceptor(BlastwallInterceptor.builder(http, registry.pipeline("orders"))
 *         .keyed(request -> request.url().encodedPath().startsWith("/payments"))   // the server dedups these
 *         .build())
 *     .build();
 * }</pre>
 *
 * <h2>Attempts</h2>
 *
 * Each attempt is a call of its own on the <em>transport</em> client given to the builder (the same client without
 * this interceptor; {@code newBuilder()} shares its connection pool and dispatcher), with OkHttp's own retry on
 * connection failure turned off so only the pipeline retries. An attempt that runs out of time (its
 * {@code attemptTimeout}, the call's deadline) or whose caller gives up is cancelled: its connection is closed, the
 * server sees the exchange end, and the next attempt starts on a fresh call. The call's deadline also bounds the
 * reading of the response body. Interceptors added after this one on the outer client do not run; add them to the
 * transport client.
 *
 * <h2>What is retried</h2>
 *
 * GET, HEAD, PUT, DELETE and OPTIONS are repeatable; POST, PATCH and other methods only when {@link Builder#keyed}
 * declares the operation keyed, and then one {@code idempotency-key} (the request's own, or a new one) is sent on
 * every attempt. A request whose body is one-shot ({@link RequestBody#isOneShot()}) is never sent twice. Statuses
 * are judged by {@code HttpStatusMapping.incoming}; {@code Retry-After} is honoured, never past the deadline.
 *
 * <h2>What the caller sees</h2>
 *
 * The first response with a status below 400; else the last failure status, as OkHttp returns any response (its
 * body read into memory, at most 64 KB); else, when there is no answer to return (the pipeline refused or gave up,
 * the exchange broke off), a {@link BlastwallIOException} whose cause is Blastwall's exception. The context is the
 * caller's {@link CallContext} for {@code execute()}, or a {@code CallContext} given as the request's tag
 * ({@code Request.Builder.tag(CallContext.class, context)}), which an {@code enqueue()}d call needs. Cancel calls
 * through the context or the pipeline's timeout: OkHttp's {@code Call.cancel()} of the outer call stops no attempt.
 *
 * <p>Thread-safe; attempts park, so virtual threads are not pinned.
 */
public final class BlastwallInterceptor implements Interceptor {

  private static final int MAX_CAUSE_DEPTH = 4;

  private final OkHttpClient transport;
  private final Pipeline pipeline;
  private final Predicate<Request> keyed;
  final Ticker ticker;
  final InstantSource wallClock;
  final DeadlineSlack slack;

  private BlastwallInterceptor(Builder builder) {
    this.transport = builder.transport.newBuilder().retryOnConnectionFailure(false).build();
    this.pipeline = builder.pipeline;
    this.keyed = builder.keyed;
    // One environment: deadlines and Retry-After dates are read on the pipeline's clocks.
    this.ticker = builder.pipeline.environment().ticker();
    this.wallClock = builder.pipeline.environment().wallClock();
    this.slack = builder.slack;
  }

  /**
   * A builder for an interceptor that sends each attempt with {@code transport} through {@code pipeline}.
   *
   * @param transport the client attempts go through; it must not hold a {@code BlastwallInterceptor} itself
   */
  public static Builder builder(OkHttpClient transport, Pipeline pipeline) {
    return new Builder(transport, pipeline);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    if (chain.connection() != null) {
      throw new IllegalStateException("BlastwallInterceptor: added as a network interceptor (expected: an "
          + "application interceptor, OkHttpClient.Builder.addInterceptor)");
    }
    Request request = chain.request();
    CallContext tagged = request.tag(CallContext.class);
    if (tagged == null) {
      return send(request);
    }
    CallContext previous = tagged.attach();
    try {
      return send(request);
    } finally {
      tagged.detach(previous);
    }
  }

  private Response send(Request request) throws IOException {
    try {
      return pipeline.call(idempotencyOf(request), () -> OkHttpAttempt.run(this, request));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      InterruptedIOException stopped = new InterruptedIOException("interrupted");
      stopped.initCause(interrupted);
      throw stopped;
    } catch (RuntimeException failure) {
      OkHttpStatusFailure answer = statusFailureIn(failure);
      if (answer != null) {
        return answer.response();
      }
      throw new BlastwallIOException(failure);
    } catch (IOException stopped) {
      // An attempt stopped from outside rethrows OkHttp's exception; the pipeline replaces it with its own cause
      // unless it was the caller's thread that was interrupted.
      throw stopped;
    } catch (Exception impossible) {
      // An attempt throws only the exceptions above; the pipeline adds only its own runtime exceptions.
      throw new IllegalStateException(impossible);
    }
  }

  /** The status failure {@code failure} is or was caused by (a give-up's last failure), if any. */
  private static @Nullable OkHttpStatusFailure statusFailureIn(Throwable failure) {
    Throwable current = failure;
    for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++, current = current.getCause()) {
      if (current instanceof OkHttpStatusFailure answer) {
        return answer;
      }
    }
    return null;
  }

  /** The call's idempotency: by method, and keyed (the request's own valid key, or a new one) if declared. */
  Idempotency idempotencyOf(Request request) {
    RequestBody body = request.body();
    if (body != null && body.isOneShot()) {
      return Idempotency.NON_IDEMPOTENT;
    }
    return HttpIdempotency.of(request.method(), keyed.test(request), () -> {
      String given = request.header(Headers.IDEMPOTENCY_KEY);
      return given != null && HeaderValues.parseIdempotencyKey(given).isPresent() ? given : HttpIdempotency.newKey();
    });
  }

  OkHttpClient transport() {
    return transport;
  }

  @Override
  public String toString() {
    return "BlastwallInterceptor[" + pipeline.upstream() + "]";
  }

  /** Builds a {@link BlastwallInterceptor}. */
  public static final class Builder {

    private final OkHttpClient transport;
    private final Pipeline pipeline;
    private Predicate<Request> keyed = request -> false;
    private DeadlineSlack slack = DeadlineSlack.DEFAULT;

    private Builder(OkHttpClient transport, Pipeline pipeline) {
      this.transport = Objects.requireNonNull(transport, "transport");
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      for (Interceptor interceptor : transport.interceptors()) {
        if (interceptor instanceof BlastwallInterceptor nested) {
          throw new IllegalArgumentException("transport: a client with " + nested + " (expected: a client "
              + "without a BlastwallInterceptor, such as the one the interceptor is added to, before it is added)");
        }
      }
    }

    /**
     * Which requests are declared keyed: the server deduplicates them on {@code idempotency-key}, so a POST or
     * PATCH among them may be retried. None by default; a key on a request that is not declared is sent as it is
     * and makes nothing retryable.
     */
    public Builder keyed(Predicate<Request> declaredKeyed) {
      this.keyed = Objects.requireNonNull(declaredKeyed, "keyed");
      return this;
    }

    /** How much of the deadline each attempt keeps back for this side ({@link DeadlineSlack#DEFAULT}). */
    public Builder slack(DeadlineSlack newSlack) {
      this.slack = Objects.requireNonNull(newSlack, "slack");
      return this;
    }

    public BlastwallInterceptor build() {
      return new BlastwallInterceptor(this);
    }
  }
}
