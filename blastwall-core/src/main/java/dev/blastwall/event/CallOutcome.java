package dev.blastwall.event;

/** How a logical call through a pipeline ended, as {@link BlastwallEvent.CallCompleted} reports it. */
public enum CallOutcome {
  /** An accepted result. */
  SUCCESS,
  /** A failure, or a failed result, that was not retried: not repeatable, not a retryable kind, "do not retry". */
  FAILURE,
  /** The last attempt ran past its attempt timeout. */
  TIMEOUT,
  /** The call's deadline passed, before an attempt could start or while one ran. */
  DEADLINE_EXCEEDED,
  /** The retry policy gave up: attempts used up, every hedge failed, or the next wait would outlast the deadline. */
  RETRIES_EXHAUSTED,
  /** The retry budget refused the retry the call needed. */
  BUDGET_EXHAUSTED,
  /** A policy refused the attempt without sending it: circuit breaker, rate limiter, bulkhead, client throttle. */
  REJECTED,
  /** The caller gave up: it cancelled the call or the context it ran under. */
  CANCELLED
}
