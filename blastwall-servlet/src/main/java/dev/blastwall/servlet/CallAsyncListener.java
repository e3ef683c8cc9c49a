package dev.blastwall.servlet;

import dev.blastwall.http.HttpFailureResponse;
import dev.blastwall.http.HttpServerCall;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Ends an asynchronous request's call when the container ends it: on completion by its status, on the
 * container's timeout (which the filter set no later than the deadline) with a 504 if nothing was sent yet, on an
 * error (Jetty reports a failed read or write, an idle timeout, or a client reset seen by the connection) as
 * abandoned. A timeout and an error cancel the handler's context first, so its work stops.
 */
final class CallAsyncListener implements AsyncListener {

  private final HttpServerCall call;
  private final HttpServletResponse response;

  CallAsyncListener(HttpServerCall call, HttpServletResponse response) {
    this.call = call;
    this.response = response;
  }

  @Override
  public void onComplete(AsyncEvent event) {
    call.end(response.getStatus());
  }

  @Override
  public void onTimeout(AsyncEvent event) throws IOException {
    HttpFailureResponse answer = call.deadlinePassed();
    AsyncContext async = event.getAsyncContext();
    try {
      if (!response.isCommitted()) {
        ServletAnswers.send(answer, response);
      }
    } finally {
      async.complete(); // also when the answer cannot be sent (the client left): the request must end
    }
  }

  @Override
  public void onError(AsyncEvent event) {
    @Nullable Throwable why = event.getThrowable();
    call.cancel("the request failed in the container: " + (why == null ? "unknown" : why), why);
    call.abandoned();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // A restarted async cycle drops its listeners: stay registered for the end of the new one.
    AsyncContext async = event.getAsyncContext();
    if (async != null) {
      async.addListener(this);
    }
  }
}
