package dev.blastwall.event;

/**
 * Counts a pipeline's calls as they end, told in primitives: for a metrics binder, which needs every call's
 * outcome, attempts and (for some calls) duration but no event objects. Unlike an {@link EventListener}, an
 * observer keeps the pipeline on its fast path: a call it observes allocates nothing more and reads the clock
 * only when the observer asks for the call to be timed.
 *
 * <p>Each call looks once, as it starts, at the observers of its pipeline; its end is reported to those, once.
 * Methods are called on the threads that run the calls, concurrently: they must be thread-safe, quick, and not
 * block. One that throws is ignored (observing never breaks a call).
 */
public interface CallObserver {

  /** The duration reported for a call that was not timed. */
  long NOT_TIMED = -1;

  /** Observes nothing; the pipeline skips a call's reports altogether while it has no other. */
  CallObserver NONE = new CallObserver() {
    @Override
    public boolean timesCall() {
      return false;
    }

    @Override
    public void onCallEnded(CallOutcome outcome, int attempts, long durationNanos) {}

    @Override
    public String toString() {
      return "CallObserver.NONE";
    }
  };

  /**
   * Whether the call about to start is to be timed. Asked once per call as it starts: timing a call costs a clock
   * reading or two (as much as the rest of a cheap call), so an observer may time a sample of the calls.
   */
  boolean timesCall();

  /**
   * A call ended as {@code outcome} with {@code attempts} attempts sent (0 when the first was refused),
   * {@code durationNanos} after it entered the pipeline, or {@link #NOT_TIMED} when it was not timed.
   */
  void onCallEnded(CallOutcome outcome, int attempts, long durationNanos);

  /**
   * A policy refused an attempt without sending it; {@code policy} is the refusal's
   * {@link dev.blastwall.failure.BlastwallException#policy() policy} ({@code circuit-breaker}, {@code bulkhead},
   * {@code rate-limiter}, {@code client-throttle}).
   */
  default void onAttemptRejected(String policy) {}

  /** The retry budget refused a retry (in a hedging pipeline: the hedge budget refused a hedge). */
  default void onBudgetRefused() {}

  /** A hedge, not the original attempt, answered a hedged call. */
  default void onHedgeWon() {}
}
