package dev.blastwall.pipeline;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.CallObserver;
import dev.blastwall.event.CallOutcome;
import dev.blastwall.failure.AttemptTimeoutException;
import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.failure.RetryBudgetExhaustedException;
import dev.blastwall.internal.Failures;
import dev.blastwall.internal.Observers;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * The state of one logical call and the decisions shared by the blocking and async executions, so both behave
 * identically: when an attempt may start, how long it may run, and what happens after it fails.
 *
 * <p>Confined to one thread at a time: the blocking execution runs on the caller's thread; the async execution
 * hands the run from one attempt's completion to the next, never running two steps at once.
 */
abstract class CallRun {

  /** Returned by {@link #afterFailure} when the call must stop; see {@link #terminal}. */
  static final long STOP = -1;

  final Pipeline pipeline;
  final CallContext context;
  final @Nullable Deadline deadline;
  final int maxAttempts;
  /**
   * Whether anyone listened when the call started. Decided once, so a listener added or removed meanwhile gets
   * all of a call's events or none, and never an attempt that was not timed.
   */
  final boolean listening;
  /** Whether attempts are timed: the events and a breaker that counts slow calls need their durations. */
  final boolean timesAttempts;
  /** The observers of the call, as it started ({@link CallObserver#NONE} for none): they hear how it ended. */
  final CallObserver observer;
  /** Whether the call is timed: for its completion event, or because the observer asked. */
  private final boolean timed;
  /** When the call entered the pipeline, read only when {@link #timed}. */
  private final long startNanos;

  int attempts;
  private long previousDelayNanos;
  private long attemptStartNanos;
  /** Whether an attempt's result was accepted; what tells a success from a failed result returned as it is. */
  boolean succeeded;

  /** The breaker permit of the attempt in flight (sequential executions only). */
  int permit = AttemptGates.NO_PERMIT;

  /** The latest failure, kept so a final rejection or deadline can say what came before it. */
  @Nullable Throwable lastFailure;

  /**
   * Why the call stopped, once {@link #afterFailure} returned {@link #STOP}: the exception to raise, or
   * {@code null} when a failed <em>result</em> is to be returned as it is.
   */
  @Nullable Throwable terminal;

  CallRun(Pipeline pipeline, CallContext parent, Idempotency idempotency) {
    this(pipeline, parent, idempotency, /* afterFastPath= */ false, pipeline.observers.current(),
        /* fastPathTimed= */ false, /* fastPathStartNanos= */ 0);
  }

  /**
   * {@code afterFastPath}: the fast path went first, so the request is already in the retry budget, nobody
   * listened when the call started (the fast path runs only then), and the fast path decided whether the call is
   * timed ({@code fastPathTimed}) and read its start ({@code fastPathStartNanos}) for {@code observer}.
   */
  CallRun(Pipeline pipeline, CallContext parent, Idempotency idempotency, boolean afterFastPath,
      CallObserver observer, boolean fastPathTimed, long fastPathStartNanos) {
    this.pipeline = pipeline;
    this.listening = !afterFastPath && pipeline.listening();
    this.timesAttempts = listening || pipeline.breakerTimesCalls;
    this.observer = observer;
    // A listened call reads its start and end for its events anyway; the observer gets that duration for free.
    this.timed = afterFastPath ? fastPathTimed
        : listening || (observer != CallObserver.NONE && Observers.timesCall(observer));
    this.startNanos = afterFastPath ? fastPathStartNanos : timed ? pipeline.ticker.nanos() : 0;
    Deadline own = pipeline.timeoutNanos < 0 ? null : Deadline.afterNanos(pipeline.timeoutNanos, pipeline.ticker);
    if (own == null && parent == CallContext.ROOT && idempotency.equals(pipeline.defaultIdempotency)) {
      this.context = pipeline.rootContext; // the common case needs no new context
    } else {
      CallContext withIdempotency = parent.withIdempotency(idempotency);
      this.context = own == null ? withIdempotency : withIdempotency.withDeadline(own);
    }
    this.deadline = context.deadline();
    // A layer below (or the caller) said "do not retry": make one attempt, so only one layer multiplies load.
    this.maxAttempts = parent.doNotRetry() ? 1 : pipeline.retry.maxAttempts();
    if (pipeline.depositsRequests && !afterFastPath) {
      pipeline.budget.onRequest();
    }
  }

