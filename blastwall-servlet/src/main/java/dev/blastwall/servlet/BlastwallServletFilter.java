package dev.blastwall.servlet;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.http.HttpFailureResponse;
import dev.blastwall.http.HttpStatusMapping;
import dev.blastwall.server.Admission;
import dev.blastwall.server.ServerCallGuard;
import dev.blastwall.time.Scheduler;
import dev.blastwall.time.Ticker;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Puts a Servlet container's requests on Blastwall's HTTP call edge (the wire of {@code dev.blastwall.http}). For
 * each request it:
 * <ol>
 *   <li>reads the caller's context with {@code HttpPropagation.CODEC}; a bad Blastwall header is answered 400
 *       {@code name: "value" (expected: ...)} without running the handler (an unknown criticality and a malformed
 *       trace are safe defaults instead; see {@code docs/http.md});
 *   <li>asks core's {@link ServerCallGuard}: a request whose deadline had passed is answered 504, one the
 *       {@link Admission} refuses 503 (overload) or 429 (rate limit), with {@code Retry-After},
 *       {@code retry-after-ms} and {@code blastwall-do-not-retry: true}, all without running the handler;
 *   <li>binds the context ({@code CallContext.current()}) around the handler, and again around each async
 *       dispatch, and restores what was bound before;
 *   <li>keeps the handler under the deadline: its context is cancelled when the deadline passes, writes to the
 *       response fail from then on (a streaming answer ends at its next write), and an async request's container
 *       timeout is set no later than the deadline (then 504 if nothing was sent);
 *   <li>cancels the context when the client goes away, as far as the container tells: a write that fails, and
 *       for async requests the container's {@code onError};
 *   <li>releases the admission's permit exactly once when the request ends (by its status: below 400 a success,
 *       429/503/504 a congestion signal), also for async requests ({@code AsyncListener}) and handlers that throw;
 *       a Blastwall failure thrown before the response was committed is answered by
 *       {@code HttpStatusMapping.outgoing}.
 * </ol>
 *
 * <p>Register it for {@code REQUEST} and {@code ASYNC} dispatches (ASYNC so the context is bound in async
 * dispatches too). Immutable and thread-safe; one filter serves the whole application.
 */
public final class BlastwallServletFilter implements Filter {

  /** The request attribute holding an admitted request's call, so async dispatches rebind its context. */
  static final String CALL_ATTRIBUTE = BlastwallServletFilter.class.getName() + ".call";

  private final RequestGate gate;
  private final Ticker ticker;
  private final @Nullable Scheduler scheduler;

  private BlastwallServletFilter(Builder builder) {
    this.ticker = builder.ticker;
    this.scheduler = builder.scheduler;
    this.gate = new RequestGate(ServerCallGuard.of(builder.admission), builder.ticker, builder.defaultCriticality);
  }

  /** A filter that refuses expired requests and bad headers and admits everything else. */
  public static BlastwallServletFilter create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse answer)) {
      chain.doFilter(request, response);
      return;
    }
    if (request.getDispatcherType() != DispatcherType.REQUEST) {
      redispatch(http, answer, chain);
      return;
    }
    RequestGate.Decision decision = gate.enter(new ServletHeaders(http));
    HttpFailureResponse refusal = decision.refusal();
    ServletCall call = decision.call();
    if (refusal != null || call == null) {
      ServletAnswers.send(refusal != null ? refusal : HttpStatusMapping.expired(), answer);
      return;
    }
    request.setAttribute(CALL_ATTRIBUTE, call);
    startDeadlineTimer(call);
    run(call, new GuardedRequest(http, answer, call), answer, chain);
  }

  /** An ASYNC (or ERROR) dispatch of a request this filter admitted: its context again, no second decision. */
  private static void redispatch(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request.getAttribute(CALL_ATTRIBUTE) instanceof ServletCall call)) {
      chain.doFilter(request, response);
      return;
    }
    CallContext previous = call.context.attach();
    try {
      chain.doFilter(request, response);
    } finally {
      call.context.detach(previous);
    }
  }

  private void run(ServletCall call, GuardedRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    CallContext previous = call.context.attach();
    try {
      chain.doFilter(request, new DeadlineResponse(response, call));
    } catch (IOException | ServletException | RuntimeException | Error failure) {
      if (request.isAsyncStarted()) {
        // The async listener ends it; a handler that started async and then threw is ended by the container.
        throw failure;
      }
      if (!answered(call, failure, response)) {
        call.abandoned();
        throw failure;
      }
      return;
    } finally {
      call.context.detach(previous);
    }
    if (!request.isAsyncStarted()) {
      call.end(response.getStatus());
    }
  }

  /**
   * Answers a failed handler when its failure has a Blastwall meaning and nothing was sent yet: a Blastwall or
   * remote failure by the status mapping, a write refused because the deadline passed by 504.
   */
  private static boolean answered(ServletCall call, Throwable failure, HttpServletResponse response)
      throws IOException {
    if (response.isCommitted()) {
      return false;
    }
    Deadline deadline = call.context.deadline();
    HttpFailureResponse answer;
    if (failure instanceof BlastwallException || failure instanceof RemoteFailure) {
      answer = HttpStatusMapping.outgoing(failure);
    } else if (deadline != null && deadline.isExpired()) {
      answer = ServletAnswers.DEADLINE_PASSED;
    } else {
      return false;
    }
    ServletAnswers.send(answer, response);
    call.end(answer.status());
    return true;
  }

  private void startDeadlineTimer(ServletCall call) {
    Deadline deadline = call.context.deadline();
    Scheduler timers = scheduler;
    if (deadline != null && timers != null) {
      call.deadlineTimer(timers.schedule(
          () -> call.cancel("the request's deadline passed: its caller has given up", null),
          deadline.remainingNanos()));
    }
  }

  @Override
  public String toString() {
    return "BlastwallServletFilter[" + gate + ", ticker " + ticker + "]";
  }

  /** Builds a {@link BlastwallServletFilter}. Not thread-safe. */
  public static final class Builder {

    private Admission admission = Admission.ALWAYS;
    private Ticker ticker = Ticker.system();
    private @Nullable Scheduler scheduler = Scheduler.system();
    private Criticality defaultCriticality = Criticality.CRITICAL;

    private Builder() {}

    /**
     * Who admits requests that have not expired (an {@code AdmissionController}, {@code ConcurrencyLimiter},
     * {@code PartitionedLimiter}); default all. Leave it off health checks, so a busy server is not taken for a
     * dead one (map the filter to the application's paths only).
     */
    public Builder admission(Admission newAdmission) {
      this.admission = newAdmission;
      return this;
    }

    /** The clock incoming deadlines are placed on; it must be the one of the pipelines the handlers call through. */
    public Builder ticker(Ticker newTicker) {
      this.ticker = newTicker;
      return this;
    }

    /** Cancels a handler's context when its deadline passes; default {@link Scheduler#system()}. */
    public Builder scheduler(Scheduler newScheduler) {
      this.scheduler = newScheduler;
      return this;
    }

    /** The criticality of requests that send none, or one this server does not know; default CRITICAL. */
    public Builder defaultCriticality(Criticality criticality) {
      this.defaultCriticality = criticality;
      return this;
    }

    public BlastwallServletFilter build() {
      return new BlastwallServletFilter(this);
    }
  }
}
