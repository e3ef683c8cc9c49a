package dev.blastwall.pipeline;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Idempotency;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.internal.Failures;
import dev.blastwall.internal.IntPermitGate;
import dev.blastwall.internal.Observers;
import dev.blastwall.time.Cancellable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One logical call raced by hedges: the original attempt starts at once; each hedge starts after the hedge delay
 * (or at once when an attempt fails with a retryable failure), if the hedge budget allows; the first accepted
 * answer wins and every other attempt is cancelled.
 *
 * <p>Attempts complete on any thread, so the call's state is guarded by a per-call lock (a
 * {@link ReentrantLock}, which parks rather than pins virtual threads). Futures are completed and attempts
 * cancelled outside the lock, since both run foreign callbacks.
 */
final class HedgedCall<T extends @Nullable Object> extends CallRun {

  private final HedgePolicy hedge;
  private final Supplier<? extends CompletionStage<T>> task;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Attempt> running = new ArrayList<>(2);
  private @Nullable Cancellable hedgeTimer;
  private FailureKind lastKind = FailureKind.UNKNOWN;
  private boolean done;

  /** One attempt in flight: its cancellation, when it started, and its breaker permit. */
  private record Attempt(int number, Cancellation cancellation, long startNanos, int permit) {}

  HedgedCall(Pipeline pipeline, CallContext parent, Idempotency idempotency, HedgePolicy hedge,
      Supplier<? extends CompletionStage<T>> task) {
    super(pipeline, parent, idempotency);
    this.hedge = hedge;
    this.task = task;
    pipeline.hedgeBudget.onRequest();
  }

  CompletableFuture<T> result() {
    return result;
  }

  void start() {
    var unused = result.whenComplete((value, failure) -> {
      if (failure instanceof CancellationException) {
        cancelAll(null, failure);
      }
      completed(failure);
    });
    AttemptGates gates = pipeline.gates;
    if (gates.isEmpty()) {
      sendOriginal(AttemptGates.NO_PERMIT);
      return;
    }
    // The original waits at the rate limiter and the bulkhead within their limits and the deadline, like any
    // call's attempt; only hedges never wait.
    int granted = gates.tryThrottleAndBreaker(this);
    long wait = granted == IntPermitGate.NOT_PERMITTED ? -1 : gates.tryLimiter(this, granted, /* mayWait= */ true);
    if (wait < 0) {
      refuseOriginal();
      return;
    }
    Runnable toBulkhead = () -> {
      var unusedDependent = gates.acquireBulkheadAsync(this, granted).whenComplete((acquired, failure) -> {
        if (Boolean.TRUE.equals(acquired)) {
          sendOriginal(granted);
        } else {
          refuseOriginal();
        }
      });
    };
    if (wait > 0) {
      pipeline.scheduler.schedule(toBulkhead, wait);
    } else {
      toBulkhead.run();
    }
  }

  private void sendOriginal(int granted) {
    lock.lock();
    try {
      send(AttemptKind.ORIGINAL, granted);
    } finally {
      lock.unlock();
    }
  }

