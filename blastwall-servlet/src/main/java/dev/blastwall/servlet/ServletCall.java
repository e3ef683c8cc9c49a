package dev.blastwall.servlet;

import dev.blastwall.context.CallContext;
import dev.blastwall.server.GuardedCall;
import dev.blastwall.time.Cancellable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * One admitted request: its context, its admission permit and its deadline timer. The first end (by status, or
 * abandoned) releases the permit and stops the timer; every later end, from any thread (the request thread, an
 * async listener, the timer), does nothing, so a request that completes, times out and fails at once still gives
 * its place back exactly once.
 */
final class ServletCall {

  private static final VarHandle ENDED;

  static {
    try {
      ENDED = MethodHandles.lookup().findVarHandle(ServletCall.class, "ended", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final CallContext context;
  private final GuardedCall guarded;
  private volatile @Nullable Cancellable deadlineTimer;
  @SuppressWarnings("unused") // accessed through ENDED
  private volatile boolean ended;

  ServletCall(CallContext context, GuardedCall guarded) {
    this.context = context;
    this.guarded = guarded;
  }

  void deadlineTimer(Cancellable timer) {
    this.deadlineTimer = timer;
    if (ended) {
      timer.cancel();
    }
  }

  /** Cancels the handler's context (its own calls stop); the first reason wins. */
  void cancel(String reason, @Nullable Throwable cause) {
    CancellationException signal = new CancellationException(reason);
    if (cause != null) {
      signal.initCause(cause);
    }
    context.cancellation().cancel(signal);
  }

  /**
   * Ends the call by the status it was answered with: below 400 a success; 429, 503 and 504 a congestion signal;
   * anything else says nothing about load.
   */
  void end(int status) {
    if (!ENDED.compareAndSet(this, false, true)) {
      return;
    }
    stopTimer();
    if (status >= 100 && status < 400) {
      guarded.onSuccess();
    } else if (status == 429 || status == 503 || status == 504) {
      guarded.onDropped();
    } else {
      guarded.onIgnore();
    }
  }

  /** Ends a call whose answer says nothing this side can judge: the client went away, the response broke off. */
  void abandoned() {
    if (ENDED.compareAndSet(this, false, true)) {
      stopTimer();
      guarded.onIgnore();
    }
  }

  boolean isEnded() {
    return ended;
  }

  private void stopTimer() {
    Cancellable timer = deadlineTimer;
    if (timer != null) {
      timer.cancel();
    }
  }
}
