package dev.blastwall.servlet;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.http.HttpFailureResponse;
import dev.blastwall.http.HttpServerCall;
import dev.blastwall.http.HttpServerGuard;
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
 * Puts a Servlet container's requests on Blastwall's HTTP call edge, by {@link HttpServerGuard}'s rules (the same
 * as the JDK server's {@code BlastwallHttpFilter}; only the Servlet plumbing is this class's own):
 * <ol>
 *   <li>a bad Blastwall header is answered 400 {@code name: "value" (expected: ...)}, a request whose deadline had
 *       passed 504, one the admission refuses 503 (overload) or 429 (rate limit) with {@code Retry-After},
 *       {@code retry-after-ms} and {@code blastwall-do-not-retry: true}, all without running the handler (an
 *       unknown criticality and a malformed trace are safe defaults instead; see {@code docs/http.md});
 *   <li>the caller's context ({@code CallContext.current()}) is bound around the handler, and again around each
 *       async dispatch, and what was bound before is restored;
 *   <li>the handler stays under the deadline: its context is cancelled when the deadline passes, writes to the
 *       response fail from then on (a streaming answer, chunked or server-sent events, ends at its next write),
 *       and an async request's container timeout is set no later than the deadline (then 504 if nothing was sent);
 *   <li>the context is cancelled when the client goes away, as far as the container tells: a write that fails,
 *       and for async requests the container's {@code onError} (Jetty cannot tell a client that closes its
 *       connection while a synchronous handler neither reads nor writes);
 *   <li>the admission's permit is released exactly once when the request ends (by its status: below 400 a
 *       success, 429/503/504 a congestion signal), also for async requests ({@code AsyncListener}) and handlers
 *       that throw. A handler's {@code RuntimeException} (also inside a {@code ServletException}) thrown before
 *       the response was committed is answered by {@link HttpServerCall#failed}, as on the JDK server; an
 *       I/O failure is answered 504 when the deadline had passed and is left to the container otherwise; a
 *       handler that returns after its deadline without having sent anything is answered 504 too.
 * </ol>
 *
 * <pre>{@code
 * HttpServerGuard guard = HttpServerGuard.builder().admission(admission).build();
 * handler.addFilter(new FilterHolder(BlastwallServletFilter.of(guard)), "/*",
 *     EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
 * }</pre>
 *
 * <p>Register it for {@code REQUEST} and {@code ASYNC} dispatches (ASYNC so the context is bound in async
 * dispatches too). Immutable and thread-safe; one filter serves the whole application.
 */
public final class BlastwallServletFilter implements Filter {

  /** The request attribute holding an admitted request's call, so async dispatches rebind its context. */
  static final String CALL_ATTRIBUTE = BlastwallServletFilter.class.getName() + ".call";

  private final HttpServerGuard guard;

  private BlastwallServletFilter(HttpServerGuard guard) {
    this.guard = guard;
  }

  /** A filter that refuses expired requests and bad headers and admits everything else. */
  public static BlastwallServletFilter create() {
    return new BlastwallServletFilter(HttpServerGuard.create());
  }

  /**
   * A filter with {@code guard}'s admission, clock, deadline scheduler and default criticality. Leave admission
   * off health checks, so a busy server is not taken for a dead one (map the filter to the application's paths).
   */
  public static BlastwallServletFilter of(HttpServerGuard guard) {
    return new BlastwallServletFilter(guard);
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
    HttpServerCall call = guard.enter(new ServletHeaders(http));
    HttpFailureResponse refusal = call.refusal();
    if (refusal != null) {
      ServletAnswers.send(refusal, answer);
      return;
    }
    request.setAttribute(CALL_ATTRIBUTE, call);
    run(call, new GuardedRequest(http, answer, call), answer, chain);
  }

  /** An ASYNC (or ERROR) dispatch of a request this filter admitted: its context again, no second decision. */
  private static void redispatch(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request.getAttribute(CALL_ATTRIBUTE) instanceof HttpServerCall call)) {
      chain.doFilter(request, response);
      return;
    }
    CallContext previous = call.context().attach();
    try {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException | Error failure) {
      // Jetty answers a failed async dispatch by its error page without calling onError: stop the handler's work
      // here; the listener's onComplete still ends the call, once.
      call.cancel("the request's async dispatch failed: " + failure.getClass().getSimpleName(), failure);
      throw failure;
    } finally {
      call.context().detach(previous);
    }
  }

  private static void run(HttpServerCall call, GuardedRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    CallContext previous = call.context().attach();
    try {
      chain.doFilter(request, new DeadlineResponse(response, call));
    } catch (IOException | ServletException | RuntimeException | Error failure) {
      if (request.isAsyncStarted()) {
        // Its listener ends the call: the container fails the async cycle (onError), then completes it.
        throw failure;
      }
      Throwable answerable = answerable(failure, call);
      if (answerable == null || response.isCommitted()) {
        call.abandoned();
        throw failure;
      }
      ServletAnswers.send(call.failed(answerable), response);
      return;
    } finally {
      call.context().detach(previous);
    }
    if (request.isAsyncStarted()) {
      return;
    }
    if (!response.isCommitted() && pastDeadline(call)) {
      // Its writes were refused once the deadline passed (a writer only sets its error flag): what it buffered
      // is not its whole answer.
      ServletAnswers.send(call.deadlinePassed(), response);
      return;
    }
    call.end(response.getStatus());
  }

  private static boolean pastDeadline(HttpServerCall call) {
    Deadline deadline = call.context().deadline();
    return deadline != null && deadline.isExpired();
  }

  /**
   * The failure to answer by {@link HttpServerCall#failed}, or {@code null} to leave it to the container: a
   * runtime failure (looked for inside a {@code ServletException}, as frameworks wrap them), or any failure once the
   * deadline passed (a write refused by {@link DeadlineResponse}). An {@code Error} is never answered.
   */
  private static @Nullable Throwable answerable(Throwable failure, HttpServerCall call) {
    if (failure instanceof Error) {
      return null;
    }
    Throwable cause = failure instanceof ServletException wrapped && wrapped.getCause() != null
        ? wrapped.getCause() : failure;
    return cause instanceof RuntimeException || pastDeadline(call) ? cause : null;
  }

  @Override
  public String toString() {
    return "BlastwallServletFilter[" + guard + "]";
  }
}
