package dev.blastwall.pipeline;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Idempotency;
import dev.blastwall.event.CallObserver;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.internal.IntPermitGate;
import dev.blastwall.time.Cancellable;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/** One logical call run on the caller's thread: attempts, timeouts by interrupt, backoff by parking. */
final class BlockingCall<T extends @Nullable Object> extends CallRun {

  private final Callable<T> task;

  BlockingCall(Pipeline pipeline, CallContext parent, Idempotency idempotency, Callable<T> task) {
    super(pipeline, parent, idempotency);
    this.task = task;
  }

  /**
   * The rest of a call whose first attempt the fast path ({@link FastCall}) ran and which ended in a failure or a
   * failed result; the request is already in the retry budget. The call entered the pipeline at
   * {@code callStartNanos} (a reading only when {@code timed}) and reports its end to {@code observer}.
   */
  BlockingCall(Pipeline pipeline, Callable<T> task, int permit, long startNanos, CallObserver observer,
      boolean timed, long callStartNanos) {
    super(pipeline, CallContext.ROOT, pipeline.defaultIdempotency, /* afterFastPath= */ true, observer, timed,
        callStartNanos);
    this.task = task;
    resumeAfterFirstAttempt(permit, startNanos);
  }

  /** Goes on after the fast path's first attempt threw {@code failure}, exactly as {@link #run()} would. */
  T afterFirstAttemptThrew(Throwable failure) throws Exception {
    if (!reportsEnd()) {
      return goOnAfterThrow(failure);
    }
    T value;
    try {
      value = goOnAfterThrow(failure);
    } catch (Throwable thrown) {
      completed(thrown);
      throw thrown;
    }
    completed(null);
    return value;
  }

  /** Goes on after the fast path's first attempt returned {@code value}, classified as a failure of {@code kind}. */
  T afterFirstAttemptFailed(T value, FailureKind kind) throws Exception {
    if (!reportsEnd()) {
      return goOnAfterFailedResult(value, kind);
    }
    T result;
    try {
      result = goOnAfterFailedResult(value, kind);
    } catch (Throwable thrown) {
      completed(thrown);
      throw thrown;
    }
    completed(null);
    return result;
  }

  private T goOnAfterThrow(Throwable failure) throws Exception {
    releaseGates(failure, null);
    pause(afterFailureOrThrow(failure));
    return attempts();
  }

  private T goOnAfterFailedResult(T value, FailureKind kind) throws Exception {
    releaseGates(null, kind);
    long delay = afterFailure(null, kind);
    if (delay == STOP) {
      if (terminal == null) {
        return value;
      }
      throw rethrow(terminal);
    }
    pause(delay);
    return attempts();
  }

  /** Runs the call to its end and reports how it ended. */
  T run() throws Exception {
    if (!reportsEnd()) {
      return attempts();
    }
    T value;
    try {
      value = attempts();
    } catch (Throwable failure) {
      completed(failure);
      throw failure;
    }
    completed(null);
    return value;
  }

