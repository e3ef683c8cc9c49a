package dev.blastwall.pipeline;

import dev.blastwall.context.CallContext;
import dev.blastwall.event.CallObserver;
import dev.blastwall.event.CallOutcome;
import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.internal.ContextBinding;
import dev.blastwall.internal.Observers;
import dev.blastwall.time.Ticker;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * The first attempt of a plain blocking call (made outside any call, default idempotency, no deadline, no attempt
 * timeout, no listener) with its state in local variables, so the common success path allocates nothing and reads
 * the clock only when something needs it: once to start the attempt when the rate limiter, the attempt timing or
 * an observer timing the call does (the retry budget shares that reading, and needs none of its own on most
 * calls), and once to end it when the breaker or the observer needs the duration. Anything else, a failure or a
 * failed result, hands over to a {@link BlockingCall} in the state the first attempt left, which goes on exactly as
 * if it had run it.
 *
 * <p>Why not just {@code BlockingCall}: its run state is an object whose {@code run()} is too large to inline, so
 * the JIT cannot keep it in registers and every call allocated it.
 */
final class FastCall {

  private FastCall() {}

  /**
   * Whether calls through {@code pipeline} made outside any call with its default idempotency may start here, while
   * nobody listens.
   */
  static boolean applies(Pipeline pipeline) {
    return pipeline.timeoutNanos < 0 && pipeline.attemptTimeoutNanos < 0;
  }

  /**
   * Runs the call; {@code binding} is this thread's context binding, which holds no context (the call is made
   * outside any call) and gets the first attempt's context while the task runs.
   */
  static <T extends @Nullable Object> T call(Pipeline pipeline, Callable<T> task, ContextBinding binding)
      throws Exception {
    Ticker ticker = pipeline.ticker;
    AttemptGates gates = pipeline.gates;
    CallObserver observer = pipeline.observers.current();
    boolean observed = observer != CallObserver.NONE;
    boolean timed = observed && Observers.timesCall(observer);
    // A timed call's start is this same reading, which the limiter and the budget take too.
    boolean readClock = pipeline.readsClockUpFront || timed;
    long now = readClock ? ticker.nanos() : 0;
    if (pipeline.depositsRequests) {
      if (readClock) {
        pipeline.budget.onRequest(ticker, now);
      } else {
        // now is a placeholder, not a reading: the budget reads its own clock if and when it needs the time.
        pipeline.budget.onRequest();
      }
    }
    int permit;
    if (gates.isEmpty()) {
      permit = AttemptGates.NO_PERMIT;
    } else if (!observed) {
      permit = gates.admitFirst(now);
    } else {
      try {
        permit = gates.admitFirst(now);
      } catch (Exception refused) {
        refusedFirst(pipeline, observer, refused, timed, now);
        throw refused;
      }
    }
    long start = pipeline.breakerTimesCalls && pipeline.admissionMayWait ? ticker.nanos() : now;
    T value;
    try {
      value = callBound(binding, pipeline.rootFirstAttempt, task);
    } catch (Throwable failure) {
      return new BlockingCall<>(pipeline, task, permit, start, observer, timed, now).afterFirstAttemptThrew(failure);
    }
    FailureKind kind = pipeline.retry.resultClassifier().classify(value);
    if (kind != null) {
      return new BlockingCall<>(pipeline, task, permit, start, observer, timed, now)
          .afterFirstAttemptFailed(value, kind);
    }
    // One reading ends the attempt for the breaker and the call for the observer.
    long end = pipeline.breakerTimesCalls || timed ? ticker.nanos() : 0;
    if (!gates.isEmpty()) {
      gates.release(permit, pipeline.breakerTimesCalls ? end - start : 0, null, null,
          /* callerCancelled= */ false);
    }
    pipeline.budget.onAttemptSucceeded();
    if (observed) {
      Observers.ended(observer, CallOutcome.SUCCESS, 1, timed ? end - now : CallObserver.NOT_TIMED);
    }
    return value;
  }

  /** Reports a call whose first attempt admission refused (or whose wait for it was interrupted). */
  private static void refusedFirst(Pipeline pipeline, CallObserver observer, Exception refused, boolean timed,
      long startNanos) {
    if (refused instanceof BlastwallException rejection) {
      Observers.rejected(observer, rejection.policy());
    }
    CallOutcome outcome = CallRun.outcome(pipeline, pipeline.rootContext, /* succeeded= */ false, refused);
    Observers.ended(observer, outcome, 0, timed ? pipeline.ticker.nanos() - startNanos : CallObserver.NOT_TIMED);
  }

  /** {@code context.call(task)}, on a binding already looked up. */
  private static <T extends @Nullable Object> T callBound(ContextBinding binding, CallContext context,
      Callable<T> task) throws Exception {
    Object previous = binding.bind(context);
    try {
      return task.call();
    } finally {
      binding.restore(previous);
    }
  }
}
