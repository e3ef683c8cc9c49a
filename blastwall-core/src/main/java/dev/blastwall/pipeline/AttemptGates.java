package dev.blastwall.pipeline;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.internal.IntPermitGate;
import dev.blastwall.internal.Observers;
import dev.blastwall.limit.AdaptiveThrottle;
import dev.blastwall.ratelimit.RateLimiter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * The per-attempt slots of the pipeline, in order: client-side throttle, circuit breaker, rate limiter, bulkhead. Every attempt
 * (first try, retry or hedge) passes them, so a retry is admitted or refused like any other request, and whatever
 * one slot granted is given back when a later slot refuses or the attempt ends.
 *
 * <p>Stateless and shared by all calls of a pipeline; what an admitted attempt holds is returned to the caller as
 * a {@linkplain #NO_PERMIT breaker permit} (the bulkhead slot is implied by admission).
 */
final class AttemptGates {

  /** The breaker permit of an attempt when the pipeline has no breaker. */
  static final int NO_PERMIT = Integer.MIN_VALUE;

  // Never completed by anyone else: package-private callers only read them (state, value, dependent stages).
  private static final CompletableFuture<Boolean> GRANTED = CompletableFuture.completedFuture(true);
  private static final CompletableFuture<Boolean> REFUSED = CompletableFuture.completedFuture(false);

  private final Pipeline pipeline;
  final @Nullable CircuitBreaker breaker;
  final @Nullable RateLimiter limiter;
  final long limiterMaxWaitNanos;
  final @Nullable SemaphoreBulkhead bulkhead;
  final @Nullable AdaptiveThrottle throttle;

  AttemptGates(Pipeline pipeline, @Nullable AdaptiveThrottle throttle, @Nullable CircuitBreaker breaker,
      @Nullable RateLimiter limiter, long limiterMaxWaitNanos, @Nullable SemaphoreBulkhead bulkhead) {
    this.pipeline = pipeline;
    this.throttle = throttle;
    this.breaker = breaker;
    this.limiter = limiter;
    this.limiterMaxWaitNanos = limiterMaxWaitNanos;
    this.bulkhead = bulkhead;
  }

  boolean isEmpty() {
    return throttle == null && breaker == null && limiter == null && bulkhead == null;
  }

  /**
   * The client-side throttle's and then the breaker's verdict: a breaker permit, {@link #NO_PERMIT} without a
   * breaker, or {@link IntPermitGate#NOT_PERMITTED} with a rejection set in {@code run}.
   */
  int tryThrottleAndBreaker(CallRun run) {
    if (throttle != null) {
      // Decided on the history before this attempt; then every attempt counts as a request, the ones refused
      // here too: that is what lets the ratio recover only as the upstream starts accepting again.
      boolean allowed = throttle.allowRequest(pipeline.random.nextDouble());
      throttle.onRequest();
      if (!allowed) {
        run.terminal = rejected(run, throttle.rejection(), run.lastFailure);
        return IntPermitGate.NOT_PERMITTED;
      }
    }
    if (breaker == null) {
      return NO_PERMIT;
    }
    int permit = IntPermitGate.tryAcquire(breaker);
    if (permit == IntPermitGate.NOT_PERMITTED) {
      run.terminal = rejected(run, breaker.rejection(pipeline.upstream, run.attempts,
          run.remainingNanos()), run.lastFailure);
    }
    return permit;
  }

  /**
   * Admits the first attempt of a call that has no deadline (the pipeline's fast path): the same slots, in the same
   * order and with the same waits, as {@link #tryThrottleAndBreaker}, {@link #tryLimiter} and
   * {@link #acquireBulkhead} for any attempt, but a refusal is thrown (0 attempts sent, no deadline, nothing
   * before it) instead of being kept in a run, so the fast path needs no run object.
   *
   * @param nowNanos a reading of the pipeline's ticker, handed to the rate limiter in place of its own
   * @return the breaker permit, {@link #NO_PERMIT} without a breaker
   */
  int admitFirst(long nowNanos) throws InterruptedException {
    if (throttle != null) {
      boolean allowed = throttle.allowRequest(pipeline.random.nextDouble());
      throttle.onRequest();
      if (!allowed) {
        throw rejected(/* run= */ null, throttle.rejection(), null);
      }
    }
    int permit = NO_PERMIT;
    if (breaker != null) {
      permit = IntPermitGate.tryAcquire(breaker);
      if (permit == IntPermitGate.NOT_PERMITTED) {
        throw rejected(/* run= */ null, breaker.rejection(pipeline.upstream, 0, BlastwallException.NO_DEADLINE),
            null);
      }
    }
    if (limiter != null) {
      long answer = limiter.tryAcquire(1, limiterMaxWaitNanos, pipeline.ticker, nowNanos);
      if (answer < 0) {
        releaseBreaker(permit);
        throw rejected(/* run= */ null, limiter.rejection(pipeline.upstream, pipeline.upstream, 0,
            BlastwallException.NO_DEADLINE, answer), null);
      }
      if (answer > 0) {
        try {
          pipeline.scheduler.sleep(answer);
        } catch (InterruptedException interrupted) {
          releaseBreaker(permit);
          throw interrupted;
        }
      }
    }
    if (bulkhead != null) {
      boolean acquired;
      try {
        acquired = bulkhead.acquire(Long.MAX_VALUE);
      } catch (InterruptedException interrupted) {
        releaseBreaker(permit);
        throw interrupted;
      }
      if (!acquired) {
        releaseBreaker(permit);
        throw rejected(/* run= */ null, bulkhead.rejection(pipeline.upstream, 0, BlastwallException.NO_DEADLINE),
            null);
      }
    }
    return permit;
  }

  /**
   * Whether admission may wait (for a rate limiter's booked permit or in a bulkhead's queue), so that a clock
   * reading taken before it is no longer the attempt's start.
   */
  boolean mayWait() {
    return (limiter != null && limiterMaxWaitNanos > 0) || (bulkhead != null && bulkhead.maxWaiting() > 0);
  }

  /**
   * The rate limiter's verdict: nanoseconds to wait before going on (0 = now), or -1 with a rejection set in
   * {@code run} (the breaker permit is then given back).
   */
  long tryLimiter(CallRun run, int permit, boolean mayWait) {
    if (limiter == null) {
      return 0;
    }
    long answer = limiter.tryAcquire(1, mayWait ? waitBound(run, limiterMaxWaitNanos) : 0);
    if (answer < 0) {
      releaseBreaker(permit);
      run.terminal = rejected(run,
          limiter.rejection(pipeline.upstream, pipeline.upstream, run.attempts, run.remainingNanos(), answer),
          run.lastFailure);
      return -1;
    }
    return answer;
  }

  /** Blocks for a bulkhead slot within the bulkhead's own wait and the deadline; false with a rejection set. */
  boolean acquireBulkhead(CallRun run, int permit) throws InterruptedException {
    if (bulkhead == null) {
      return true;
    }
    boolean acquired;
    try {
      // acquire() takes a free slot at once; a tryAcquire() before it counted every wait as a rejection, and
      // every refusal twice.
      acquired = bulkhead.acquire(waitBound(run, Long.MAX_VALUE));
    } catch (InterruptedException interrupted) {
      releaseBreaker(permit);
      throw interrupted;
    }
    return acquiredOrReject(acquired, run, permit);
  }

  /** A bulkhead slot without waiting (hedges never queue); false with a rejection set. */
  boolean tryBulkhead(CallRun run, int permit) {
    return bulkhead == null || acquiredOrReject(bulkhead.tryAcquire(), run, permit);
  }

  /**
   * Waits for a bulkhead slot asynchronously; completes false with a rejection set. An answer known at once (no
   * bulkhead, a free slot, a refusal) is one of two shared, already completed futures: callers only read it.
   */
  CompletableFuture<Boolean> acquireBulkheadAsync(CallRun run, int permit) {
    SemaphoreBulkhead slots = bulkhead;
    if (slots == null) {
      return GRANTED;
    }
    if (slots.maxWaiting() == 0) {
      // Without a wait queue acquireAsync() is tryAcquire() in a future: the same answer, the same counts.
      return tryBulkhead(run, permit) ? GRANTED : REFUSED;
    }
    // acquireAsync() takes a free slot at once, as acquireBulkhead's acquire() does.
    CompletableFuture<Boolean> acquiring = slots.acquireAsync(waitBound(run, Long.MAX_VALUE), pipeline.scheduler);
    if (acquiring.state() == Future.State.SUCCESS) {
      return acquiredOrReject(acquiring.resultNow(), run, permit) ? GRANTED : REFUSED;
    }
    return acquiring.thenApply(acquired -> acquiredOrReject(acquired, run, permit));
  }

  /**
   * Gives back what an admitted attempt held and tells the breaker how it went.
   *
   * @param failure what the attempt failed with, or {@code null} when it succeeded or returned a failed result
   * @param resultKind the failed result's kind, or {@code null} for a success
   * @param callerCancelled the caller gave up: the outcome says nothing about the upstream
   */
  void release(int permit, long durationNanos, @Nullable Throwable failure, @Nullable FailureKind resultKind,
      boolean callerCancelled) {
    if (bulkhead != null) {
      bulkhead.release();
    }
    if (throttle != null && !callerCancelled && !isOverloadRejection(failure, resultKind)) {
      throttle.onAccepted();
    }
    if (breaker == null || permit == NO_PERMIT) {
      return;
    }
    if (callerCancelled) {
      IntPermitGate.release(breaker, permit);
    } else if (failure == null && resultKind == null) {
      IntPermitGate.onSuccess(breaker, permit, durationNanos);
    } else {
      FailureKind kind = failure != null ? pipeline.retry.classifier().classify(failure)
          : resultKind != null ? resultKind : FailureKind.UNKNOWN;
      // A deadline that ran out during the attempt means the upstream did not answer in time: for the
      // breaker that is a timeout, or a hanging upstream would never trip it.
      IntPermitGate.onFailure(breaker, permit, durationNanos, kind == FailureKind.DEADLINE_EXCEEDED ? FailureKind.TIMEOUT : kind);
    }
  }

  /** Whether the upstream refused the attempt as overloaded: the one outcome the throttle counts as not accepted. */
  private boolean isOverloadRejection(@Nullable Throwable failure, @Nullable FailureKind resultKind) {
    FailureKind kind = failure != null ? pipeline.retry.classifier().classify(failure) : resultKind;
    return kind == FailureKind.OVERLOADED;
  }

  void releaseBreaker(int permit) {
    if (breaker != null && permit != NO_PERMIT) {
      IntPermitGate.release(breaker, permit);
    }
  }

  private boolean acquiredOrReject(boolean acquired, CallRun run, int permit) {
    if (acquired) {
      return true;
    }
    releaseBreaker(permit);
    SemaphoreBulkhead full = bulkhead;
    if (full != null) {
      run.terminal = rejected(run, full.rejection(pipeline.upstream, run.attempts,
          run.remainingNanos()), run.lastFailure);
    }
    return false;
  }

  /** How long a slot may wait: its own limit, and never past the call's deadline. */
  private static long waitBound(CallRun run, long ownLimitNanos) {
    return run.deadline == null ? ownLimitNanos
        : Math.max(0, Math.min(ownLimitNanos, run.deadline.remainingNanos()));
  }

  /**
   * {@code rejection}, reported to the observers and listeners of {@code run}; a refusal of the fast path's first
   * attempt ({@code run} null) is reported by the fast path, which runs only while nobody listens.
   */
  private BlastwallException rejected(@Nullable CallRun run, BlastwallException rejection,
      @Nullable Throwable lastFailure) {
    if (run != null) {
      Observers.rejected(run.observer, rejection.policy());
    }
    if (run != null && run.listening) {
      pipeline.emit(new BlastwallEvent.CallRejected(pipeline.upstream, pipeline.ticker.nanos(), rejection.policy(),
          String.valueOf(rejection.getMessage()), rejection.retryAfterNanos()));
    }
    if (lastFailure != null) {
      rejection.addSuppressed(lastFailure);
    }
    return rejection;
  }
}