  private T attempts() throws Exception {
    while (true) {
      if (!admit()) {
        throw rethrow(terminal);
      }
      long limit = attemptLimitNanos();
      Cancellation cancellation = attemptCancellation(limit);
      CallContext attemptContext = startAttempt(cancellation, lastFailure);
      if (attemptContext == null) {
        cancellation.detach();
        releaseUnsent();
        throw rethrow(terminal);
      }
      AttemptGuard guard = cancellation == Cancellation.NEVER ? AttemptGuard.NONE
          : new AttemptGuard(Thread.currentThread());
      if (guard != AttemptGuard.NONE) {
        cancellation.onCancel(guard::stop);
      }
      Cancellable timer = limit < 0 ? null
          : pipeline.scheduler.schedule(
              () -> cancellation.cancel(timeoutFailure(attemptContext.attempt(), limit)), limit);

      T value;
      try {
        if (cancellation.isCancelled()) {
          // Cancelled while starting (the caller gave up, seen by a listener or another thread): not sent.
          throw stopCause(cancellation);
        }
        value = attemptContext.call(task);
      } catch (Throwable thrown) {
        Throwable failure = finish(guard, timer, cancellation) ? thrown : stopCause(cancellation);
        releaseGates(failure, null);
        pause(afterFailureOrThrow(failure));
        continue;
      }
      if (!finish(guard, timer, cancellation)) {
        // Stopped from outside (time limit, caller cancelled): that is what happened, even if the task
        // swallowed its interrupt and returned.
        Throwable failure = stopCause(cancellation);
        releaseGates(failure, null);
        pause(afterFailureOrThrow(failure));
        continue;
      }
      FailureKind kind = pipeline.retry.resultClassifier().classify(value);
      releaseGates(null, kind);
      if (kind == null) {
        afterSuccess();
        return value;
      }
      long delay = afterFailure(null, kind);
      if (delay == STOP) {
        if (terminal == null) {
          return value;
        }
        throw rethrow(terminal);
      }
      pause(delay);
    }
  }

  /**
   * Passes the breaker, rate limiter and bulkhead, waiting where they allow (bounded by the deadline); false with
   * {@link #terminal} set when one of them refused.
   */
  private boolean admit() throws InterruptedException {
    AttemptGates gates = pipeline.gates;
    if (gates.isEmpty()) {
      return true;
    }
    int granted = gates.tryThrottleAndBreaker(this);
    if (granted == IntPermitGate.NOT_PERMITTED) {
      return false;
    }
    long wait = gates.tryLimiter(this, granted, /* mayWait= */ true);
    if (wait < 0) {
      return false;
    }
    try {
      pause(wait);
    } catch (InterruptedException interrupted) {
      gates.releaseBreaker(granted);
      throw interrupted;
    }
    if (!gates.acquireBulkhead(this, granted)) {
      return false;
    }
    permit = granted;
    return true;
  }

  /** Ends the attempt's timer and guard; true if the attempt ended on its own, false if it was stopped. */
  private static boolean finish(AttemptGuard guard, @Nullable Cancellable timer, Cancellation cancellation) {
    if (timer != null) {
      timer.cancel();
    }
    // The attempt is over: the caller's signal need not reach it any more (and must not keep it alive).
    cancellation.detach();
    return guard.finish();
  }

  private static Throwable stopCause(Cancellation cancellation) {
    Throwable cause = cancellation.cause();
    return cause != null ? cause : new CancellationException("attempt stopped");
  }

  /** The delay before the next attempt; throws what the call ends with when it must stop. */
  private long afterFailureOrThrow(Throwable failure) throws Exception {
    long delay = afterFailure(failure, FailureKind.UNKNOWN);
    if (delay == STOP) {
      throw rethrow(terminal != null ? terminal : failure);
    }
    return delay;
  }

  /**
   * Waits out {@code delayNanos}. The caller cancelling its context meanwhile cuts the wait short, and the next
   * attempt then ends the call with that cancellation; an interrupt from anyone else is thrown, as before.
   */
  private void pause(long delayNanos) throws InterruptedException {
    if (delayNanos <= 0) {
      return;
    }
    Cancellation caller = context.cancellation();
    if (caller == Cancellation.NEVER) {
      pipeline.scheduler.sleep(delayNanos);
      return;
    }
    AttemptGuard guard = new AttemptGuard(Thread.currentThread());
    Cancellation.Registration registration = caller.onCancel(guard::stop);
    try {
      pipeline.scheduler.sleep(delayNanos);
    } catch (InterruptedException interrupted) {
      if (guard.finish()) {
        throw interrupted;
      }
      return;
    } finally {
      registration.remove();
    }
    // A cancellation that came as the wait ended: its interrupt must not reach the next attempt.
    var unused = guard.finish();
  }

  private static Exception rethrow(@Nullable Throwable failure) {
    if (failure instanceof Exception exception) {
      return exception;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    return new UndeclaredThrowableException(failure);
  }
}
