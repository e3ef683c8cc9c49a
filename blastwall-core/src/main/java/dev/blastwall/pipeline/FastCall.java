package dev.blastwall.pipeline;

import dev.blastwall.context.CallContext;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.internal.ContextBinding;
import dev.blastwall.time.Ticker;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * The first attempt of a plain blocking call (made outside any call, default idempotency, no deadline, no attempt
 * timeout, no listener) with its state in local variables, so the common success path allocates nothing and reads
 * the clock only when something needs it: once to start the attempt when the rate limiter or the attempt timing
 * does (the retry budget shares that reading, and needs none of its own on most calls), and once to time the
 * attempt when the breaker needs the duration. Anything else, a failure or a failed result, hands over to a
 * {@link BlockingCall} in the state the first attempt left, which goes on exactly as if it had run it.
 *
 * <p>Why not just {@code BlockingCall}: its run state is an object whose {@code run()} is too large to inline, so
 * the JIT cannot keep it in registers and every call allocated it.
 */
final class FastCall {

  private FastCall() {}

  /** Whether calls through {@code pipeline} made outside any call with its default idempotency may start here. */
  static boolean applies(Pipeline pipeline) {
    return !pipeline.listening && pipeline.timeoutNanos < 0 && pipeline.attemptTimeoutNanos < 0;
  }

  /**
   * Runs the call; {@code binding} is this thread's context binding, which holds no context (the call is made
   * outside any call) and gets the first attempt's context while the task runs.
   */
  static <T extends @Nullable Object> T call(Pipeline pipeline, Callable<T> task, ContextBinding binding)
      throws Exception {
    Ticker ticker = pipeline.ticker;
    AttemptGates gates = pipeline.gates;
    boolean readClock = pipeline.readsClockUpFront;
    long now = readClock ? ticker.nanos() : 0;
    if (pipeline.depositsRequests) {
      if (readClock) {
        pipeline.budget.onRequest(ticker, now);
      } else {
        // now is a placeholder, not a reading: the budget reads its own clock if and when it needs the time.
        pipeline.budget.onRequest();
      }
    }
    int permit = gates.isEmpty() ? AttemptGates.NO_PERMIT : gates.admitFirst(now);
    long start = pipeline.timesAttempts && pipeline.admissionMayWait ? ticker.nanos() : now;
    T value;
    try {
      value = callBound(binding, pipeline.rootFirstAttempt, task);
    } catch (Throwable failure) {
      return new BlockingCall<>(pipeline, task, permit, start).afterFirstAttemptThrew(failure);
    }
    FailureKind kind = pipeline.retry.resultClassifier().classify(value);
    if (kind != null) {
      return new BlockingCall<>(pipeline, task, permit, start).afterFirstAttemptFailed(value, kind);
    }
    if (!gates.isEmpty()) {
      gates.release(permit, pipeline.timesAttempts ? ticker.nanos() - start : 0, null, null,
          /* callerCancelled= */ false);
    }
    pipeline.budget.onAttemptSucceeded();
    return value;
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
