package dev.blastwall.relay;

import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a failure received from the hop below means here, decided by {@link FailureRelay#incoming}: the fields of
 * the {@link RemoteFailure} an adapter raises (or of its subclass, which adds the protocol's own status).
 *
 * @param kind the failure's kind here (may differ from the received one; see {@link AttemptFacts})
 * @param message the failure's message: the received code (and the kind, when they differ) and the description
 * @param description the received description, bounded and escaped (at most a few hundred characters), or a
 *     sentence that says why the kind changed followed by it; empty when the hop sent none
 * @param retryAfterNanos the hop's retry-after, at most {@code RetryPolicy.MAX_RETRY_AFTER}, or -1
 * @param doNotRetry whether no layer here may retry it
 * @param didNotRun whether the request certainly did not run
 * @param marked whether the hop marked it "do not retry"
 */
public record IncomingVerdict(FailureKind kind, String message, String description, long retryAfterNanos,
    boolean doNotRetry, boolean didNotRun, boolean marked) {

  /** {@link #retryAfterNanos()} as a duration, or {@code null} when the hop gave none. */
  public @Nullable Duration retryAfter() {
    return retryAfterNanos >= 0 ? Duration.ofNanos(retryAfterNanos) : null;
  }

  /** This verdict as a protocol-neutral failure, with the protocol's own exception as its cause. */
  public RemoteFailure toFailure(@Nullable Throwable cause) {
    return new RemoteFailure(kind, message, retryAfter(), doNotRetry, didNotRun, marked, cause);
  }
}
