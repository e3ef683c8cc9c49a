package dev.blastwall.http;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.internal.Failures;
import dev.blastwall.server.GuardedCall;
import dev.blastwall.time.Cancellable;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * One request as {@link HttpServerGuard#enter} decided it: refused (answer {@link #refusal()} and do not run the
 * handler) or admitted (attach {@link #context()} for the handler, then end the call once). Ending releases the
 * admission's permit exactly once, whichever end method runs first and however often, on any thread; a refused
 * call has nothing to release.
 */
public final class HttpServerCall {

  private final @Nullable HttpFailureResponse refusal;
  private final CallContext context;
  private final @Nullable GuardedCall guarded;
  private final @Nullable Cancellable deadlineTimer;

  private HttpServerCall(@Nullable HttpFailureResponse refusal, CallContext context, @Nullable GuardedCall guarded,
      @Nullable Cancellable deadlineTimer) {
    this.refusal = refusal;
    this.context = context;
    this.guarded = guarded;
    this.deadlineTimer = deadlineTimer;
  }

  static HttpServerCall refused(HttpFailureResponse refusal) {
    return new HttpServerCall(refusal, CallContext.ROOT, null, null);
  }

  static HttpServerCall admitted(CallContext context, GuardedCall guarded, @Nullable Cancellable deadlineTimer) {
    return new HttpServerCall(null, context, guarded, deadlineTimer);
  }

  /** Whether the handler may run. */
  public boolean admitted() {
    return refusal == null;
  }

  /** The answer to send instead of running the handler, or {@code null} when admitted. */
  public @Nullable HttpFailureResponse refusal() {
    return refusal;
  }

  /** The handler's context: the caller's deadline, criticality, key, attempt, mark, tenant and trace. */
  public CallContext context() {
    return context;
  }

  /**
   * Ends the call by the status its response was sent with: below 400 a success; 429, 503 and 504 a congestion
   * signal for an adaptive limit; anything else says nothing about load.
   */
  public void end(int status) {
    stopTimer();
    GuardedCall call = guarded;
    if (call == null) {
      return;
    }
    if (status >= 100 && status < 400) {
      call.onSuccess();
    } else if (status == 429 || status == 503 || status == 504) {
      call.onDropped();
    } else {
      call.onIgnore();
    }
  }

  /**
   * The answer to a handler that failed with {@code failure} before it started a response
   * ({@link HttpStatusMapping#outgoing}); the call is ended by that answer's status. A handler that failed after
   * its deadline passed is answered as {@link #deadlinePassed()}, whatever it threw (its failure is most likely
   * the deadline's cancellation). A cancellation otherwise (the caller went away) ends it without a load sample.
   */
  public HttpFailureResponse failed(Throwable failure) {
    Deadline deadline = context.deadline();
    if (deadline != null && deadline.isExpired()) {
      return deadlinePassed();
    }
    HttpFailureResponse answer = HttpStatusMapping.outgoing(failure);
    if (Failures.unwrap(failure) instanceof CancellationException || context.isCancelled()) {
      abandoned();
    } else {
      end(answer.status());
    }
    return answer;
  }

  /**
   * Gives up on a handler whose deadline passed before it answered (the deadline's timer, or a server's own
   * timeout such as a Servlet container's async timeout): cancels its context, so its work and its outgoing calls
   * stop, ends the call as a 504 (a congestion signal, as gRPC's DEADLINE_EXCEEDED is) and returns
   * {@link HttpStatusMapping#deadlinePassed()} to send if nothing was sent yet.
   */
  public HttpFailureResponse deadlinePassed() {
    cancel("the request's deadline passed: its caller has given up", null);
    end(504);
    return HttpStatusMapping.deadlinePassed();
  }

  /**
   * Cancels the handler's context (its work that watches {@code CallContext.current().cancellation()} and every
   * Blastwall call it makes stop), for a binding that can tell its client went away or its request failed; the
   * first reason wins. It does not end the call: the binding still ends it once its response is done.
   */
  public void cancel(String reason, @Nullable Throwable cause) {
    CancellationException signal = new CancellationException(reason);
    if (cause != null) {
      signal.initCause(cause);
    }
    context.cancellation().cancel(signal);
  }

  /** Ends a call that got no answer this side could judge (the client went away, the response broke off). */
  public void abandoned() {
    stopTimer();
    GuardedCall call = guarded;
    if (call != null) {
      call.onIgnore();
    }
  }

  private void stopTimer() {
    Cancellable timer = deadlineTimer;
    if (timer != null) {
      timer.cancel();
    }
  }

  @Override
  public String toString() {
    return refusal != null ? "HttpServerCall[refused " + refusal.status() + "]" : "HttpServerCall[" + guarded + "]";
  }
}
