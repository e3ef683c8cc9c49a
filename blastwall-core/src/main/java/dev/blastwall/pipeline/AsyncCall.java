package dev.blastwall.pipeline;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.internal.Failures;
import dev.blastwall.internal.IntPermitGate;
import dev.blastwall.time.Cancellable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One logical call run asynchronously: each attempt's completion decides the next step, and waits are scheduled,
 * never slept. Steps never overlap, so the run's state needs no locking.
 *
 * <p>The success path allocates little, since every async call takes it: the call is the callback of the attempt's
 * stage ({@link BiConsumer}); its result future cancels the attempt in flight itself rather than through a
 * dependent stage; admission that is granted at once, and an attempt whose stage is already complete, go on
 * directly instead of through a stage of their own.
 */
final class AsyncCall<T extends @Nullable Object> extends CallRun
    implements BiConsumer<@Nullable T, @Nullable Throwable> {

  private final Supplier<? extends CompletionStage<T>> task;
  private final Result<T> result = new Result<>(this);
  private volatile @Nullable Cancellation inFlight;
  // The time limit of the attempt in flight: written before its stage's callback is attached, read by it.
  private @Nullable Cancellable attemptTimer;
  // The retry waiting out its backoff or pushback, if any: taken off the scheduler when the call ends meanwhile.
  private volatile @Nullable PendingRetry pendingRetry;

  AsyncCall(Pipeline pipeline, CallContext parent, Idempotency idempotency,
      Supplier<? extends CompletionStage<T>> task) {
    super(pipeline, parent, idempotency);
    this.task = task;
  }

  CompletableFuture<T> result() {
    return result;
  }

  void start() {
    if (reportsEnd()) {
      // Only then: a dependent stage is an allocation the calls nobody hears about do without.
      var unused = result.whenComplete((value, failure) -> {
        if (failure instanceof CancellationException) {
          // Stops the attempt now rather than after this (the result does it too), so its events come first.
          resultCancelled(failure);
        }
        completed(failure);
      });
    }
    attempt();
  }

  /** The caller cancelled the result: stops the attempt in flight, or the retry waiting to start. */
  void resultCancelled(Throwable why) {
    Cancellation attempt = inFlight;
    if (attempt != null) {
      attempt.cancel(why);
    }
    PendingRetry retry = pendingRetry;
    if (retry != null) {
      retry.cancel();
    }
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
    if (granted == IntPermitGate.NOT_PERMITTED) {
      completeWithTerminal();
      return;
    }
    long wait = gates.tryLimiter(this, granted, /* mayWait= */ true);
    if (wait < 0) {
      completeWithTerminal();
      return;
    }
    if (wait > 0) {
      pipeline.scheduler.schedule(() -> toBulkhead(granted), wait);
    } else {
      toBulkhead(granted);
    }
  }

  private void toBulkhead(int granted) {
    CompletableFuture<Boolean> acquired = pipeline.gates.acquireBulkheadAsync(this, granted);
    if (acquired.state() == Future.State.SUCCESS) {
      // Answered at once (a free slot, or a refusal), the common case: no stage needed to go on.
      admitted(granted, acquired.resultNow());
    } else {
      var unused = acquired.whenComplete((ok, failure) -> admitted(granted, Boolean.TRUE.equals(ok)));
    }
  }

  private void admitted(int granted, boolean acquired) {
    if (acquired) {
      permit = granted;
      send();
    } else {
      completeWithTerminal();
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
    if (running.state() == Future.State.SUCCESS) {
      // Answered already (a cache, a completed stage): nothing left to cancel or time, no callback to attach.
      cancellation.detach();
      afterAttempt(cancellation, running.resultNow(), null);
      return;
    }
    cancellation.onCancel(() -> running.cancel(/* mayInterruptIfRunning= */ true));
    attemptTimer = limit < 0 ? null
        : pipeline.scheduler.schedule(
            () -> cancellation.cancel(timeoutFailure(attemptContext.attempt(), limit)), limit);
    var unusedDependent = running.whenComplete(this);
  }

  /**
   * The attempt in flight completed. Not for callers: it is the callback of the attempt's stage, attached once per
   * attempt; attempts never overlap, so {@link #inFlight} and {@link #attemptTimer} are still this attempt's.
   */
  @Override
  public void accept(@Nullable T value, @Nullable Throwable failure) {
    Cancellable timer = attemptTimer;
    if (timer != null) {
      timer.cancel();
    }
    Cancellation cancellation = inFlight;
    if (cancellation == null) {
      throw new IllegalStateException("attempt completed before it was sent");
    }
    cancellation.detach();
    afterAttempt(cancellation, value, failure);
  }

  private void afterAttempt(Cancellation cancellation, @Nullable T value, @Nullable Throwable thrown) {
    // Stopped from outside (time limit, caller cancelled): report why, not the CancellationException it caused.
    Throwable failure = cancellation.isCancelled() ? cancellation.cause()
        : thrown == null ? null : Failures.delivered(thrown);
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
      scheduleRetry(delay);
    } else {
      attempt();
    }
  }

  /**
   * Schedules the next attempt {@code delayNanos} from now. Until it starts, the caller cancelling the result or its
   * context ends the call at once and takes the retry off the scheduler, which would otherwise hold the whole call
   * until the wait is over.
   */
  private void scheduleRetry(long delayNanos) {
    PendingRetry retry = new PendingRetry();
    pendingRetry = retry;
    retry.timer = pipeline.scheduler.schedule(retry, delayNanos);
    Cancellation caller = context.cancellation();
    if (caller != Cancellation.NEVER) {
      retry.registration = caller.onCancel(retry::callerCancelled);
    }
    if (result.isDone()) {
      // Cancelled before the timer was set: resultCancelled may have found nothing to cancel yet.
      retry.cancel();
    }
  }

  /** The next attempt, waiting for its time; it either starts or is cancelled, once. */
  private final class PendingRetry implements Runnable {
    private final AtomicBoolean settled = new AtomicBoolean();
    volatile @Nullable Cancellable timer;
    volatile Cancellation.Registration registration = Cancellation.Registration.NONE;

    @Override
    public void run() {
      if (settled.compareAndSet(false, true)) {
        registration.remove();
        pendingRetry = null;
        attempt();
      }
    }

    /**
     * Takes the retry off the scheduler; false if it already started (or was cancelled). The timer and the
     * registration are let go on every call, not only the first: a cancel that raced {@link #scheduleRetry} settled
     * the retry before they existed, and the second cancel there is what frees them.
     */
    boolean cancel() {
      boolean first = settled.compareAndSet(false, true);
      Cancellable scheduled = timer;
      if (scheduled != null) {
        scheduled.cancel();
      }
      registration.remove();
      if (!first) {
        return false;
      }
      pendingRetry = null;
      return true;
    }

    /** The caller's context was cancelled during the wait: the call ends now, as the next attempt would end it. */
    void callerCancelled() {
      if (cancel()) {
        Throwable why = context.cancellation().cause();
        result.completeExceptionally(why != null ? why : new CancellationException("caller cancelled"));
      }
    }
  }

  /**
   * The future the caller holds. Completing it with a {@link CancellationException} (by {@code cancel} or
   * otherwise) stops the attempt in flight; done here rather than by a dependent stage, which would be two
   * objects more per call.
   */
  private static final class Result<T extends @Nullable Object> extends CompletableFuture<T> {
    private final AsyncCall<T> call;

    Result(AsyncCall<T> call) {
      this.call = call;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean wasDone = isDone();
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (!wasDone && cancelled) {
        stopAttempt();
      }
      return cancelled;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
      boolean completed = super.completeExceptionally(failure);
      if (completed && failure instanceof CancellationException) {
        call.resultCancelled(failure);
      }
      return completed;
    }

    @Override
    public void obtrudeException(Throwable failure) {
      super.obtrudeException(failure);
      if (failure instanceof CancellationException) {
        call.resultCancelled(failure);
      }
    }

    /** Cancels the attempt with the exception cancel() stored, as a dependent stage sees it; runs at once. */
    private void stopAttempt() {
      var unused = whenComplete((value, failure) -> {
        if (failure != null) {
          call.resultCancelled(failure);
        }
      });
    }
  }
}