  /**
   * Takes over from the fast path after the call's first attempt, admitted with {@code permit} and started at
   * {@code startNanos}, ended in a way only this run handles (a failure or a failed result).
   */
  final void resumeAfterFirstAttempt(int firstPermit, long startNanos) {
    attempts = 1;
    permit = firstPermit;
    attemptStartNanos = startNanos;
  }

  /**
   * Starts the next attempt: its context, or {@code null} with {@link #terminal} set when the deadline passed or
   * the caller cancelled before it could start.
   */
  final @Nullable CallContext startAttempt(Cancellation attemptCancellation, @Nullable Throwable lastFailure) {
    return startAttempt(attemptCancellation, lastFailure, attempts == 0 ? AttemptKind.ORIGINAL : AttemptKind.RETRY);
  }

  /** Like {@link #startAttempt(Cancellation, Throwable)}, for an attempt of the given kind. */
  final @Nullable CallContext startAttempt(Cancellation attemptCancellation, @Nullable Throwable lastFailure,
      AttemptKind kind) {
    Throwable cancelled = context.cancellation().cause();
    if (cancelled != null) {
      terminal = cancelled;
      return null;
    }
    if (deadline != null && deadline.isExpired()) {
      terminal = deadlineExceeded("deadline passed before attempt " + (attempts + 1), lastFailure);
      return null;
    }
    attempts++;
    // The start is needed only to time the attempt for events or the breaker; a clock read is not free.
    attemptStartNanos = timesAttempts ? pipeline.ticker.nanos() : 0;
    if (listening) {
      pipeline.emit(new BlastwallEvent.AttemptStarted(pipeline.upstream, attemptStartNanos, attempts, kind));
    }
    if (attempts == 1 && context == pipeline.rootContext && attemptCancellation == Cancellation.NEVER) {
      return pipeline.rootFirstAttempt;
    }
    return context.forAttempt(attempts, kind, attemptCancellation);
  }

  /**
   * The cancellation for the next attempt: a child of the caller's, or {@link Cancellation#NEVER} when nothing
   * could ever cancel the attempt (no time limit, and a caller that cannot be cancelled), which saves the
   * signal and the interrupt machinery on the common path.
   */
  final Cancellation attemptCancellation(long limitNanos) {
    Cancellation parent = context.cancellation();
    return limitNanos < 0 && parent == Cancellation.NEVER ? Cancellation.NEVER : parent.child();
  }

  /** How long the attempt may run, in nanoseconds from now, or -1 when nothing limits it. */
  final long attemptLimitNanos() {
    long limit = pipeline.attemptTimeoutNanos;
    if (deadline != null) {
      long remaining = Math.max(0, deadline.remainingNanos());
      if (limit < 0 || remaining <= limit) {
        limit = remaining;
      }
    }
    return limit;
  }

  /**
   * The failure for attempt {@code attempt}, stopped by its time limit: the call's deadline if that has passed
   * (it is what bound the attempt), else the attempt timeout. Decided when the limit fires, so it holds even
   * while several hedged attempts run.
   */
  final BlastwallException timeoutFailure(int attempt, long limitNanos) {
    if (listening) {
      pipeline.emit(new BlastwallEvent.AttemptTimedOut(pipeline.upstream, pipeline.ticker.nanos(), attempt,
          limitNanos));
    }
    if (deadline != null && deadline.isExpired()) {
      return deadlineExceeded("deadline passed during attempt " + attempt, null);
    }
    return new AttemptTimeoutException(pipeline.upstream, limitNanos, attempt, remainingNanos());
  }