  private void refuseOriginal() {
    lock.lock();
    try {
      finishLocked(terminal != null ? terminal : new CancellationException("attempt refused"));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sends a hedge if the breaker, rate limiter and bulkhead admit it at once (a hedge never queues: a hedge that
   * has to wait is no longer racing anything); false when refused. The lock is held.
   */
  private boolean launchHedge() {
    AttemptGates gates = pipeline.gates;
    int granted = gates.tryThrottleAndBreaker(this);
    if (granted == IntPermitGate.NOT_PERMITTED || gates.tryLimiter(this, granted, /* mayWait= */ false) < 0
        || !gates.tryBulkhead(this, granted)) {
      return false;
    }
    return send(AttemptKind.HEDGE, granted);
  }

  /**
   * Sends an attempt the gates admitted with breaker permit {@code granted}; false, giving back what it held, when
   * the call ended meanwhile or cannot start another attempt. The lock is held.
   */
  private boolean send(AttemptKind kind, int granted) {
    AttemptGates gates = pipeline.gates;
    if (done) {
      // The caller cancelled the call while the original waited at the rate limiter or the bulkhead.
      if (!gates.isEmpty()) {
        gates.release(granted, 0, null, null, /* callerCancelled= */ true);
      }
      return false;
    }
    Cancellation cancellation = context.cancellation().child();
    CallContext attemptContext = startAttempt(cancellation, lastFailure, kind);
    if (attemptContext == null) {
      cancellation.detach();
      if (!gates.isEmpty()) {
        gates.release(granted, 0, null, null, /* callerCancelled= */ true);
      }
      finishLocked(terminal != null ? terminal : new CancellationException("call cancelled"));
      return false;
    }
    Attempt attempt = new Attempt(attemptContext.attempt(), cancellation, pipeline.ticker.nanos(), granted);
    running.add(attempt);
    long limit = attemptLimitNanos();
    CompletableFuture<T> stage;
    try {
      stage = attemptContext.call(task::get).toCompletableFuture();
    } catch (Throwable thrown) {
      stage = CompletableFuture.failedFuture(thrown);
    }
    CompletableFuture<T> inFlight = stage;
    cancellation.onCancel(() -> inFlight.cancel(/* mayInterruptIfRunning= */ true));
    Cancellable timer = limit < 0 ? null
        : pipeline.scheduler.schedule(() -> cancellation.cancel(timeoutFailure(attempt.number(), limit)), limit);
    var unused = inFlight.whenComplete((value, failure) -> {
      if (timer != null) {
        timer.cancel();
      }
      cancellation.detach();
      Throwable cause = cancellation.isCancelled() ? cancellation.cause()
          : failure == null ? null : Failures.delivered(failure);
      onAttemptDone(attempt, value, cause);
    });
    scheduleNextHedge();
    return true;
  }

  /** Arms the timer for the next hedge, if any hedge is left; the lock is held. */
  private void scheduleNextHedge() {
    if (hedgeTimer != null) {
      hedgeTimer.cancel();
      hedgeTimer = null;
    }
    if (done || attempts > hedge.maxExtraAttempts()) {
      return;
    }
    hedgeTimer = pipeline.scheduler.schedule(this::onHedgeTimer, hedge.hedgeDelayNanos());
  }

  private void onHedgeTimer() {
    lock.lock();
    try {
      hedgeTimer = null;
      if (!done && !result.isDone()) {
        tryHedge();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Sends the next hedge if one is left and the budget allows it; the lock is held. */
  private boolean tryHedge() {
    if (attempts > hedge.maxExtraAttempts()) {
      return false;
    }
    if (!pipeline.hedgeBudget.tryAcquireRetry()) {
      if (listening) {
        pipeline.emit(new BlastwallEvent.RetryBudgetExhausted(pipeline.upstream, pipeline.ticker.nanos(), attempts,
            pipeline.hedgeBudget.balance()));
      }
      Observers.budgetRefused(observer);
      return false;
    }
    return launchHedge();
  }

  private void onAttemptDone(Attempt attempt, @Nullable T value, @Nullable Throwable failure) {
    long now = pipeline.ticker.nanos();
    FailureKind kind = failure == null ? pipeline.retry.resultClassifier().classify(value) : null;
    boolean success = failure == null && kind == null;
    boolean abandoned;
    lock.lock();
    try {
      // cancelAll takes the attempts still running off the list when the call ends: one that is gone was
      // abandoned (another attempt won or ended the call, or the caller gave up).
      abandoned = !running.contains(attempt);
    } finally {
      lock.unlock();
    }
    if (!pipeline.gates.isEmpty()) {
      // An abandoned attempt fails with the cancellation that ended it, whatever that cancellation's cause (a
      // loser's "another attempt answered first", or the failure that ended the call): that tells the breaker
      // nothing about the upstream. Released before the next hedge asks the gates, which must see this slot free.
      boolean cancelled = (abandoned && failure != null) || failure instanceof CancellationException
          || context.cancellation().isCancelled();
      pipeline.gates.release(attempt.permit(), now - attempt.startNanos(), failure, kind, cancelled);
    }
    if (success) {
      // Only answers teach the hedge delay: a failure's latency says nothing about how long success takes.
      hedge.recordLatency(now - attempt.startNanos());
    }
    boolean won = false;
    Throwable failedWith = null;
    lock.lock();
    try {
      running.remove(attempt);
      if (done) {
        return;
      }
      if (success) {
        done = true;
        won = true;
        succeeded = true;
        pipeline.budget.onAttemptSucceeded();
        if (listening) {
          pipeline.emit(new BlastwallEvent.AttemptSucceeded(pipeline.upstream, now, attempt.number(),
              now - attempt.startNanos()));
        }
        if (attempt.number() > 1) {
          Observers.hedgeWon(observer); // the original is attempt 1, every later one a hedge
        }
      } else {
        failedWith = onFailureLocked(attempt, now, failure, kind);
      }
    } finally {
      lock.unlock();
    }
    if (won) {
      cancelAll(attempt, new CancellationException("another attempt answered first"));
      result.complete(value);
    } else if (failedWith != null) {
      cancelAll(null, failedWith);
      result.completeExceptionally(failedWith);
    }
  }

  /** Handles a failed attempt; returns the failure to end the call with, or null to keep going. Lock held. */
  private @Nullable Throwable onFailureLocked(Attempt attempt, long now, @Nullable Throwable failure,
      @Nullable FailureKind resultKind) {
    FailureClassifier classifier = pipeline.retry.classifier();
    FailureKind kind = failure != null ? classifier.classify(failure)
        : resultKind != null ? resultKind : FailureKind.UNKNOWN;
    Throwable effective = failure != null ? failure
        : new IllegalStateException("result classified as " + kind);
    if (listening) {
      pipeline.emit(new BlastwallEvent.AttemptFailed(pipeline.upstream, now, attempt.number(),
          now - attempt.startNanos(), kind, effective));
    }
    if (kind.countsAgainstUpstream()) {
      pipeline.budget.onAttemptFailed();
    }
    lastFailure = effective;
    lastKind = kind;
    boolean retryable = isRetryable(kind, failure, classifier);
    if (!retryable) {
      done = true;
      return effective;
    }
    // A failure is news now: race the next hedge at once instead of waiting out the delay.
    if (tryHedge() || !running.isEmpty()) {
      return null;
    }
    done = true;
    if (attempts == 1) {
      return effective;
    }
    return new RetriesExhaustedException(pipeline.upstream, "every hedged attempt failed", attempts,
        remainingNanos(), lastKind, effective);
  }

  /** Ends the call with {@code failure} while holding the lock (used when an attempt cannot even start). */
  private void finishLocked(Throwable failure) {
    if (done || !running.isEmpty()) {
      return; // the attempts in flight decide the outcome (their own time limits end them)
    }
    done = true;
    result.completeExceptionally(failure);
  }

  private void cancelAll(@Nullable Attempt except, Throwable cause) {
    List<Attempt> others;
    lock.lock();
    try {
      done = true;
      if (hedgeTimer != null) {
        hedgeTimer.cancel();
        hedgeTimer = null;
      }
      others = new ArrayList<>(running);
      running.clear();
    } finally {
      lock.unlock();
    }
    long now = pipeline.ticker.nanos();
    for (Attempt other : others) {
      if (except == null || other.number() != except.number()) {
        if (except != null) {
          // A loser's latency is unknown but at least this long. Counting it as such keeps the learned
          // percentile honest: dropping the slow attempts that hedging cut short would bias the delay low.
          hedge.recordLatency(now - other.startNanos());
        }
        other.cancellation().cancel(cause);
      }
    }
  }
}
