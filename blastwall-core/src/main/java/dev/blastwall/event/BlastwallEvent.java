package dev.blastwall.event;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.failure.FailureKind;
import org.jspecify.annotations.Nullable;

/**
 * Something a policy did or decided for one call. Every event names its upstream and carries the ticker reading
 * at which it happened, so a listener can build timelines, metrics or logs without reading a clock itself.
 */
public sealed interface BlastwallEvent {

  /** The upstream (pipeline name). */
  String upstream();

  /** The ticker reading when it happened, in nanoseconds. */
  long atNanos();

  /** An attempt is about to be sent. */
  record AttemptStarted(String upstream, long atNanos, int attempt, AttemptKind kind) implements BlastwallEvent {}

  /** An attempt succeeded after {@code durationNanos}. */
  record AttemptSucceeded(String upstream, long atNanos, int attempt, long durationNanos)
      implements BlastwallEvent {}

  /** An attempt failed after {@code durationNanos}, classified as {@code kind}. */
  record AttemptFailed(String upstream, long atNanos, int attempt, long durationNanos, FailureKind kind,
      Throwable failure) implements BlastwallEvent {}

  /** An attempt ran past its attempt timeout and was stopped. */
  record AttemptTimedOut(String upstream, long atNanos, int attempt, long timeoutNanos) implements BlastwallEvent {}

  /** A retry will be sent after {@code delayNanos}; {@code serverHinted} when the delay came from the upstream. */
  record RetryScheduled(String upstream, long atNanos, int nextAttempt, long delayNanos, boolean serverHinted)
      implements BlastwallEvent {}

  /** A retry was called for but the budget refused it. */
  record RetryBudgetExhausted(String upstream, long atNanos, int attempts, double balance)
      implements BlastwallEvent {}

  /** The retry policy gave up: attempts used up or too little deadline left for the next backoff. */
  record RetriesExhausted(String upstream, long atNanos, int attempts, String reason) implements BlastwallEvent {}

  /** The call's deadline passed (before an attempt could start, or while one ran). */
  record DeadlineExceeded(String upstream, long atNanos, int attempts) implements BlastwallEvent {}

  /**
   * A circuit breaker changed state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code FORCED_OPEN},
   * {@code FORCED_CLOSED}, {@code DISABLED}), with what made it change.
   */
  record CircuitStateChanged(String upstream, long atNanos, String from, String to, String reason)
      implements BlastwallEvent {}

  /**
   * A policy refused a call without sending it: {@code policy} is {@code circuit-breaker}, {@code bulkhead} or
   * {@code rate-limiter}; {@code retryAfterNanos} is -1 when the policy cannot tell.
   */
  record CallRejected(String upstream, long atNanos, String policy, String detail, long retryAfterNanos)
      implements BlastwallEvent {}

  /**
   * A logical call ended, {@code durationNanos} after it entered the pipeline, with {@code attempts} attempts sent:
   * the last event of every call a listener saw start. {@code failure} is what the caller got, or {@code null}
   * when it got a result (accepted, or a failed result that was not retried).
   */
  record CallCompleted(String upstream, long atNanos, int attempts, long durationNanos, CallOutcome outcome,
      @Nullable Throwable failure) implements BlastwallEvent {}
}
