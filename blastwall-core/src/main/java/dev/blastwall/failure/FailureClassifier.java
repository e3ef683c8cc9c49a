package dev.blastwall.failure;

import dev.blastwall.internal.Failures;

/**
 * Decides what kind of failure an exception is. Shared by retry and (later) circuit breakers, so that what one
 * policy treats as the upstream's fault the other does too: a validation error never trips a breaker.
 *
 * <p>Implementations must be thread-safe and should not allocate: they run on every failed attempt.
 */
@FunctionalInterface
public interface FailureClassifier {

  /** The kind of {@code failure}. */
  FailureKind classify(Throwable failure);

  /**
   * The upstream's retry-after hint carried by {@code failure}, in nanoseconds, or -1 if none. Like
   * {@link #defaults()}'s classification, it looks through the {@code CompletionException} and
   * {@code ExecutionException} wrappers that futures add.
   */
  default long retryAfterNanos(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    if (unwrapped instanceof RemoteFailure remote) {
      return remote.retryAfterNanos();
    }
    return unwrapped instanceof BlastwallException blastwall ? blastwall.retryAfterNanos() : -1;
  }

  /**
   * Whether {@code failure} asks that no layer above the one that raised it retries. Looks through future
   * wrappers like {@link #retryAfterNanos}.
   */
  default boolean doNotRetry(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    if (unwrapped instanceof RemoteFailure remote) {
      return remote.doNotRetry();
    }
    return unwrapped instanceof BlastwallException blastwall && blastwall.doNotRetry();
  }

  /**
   * Whether {@code failure} says the request certainly did not run: a {@link RemoteFailure} that says so
   * ({@link RemoteFailure#didNotRun()}: never sent, or refused by the upstream before it ran), or a connection
   * that was never made ({@code ConnectException}, {@code NoRouteToHostException}, {@code UnknownHostException},
   * {@code PortUnreachableException}). Such failures may be retried for any operation (see
   * {@link FailureKind#isRetryable(boolean, boolean, boolean)}). Looks through future wrappers like
   * {@link #retryAfterNanos}.
   */
  default boolean didNotRun(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    if (unwrapped instanceof RemoteFailure remote) {
      return remote.didNotRun();
    }
    return DefaultFailureClassifier.isNeverConnected(unwrapped);
  }

  /**
   * The seed's rules: transient network errors, "unavailable" and "overloaded" are retryable; validation-type
   * errors never; an internal error or a timed-out attempt only for idempotent operations; anything unknown is
   * not retried.
   */
  static FailureClassifier defaults() {
    return DefaultFailureClassifier.INSTANCE;
  }

  /** This classifier, except that failures {@code first} recognises (does not call UNKNOWN) take its answer. */
  default FailureClassifier preferring(FailureClassifier first) {
    FailureClassifier fallback = this;
    return failure -> {
      FailureKind kind = first.classify(failure);
      return kind != FailureKind.UNKNOWN ? kind : fallback.classify(failure);
    };
  }
}
