package dev.blastwall.retry;

import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.ResultClassifier;
import dev.blastwall.internal.Checks;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * When and how to retry a failed call: how many attempts in total, which failures are worth retrying, and how
 * long to wait in between. The per-upstream {@link RetryBudget} that caps retry load is set on the pipeline.
 *
 * <p>The rules, in the order they are checked: a non-repeatable operation (not idempotent, no idempotency key) is
 * never retried; a failure whose upstream said "do not retry" is not retried; the failure's
 * {@linkplain FailureKind kind} must be retryable for this operation (any operation may be retried when the request
 * {@linkplain FailureClassifier#didNotRun did not run}); attempts must remain; the wait (the upstream's retry-after
 * hint if it gave one, at most {@link #maxRetryAfterNanos()}, else the backoff) must fit in the deadline left; the
 * budget must allow it.
 *
 * <p>Immutable and thread-safe; built by a {@link Builder}, which is not thread-safe.
 */
public final class RetryPolicy {

  /** Three attempts in total: the seed's and Google SRE's cap ("max 2-3"). */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** More than this multiplies load without improving the odds much; the builder rejects it. */
  public static final int MAX_ATTEMPTS_LIMIT = 10;

  /**
   * The longest server retry-after hint (gRPC pushback, HTTP {@code Retry-After}) a retry waits for, whatever the
   * backoff: 10 s, the default backoff's cap. A longer hint is honoured as this long, so a hint of an hour (or a
   * garbled one of centuries) cannot park a call that has no deadline.
   */
  public static final Duration MAX_RETRY_AFTER = Backoff.DEFAULT_CAP;

  private static final RetryPolicy NONE = new Builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Backoff backoff;
  private final FailureClassifier classifier;
  private final ResultClassifier resultClassifier;
  private final long maxRetryAfterNanos;

  private RetryPolicy(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.backoff = builder.backoff != null ? builder.backoff : Backoff.exponentialFullJitter();
    this.classifier = builder.classifier != null ? builder.classifier : FailureClassifier.defaults();
    this.resultClassifier = builder.resultClassifier != null ? builder.resultClassifier : ResultClassifier.ACCEPT_ALL;
    this.maxRetryAfterNanos = Math.min(MAX_RETRY_AFTER.toNanos(), backoff.capNanos());
  }

  /** A new builder with the defaults: 3 attempts, full-jitter exponential backoff (100 ms base, 10 s cap). */
  public static Builder builder() {
    return new Builder();
  }

  /** The default policy. */
  public static RetryPolicy defaults() {
    return new Builder().build();
  }

  /** One attempt, no retries; failures are still classified (for breakers and events). */
  public static RetryPolicy none() {
    return NONE;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Backoff backoff() {
    return backoff;
  }

  public FailureClassifier classifier() {
    return classifier;
  }

  public ResultClassifier resultClassifier() {
    return resultClassifier;
  }

  /**
   * The longest wait for a server's retry-after hint, in nanoseconds: {@link #MAX_RETRY_AFTER}, or the backoff's
   * {@linkplain Backoff#capNanos() cap} when that is shorter. A longer hint is honoured as this long.
   */
  public long maxRetryAfterNanos() {
    return maxRetryAfterNanos;
  }

  /** Whether a failure of {@code kind} may be retried for an operation with {@code idempotency}. */
  public boolean isRetryable(FailureKind kind, Idempotency idempotency) {
    return kind.isRetryable(idempotency.idempotent(), idempotency.key() != null);
  }

  /**
   * Like {@link #isRetryable(FailureKind, Idempotency)}, knowing whether the request certainly did not run
   * ({@link FailureClassifier#didNotRun}), which makes a "try again" failure retryable for any operation.
   */
  public boolean isRetryable(FailureKind kind, Idempotency idempotency, boolean didNotRun) {
    return kind.isRetryable(idempotency.idempotent(), idempotency.key() != null, didNotRun);
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", backoff=" + backoff + "]";
  }

  /** Builds a {@link RetryPolicy}. Each option may be set once. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private boolean maxAttemptsSet;
    private @Nullable Backoff backoff;
    private @Nullable FailureClassifier classifier;
    private @Nullable ResultClassifier resultClassifier;

    private Builder() {}

    /** Attempts in total, the first included: 1 (no retry) to {@value #MAX_ATTEMPTS_LIMIT}; default 3. */
    public Builder maxAttempts(int attempts) {
      Checks.checkNotSet("maxAttempts", maxAttemptsSet);
      this.maxAttempts = Checks.checkRange("maxAttempts", attempts, 1, MAX_ATTEMPTS_LIMIT);
      this.maxAttemptsSet = true;
      return this;
    }

    /** The wait between attempts; default {@link Backoff#exponentialFullJitter()}. */
    public Builder backoff(Backoff newBackoff) {
      Checks.checkNotSet("backoff", backoff != null);
      this.backoff = newBackoff;
      return this;
    }

    /** How exceptions are classified; default {@link FailureClassifier#defaults()}. */
    public Builder classifier(FailureClassifier newClassifier) {
      Checks.checkNotSet("classifier", classifier != null);
      this.classifier = newClassifier;
      return this;
    }

    /** How returned results are classified; by default every result is a success. */
    public Builder resultClassifier(ResultClassifier newClassifier) {
      Checks.checkNotSet("resultClassifier", resultClassifier != null);
      this.resultClassifier = newClassifier;
      return this;
    }

    public RetryPolicy build() {
      return new RetryPolicy(this);
    }
  }
}
