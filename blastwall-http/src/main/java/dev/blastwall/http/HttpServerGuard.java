package dev.blastwall.http;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.propagation.ContextRead;
import dev.blastwall.propagation.HeaderSource;
import dev.blastwall.propagation.HeaderValue;
import dev.blastwall.server.Admission;
import dev.blastwall.server.GuardedCall;
import dev.blastwall.server.ServerCallGuard;
import dev.blastwall.time.Cancellable;
import dev.blastwall.time.Environment;
import dev.blastwall.time.Scheduler;
import dev.blastwall.time.Ticker;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * The server side of an HTTP hop, for every HTTP server binding (the JDK server's filter here, a Servlet filter):
 * request headers in, a decision out. It reads the call context with {@link HttpPropagation#CODEC} and asks core's
 * {@link ServerCallGuard}: a bad header is answered 400, a request whose deadline has passed 504 and a refused one
 * 503 or 429 (with Retry-After and the mark), all without running the handler; an admitted request gets the
 * {@link HttpServerCall} whose context the binding attaches for its handler.
 *
 * <h2>Bad headers</h2>
 *
 * A refused value of {@code grpc-timeout}, {@code idempotency-key}, {@code blastwall-attempt},
 * {@code blastwall-attempt-kind}, {@code blastwall-do-not-retry} or {@code blastwall-tenant} is answered 400 with
 * its {@code name: "value" (expected: ...)}: guessing a deadline, a key or a mark would do the caller's work under
 * rules it did not ask for. Two values are safe defaults instead: an unknown {@code blastwall-criticality} is the
 * server's default (a newer client may know a level this server does not), and a malformed {@code traceparent} or
 * {@code tracestate} is dropped, as W3C Trace Context says.
 *
 * <p>Immutable and thread-safe; one guard serves a whole server.
 */
public final class HttpServerGuard {

  private final ServerCallGuard guard;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final Criticality defaultCriticality;

  private HttpServerGuard(Builder builder) {
    this.guard = ServerCallGuard.of(builder.admission);
    this.ticker = builder.environment.ticker();
    this.scheduler = builder.environment.scheduler();
    this.defaultCriticality = builder.defaultCriticality;
  }

  /** A guard that refuses expired requests and bad headers, and admits everything else. */
  public static HttpServerGuard create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Decides the request that has just arrived with {@code headers}. */
  public HttpServerCall enter(HeaderSource headers) {
    ContextRead read = HttpPropagation.CODEC.read(headers, ticker);
    String refusal = firstRefusal(read);
    if (refusal != null) {
      return HttpServerCall.refused(HttpStatusMapping.badRequest(refusal));
    }
    Cancellation cancellation = Cancellation.create();
    CallContext context = read.context(defaultCriticality, cancellation);
    GuardedCall guarded = guard.enter(context);
    if (!guarded.admitted()) {
      OverloadedException overload = guarded.refusal();
      return HttpServerCall.refused(overload == null ? HttpStatusMapping.expired()
          : HttpStatusMapping.outgoing(overload));
    }
    Deadline deadline = context.deadline();
    Cancellable timer = deadline == null ? null
        : scheduler.schedule(() -> cancellation.cancel(new CancellationException(
            "the request's deadline passed: its caller has given up")), deadline.remainingNanos());
    return HttpServerCall.admitted(context, guarded, timer);
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
    return "HttpServerGuard[" + guard + ", default " + defaultCriticality + "]";
  }

  /** Builds an {@link HttpServerGuard}. */
  public static final class Builder {

    private Admission admission = Admission.ALWAYS;
    private Environment environment = Environment.system();
    private Criticality defaultCriticality = Criticality.CRITICAL;

    private Builder() {}

    /** Who admits requests that have not expired (an {@code AdmissionController}, a limiter); default all. */
    public Builder admission(Admission newAdmission) {
      this.admission = newAdmission;
      return this;
    }

    /**
     * The environment whose ticker places incoming deadlines and whose scheduler cancels a handler's context when
     * its deadline passes ({@link Environment#system()} by default), so work that watches
     * {@code CallContext.current().cancellation()}, and every Blastwall call it makes, stops when the caller has
     * given up. Give it the environment of the pipelines the handlers call through.
     */
    public Builder environment(Environment newEnvironment) {
      this.environment = newEnvironment;
      return this;
    }

    /** The criticality of requests that send none, or one this server does not know. */
    public Builder defaultCriticality(Criticality criticality) {
      this.defaultCriticality = criticality;
      return this;
    }

    public HttpServerGuard build() {
      return new HttpServerGuard(this);
    }
  }
}
