package dev.blastwall.servlet;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.http.HttpServerCall;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.TimeUnit;

/**
 * The request a handler sees: starting async registers the call's listener at once (before any other thread can
 * complete the request, so its end is never missed) and bounds the container's async timeout by the deadline.
 */
final class GuardedRequest extends HttpServletRequestWrapper {

  private final HttpServerCall call;
  private final HttpServletResponse response;

  GuardedRequest(HttpServletRequest request, HttpServletResponse response, HttpServerCall call) {
    super(request);
    this.call = call;
    this.response = response;
  }

  @Override
  public AsyncContext startAsync() {
    return guard(super.startAsync());
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    return guard(super.startAsync(request, response));
  }

  private AsyncContext guard(AsyncContext async) {
    async.addListener(new CallAsyncListener(call, response));
    Deadline deadline = call.context().deadline();
    if (deadline != null) {
      // At least 1 ms: 0 would mean "never time out".
      long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline.remainingNanos()));
      long current = async.getTimeout();
      async.setTimeout(current > 0 ? Math.min(current, millis) : millis);
    }
    return async;
  }
}