  /**
   * Gives back what the sequential attempt in flight held at the breaker, limiter and bulkhead, telling the
   * breaker how it went. Called exactly once per admitted attempt.
   */
  final void releaseGates(@Nullable Throwable failure, @Nullable FailureKind resultKind) {
    AttemptGates gates = pipeline.gates;
    if (gates.isEmpty()) {
      return;
    }
    boolean callerCancelled = context.cancellation().isCancelled();
    long duration = timesAttempts ? pipeline.ticker.nanos() - attemptStartNanos : 0;
    gates.release(permit, duration, failure, resultKind, callerCancelled);
    permit = AttemptGates.NO_PERMIT;
  }

  /** Like {@link #releaseGates}, for an admitted attempt that was never sent: nothing to tell the breaker. */
  final void releaseUnsent() {
    AttemptGates gates = pipeline.gates;
    if (!gates.isEmpty()) {
      gates.release(permit, 0, null, null, /* callerCancelled= */ true);
      permit = AttemptGates.NO_PERMIT;
    }
  }

  /** Records an accepted result. */
  final void afterSuccess() {
    succeeded = true;
    pipeline.budget.onAttemptSucceeded();
    if (listening) {
      long now = pipeline.ticker.nanos();
      pipeline.emit(new BlastwallEvent.AttemptSucceeded(pipeline.upstream, now, attempts, now - attemptStartNanos));
    }
  }

  /**
   * Decides what follows a failed attempt: the delay before the next attempt, or {@link #STOP} with
   * {@link #terminal} set.
   *
   * @param failure what the attempt threw, or {@code null} when it returned a result classified as a failure
   * @param resultKind the kind of the failed result; ignored when {@code failure} is not null
   */
  final long afterFailure(@Nullable Throwable failure, FailureKind resultKind) {
    if (failure != null) {
      lastFailure = failure;
    }
    FailureClassifier classifier = pipeline.retry.classifier();
    FailureKind kind = failure == null ? resultKind : classifier.classify(failure);
    if (listening) {
      long now = pipeline.ticker.nanos();
      pipeline.emit(new BlastwallEvent.AttemptFailed(pipeline.upstream, now, attempts, now - attemptStartNanos,
          kind, failure != null ? failure : new IllegalStateException("result classified as " + kind)));
    }
    if (kind.countsAgainstUpstream()) {
      pipeline.budget.onAttemptFailed();
    }
    terminal = failure;
    if (!isRetryable(kind, failure, classifier)) {
      return STOP;
    }
    if (attempts >= maxAttempts) {
      if (maxAttempts > 1) {
        return exhausted(failure, kind, "gave up after " + attempts + " attempts");
      }
      return STOP;
    }
    long hinted = failure == null ? -1 : classifier.retryAfterNanos(failure);
    // A hint is honoured up to the policy's cap: an hour's pushback (or a garbled one) must not park the call.
    long delay = hinted >= 0 ? Math.min(hinted, pipeline.retry.maxRetryAfterNanos())
        : Math.max(0, pipeline.retry.backoff().delayNanos(attempts - 1, previousDelayNanos, pipeline.random));
    if (deadline != null && delay >= deadline.remainingNanos()) {
      return exhausted(failure, kind, String.format(Locale.ROOT,
          "no retry: the next wait (%.1f ms) would outlast the deadline", delay / 1e6));
    }
    if (!pipeline.budget.tryAcquireRetry()) {
      if (listening) {
        pipeline.emit(new BlastwallEvent.RetryBudgetExhausted(pipeline.upstream, pipeline.ticker.nanos(), attempts,
            pipeline.budget.balance()));
      }
      Observers.budgetRefused(observer);
      if (failure != null) {
        terminal = new RetryBudgetExhaustedException(pipeline.upstream, attempts, remainingNanos(), kind, failure);
      }
      return STOP;
    }
    previousDelayNanos = delay;
    if (listening) {
      pipeline.emit(new BlastwallEvent.RetryScheduled(pipeline.upstream, pipeline.ticker.nanos(), attempts + 1,
          delay, hinted >= 0));
    }
    return delay;
  }

