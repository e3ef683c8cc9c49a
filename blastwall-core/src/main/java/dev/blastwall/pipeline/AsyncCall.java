package dev.blastwall.pipeline;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.time.Cancellable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One logical call run asynchronously: each attempt's completion decides the next step, and waits are scheduled,
 * never slept. Steps never overlap, so the run's state needs no locking.
 */
final class AsyncCall<T extends @Nullable Object> extends CallRun {

  private final Supplier<? extends CompletionStage<T>> task;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private volatile @Nullable Cancellation inFlight;

  AsyncCall(Pipeline pipeline, CallContext parent, Idempotency idempotency,
      Supplier<? extends CompletionStage<T>> task) {
    super(pipeline, parent, idempotency);
    this.task = task;
  }

  CompletableFuture<T> result() {
    return result;
  }

  void start() {
    // The caller cancelling the result stops the attempt in flight; retries check result.isDone() first.
    // The dependent future is not needed: the callback itself handles everything.
    var unused = result.whenComplete((value, failure) -> {
      Cancellation attempt = inFlight;
      if (failure instanceof CancellationException && attempt != null) {
        attempt.cancel(failure);
      }
    });
    attempt();
  }

  /** Passes the breaker, rate limiter and bulkhead (waiting by schedule, never by blocking), then sends. */
  private void attempt() {
    if (result.isDone()) {
      return;
    }
    AttemptGates gates = pipeline.gates;
    if (gates.isEmpty()) {
      send();
      return;
    }
    int granted = gates.tryThrottleAndBreaker(this);
    if (granted == CircuitBreaker.NOT_PERMITTED) {
      completeWithTerminal();
      return;
    }
    long wait = gates.tryLimiter(this, granted, /* mayWait= */ true);
    if (wait < 0) {
      completeWithTerminal();
      return;
    }
    Runnable toBulkhead = () -> {
      var unused = gates.acquireBulkheadAsync(this, granted).whenComplete((acquired, failure) -> {
        if (Boolean.TRUE.equals(acquired)) {
          permit = granted;
          send();
        } else {
          completeWithTerminal();
        }
      });
    };
    if (wait > 0) {
      pipeline.scheduler.schedule(toBulkhead, wait);
    } else {
      toBulkhead.run();
    }
  }

  private void completeWithTerminal() {
    result.completeExceptionally(terminal != null ? terminal : new CancellationException("attempt refused"));
  }

  private void send() {
    if (result.isDone()) {
      releaseUnsent();
      return;
    }
    Cancellation cancellation = context.cancellation().child();
    // Publish the attempt before looking at the result again: a caller cancelling the result right now either
    // finds this attempt in inFlight (and cancels it), or is seen here (and no attempt starts). Publishing it
    // after the check left a window in which the cancel reached the previous, finished attempt instead.
    inFlight = cancellation;
    if (result.isDone()) {
      releaseUnsent();
      return;
    }
    CallContext attemptContext = startAttempt(cancellation, lastFailure);
    if (attemptContext == null) {
      cancellation.detach();
      releaseUnsent();
      completeWithTerminal();
      return;
    }
    long limit = attemptLimitNanos();
    CompletableFuture<T> stage;
    Throwable cancelledWhileStarting = cancellation.cause();
    if (cancelledWhileStarting != null) {
      // Cancelled while starting (the caller cancelled the result or its context, seen by a listener or another
      // thread): nobody waits for this attempt any more, so it is not sent.
      stage = CompletableFuture.failedFuture(cancelledWhileStarting);
    } else {
      try {
        stage = attemptContext.call(task::get).toCompletableFuture();
      } catch (Throwable thrown) {
        stage = CompletableFuture.failedFuture(thrown);
      }
    }
    CompletableFuture<T> running = stage;
    cancellation.onCancel(() -> running.cancel(/* mayInterruptIfRunning= */ true));
    Cancellable timer = limit < 0 ? null
        : pipeline.scheduler.schedule(
            () -> cancellation.cancel(timeoutFailure(attemptContext.attempt(), limit)), limit);
    var unusedDependent = running.whenComplete((value, failure) -> {
      if (timer != null) {
        timer.cancel();
      }
      cancellation.detach();
      afterAttempt(cancellation, value, failure);
    });
  }

  private void afterAttempt(Cancellation cancellation, @Nullable T value, @Nullable Throwable thrown) {
    // Stopped from outside (time limit, caller cancelled): report why, not the CancellationException it caused.
    Throwable failure = cancellation.isCancelled() ? cancellation.cause() : unwrap(thrown);
    long delay;
    if (failure == null) {
      FailureKind kind = pipeline.retry.resultClassifier().classify(value);
      releaseGates(null, kind);
      if (kind == null) {
        afterSuccess();
        result.complete(value);
        return;
      }
      delay = afterFailure(null, kind);
      if (delay == STOP) {
        if (terminal == null) {
          result.complete(value);
        } else {
          result.completeExceptionally(terminal);
        }
        return;
      }
    } else {
      releaseGates(failure, null);
      delay = afterFailure(failure, FailureKind.UNKNOWN);
      if (delay == STOP) {
        result.completeExceptionally(terminal != null ? terminal : failure);
        return;
      }
    }
    if (result.isDone()) {
      return;
    }
    if (delay > 0) {
      pipeline.scheduler.schedule(this::attempt, delay);
    } else {
      attempt();
    }
  }
}