  /**
   * Whether {@code failure} (or a failed result of {@code kind}, when it is null) may be retried for this call's
   * idempotency: a retryable kind, no "do not retry" from below; a call that is not repeatable also when the
   * failure says the request did not run (asked only then: it is the rare case).
   */
  final boolean isRetryable(FailureKind kind, @Nullable Throwable failure, FailureClassifier classifier) {
    Idempotency idempotency = context.idempotency();
    boolean unrun = failure != null && !idempotency.isRepeatable() && classifier.didNotRun(failure);
    return pipeline.retry.isRetryable(kind, idempotency, unrun)
        && (failure == null || !classifier.doNotRetry(failure));
  }

  private long exhausted(@Nullable Throwable failure, FailureKind kind, String detail) {
    if (listening) {
      pipeline.emit(new BlastwallEvent.RetriesExhausted(pipeline.upstream, pipeline.ticker.nanos(), attempts,
          detail));
    }
    if (failure != null) {
      terminal = new RetriesExhaustedException(pipeline.upstream, detail, attempts, remainingNanos(), kind, failure);
    }
    return STOP;
  }

  final DeadlineExceededException deadlineExceeded(String detail, @Nullable Throwable cause) {
    if (listening) {
      pipeline.emit(new BlastwallEvent.DeadlineExceeded(pipeline.upstream, pipeline.ticker.nanos(), attempts));
    }
    return new DeadlineExceededException(pipeline.upstream, detail, attempts, remainingNanos(), cause);
  }

  /**
   * Reports the end of the call, if anyone listened when it started: {@code failure} is what the caller gets, or
   * {@code null} when it gets a result (a future's {@code CompletionException} is looked through). Called exactly
   * once per call, after its last attempt's events.
   */
  final void completed(@Nullable Throwable thrown) {
    if (!listening && observer == CallObserver.NONE) {
      return;
    }
    Throwable failure = thrown == null ? null : Failures.delivered(thrown);
    CallOutcome outcome = outcome(pipeline, context, succeeded, failure);
    long now = timed ? pipeline.ticker.nanos() : 0;
    if (listening) {
      pipeline.emit(new BlastwallEvent.CallCompleted(pipeline.upstream, now, attempts, now - startNanos, outcome,
          failure));
    }
    Observers.ended(observer, outcome, attempts, timed ? now - startNanos : CallObserver.NOT_TIMED);
  }

  /** Whether anyone hears how the call ends: a listener, or an observer. */
  final boolean reportsEnd() {
    return listening || observer != CallObserver.NONE;
  }

  /**
   * How the call ended, told by what the caller gets: a failure this pipeline's own policies raised names its
   * upstream and says which policy gave up; anything else is a failure passed on, or the caller giving up.
   */
  static CallOutcome outcome(Pipeline pipeline, CallContext context, boolean succeeded,
      @Nullable Throwable failure) {
    if (failure == null) {
      return succeeded ? CallOutcome.SUCCESS : CallOutcome.FAILURE;
    }
    if (failure instanceof OverloadedException overloaded && overloaded.policy().equals("client-throttle")) {
      return CallOutcome.REJECTED; // named after the throttle, which need not be named after the upstream
    }
    if (failure instanceof BlastwallException own && own.upstream().equals(pipeline.upstream)) {
      return switch (own) {
        case AttemptTimeoutException timeout -> CallOutcome.TIMEOUT;
        case DeadlineExceededException deadlinePassed -> CallOutcome.DEADLINE_EXCEEDED;
        case RetriesExhaustedException exhausted -> CallOutcome.RETRIES_EXHAUSTED;
        case RetryBudgetExhaustedException refused -> CallOutcome.BUDGET_EXHAUSTED;
        case CallNotPermittedException rejected -> CallOutcome.REJECTED;
        case BulkheadFullException rejected -> CallOutcome.REJECTED;
        case RateLimitedException rejected -> CallOutcome.REJECTED;
        // Not this pipeline's refusal (that one is the throttle's, above): the upstream shed the request.
        case OverloadedException shed -> CallOutcome.FAILURE;
      };
    }
    if (failure instanceof CancellationException || context.cancellation().isCancelled()) {
      return CallOutcome.CANCELLED;
    }
    return CallOutcome.FAILURE;
  }

  final long remainingNanos() {
    return deadline == null ? BlastwallException.NO_DEADLINE : deadline.remainingNanos();
  }

}
