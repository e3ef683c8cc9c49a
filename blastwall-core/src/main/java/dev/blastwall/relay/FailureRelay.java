package dev.blastwall.relay;

import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.internal.Failures;
import dev.blastwall.internal.Untrusted;
import dev.blastwall.retry.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * The rules for what a failure means when it crosses a hop, for every protocol. An adapter maps its status codes
 * to {@link FailureKind}s and its headers to a mark and a {@link RetryHint}; this class decides the rest.
 *
 * <h2>Incoming: a failure received from below</h2>
 *
 * <ul>
 *   <li>A retry-after hint ({@link RetryHint#isAfter()}) replaces the backoff; it is kept up to
 *       {@link RetryPolicy#MAX_RETRY_AFTER}, the longest any retry policy waits. "Do not retry" means exactly that.
 *   <li>The "do not retry" mark means the failure was already retried below, or must not be: it is not retried
 *       here, unless the same response also carries a retry-after. That combination is an overloaded upstream's
 *       own refusal, sent before it ran the request: its immediate caller may retry once the time has passed, for
 *       any operation (it {@linkplain RemoteFailure#didNotRun did not run}), and nobody above it may.
 *   <li>With {@link AttemptFacts}: a request never sent did not run; a DEADLINE_EXCEEDED that the attempt's own
 *       timeout caused is a TIMEOUT; a CANCELLED nobody on this side asked for is the upstream going away,
 *       UNAVAILABLE.
 *   <li>The hop's description is quoted bounded and escaped (a peer controls it, and it is logged).
 * </ul>
 *
 * <h2>Outgoing: a failure sent above</h2>
 *
 * <ul>
 *   <li>{@link OverloadedException} (this side sheds): OVERLOADED, marked, with its retry-after hint as the time, or
 *       "do not retry" without one. It is the only failure ever sent with a time: a retry-after is for the
 *       immediate caller of the overloaded side, never relayed further up.
 *   <li>Other Blastwall exceptions: their kind, marked (with "do not retry") when they say "do not retry" or are
 *       an overload.
 *   <li>A {@link RemoteFailure} from below: its kind, marked when it was marked, said "do not retry", or is an
 *       overload (an overload below must not be retried by every layer above).
 *   <li>A cancellation: CANCELLED, unmarked. Anything else is not {@linkplain OutgoingVerdict#recognised
 *       recognised}: the adapter sends what its protocol makes of it.
 * </ul>
 *
 * <p>Whether a failure counts against the upstream's health is {@link FailureKind#countsAgainstUpstream()}.
 */
public final class FailureRelay {

  private static final long MAX_RETRY_AFTER_NANOS = RetryPolicy.MAX_RETRY_AFTER.toNanos();

  private FailureRelay() {}

  /**
   * The verdict on a failure received from below.
   *
   * @param kind the kind the adapter's table gives the received code
   * @param code the protocol's name for the received code ({@code UNAVAILABLE}, {@code 503}), for the message
   * @param description the hop's own description, untrusted, or {@code null}
   * @param marked whether the hop marked it "do not retry"
   * @param hint the hop's retry hint
   * @param attempt what the receiving attempt knows, or {@link AttemptFacts#NOT_KNOWN}
   */
  public static IncomingVerdict incoming(FailureKind kind, String code, @Nullable CharSequence description,
      boolean marked, RetryHint hint, AttemptFacts attempt) {
    FailureKind here = kind;
    String shown = description == null ? "" : Untrusted.quote(description);
    if (kind == FailureKind.DEADLINE_EXCEEDED && attempt.ownTimeout()) {
      here = FailureKind.TIMEOUT;
    } else if (kind == FailureKind.CANCELLED && !attempt.cancelledHere()) {
      here = FailureKind.UNAVAILABLE;
      shown = "the server ended the call " + code + ", which this client did not ask for (it went away)"
          + (shown.isEmpty() ? "" : ": " + shown);
    }
    long retryAfterNanos = hint.isAfter() ? Math.min(hint.retryAfterNanos(), MAX_RETRY_AFTER_NANOS) : -1;
    boolean doNotRetry = hint.isDoNotRetry() || (marked && hint.isNone());
    boolean refusedBeforeRunning = kind == FailureKind.OVERLOADED && marked && hint.isAfter();
    String heading = here == kind ? code : here + " (received " + code + ")";
    String message = shown.isEmpty() ? heading : heading + ": " + shown;
    return new IncomingVerdict(here, message, shown, retryAfterNanos, doNotRetry,
        attempt.neverSent() || refusedBeforeRunning, marked);
  }

  /** The verdict on {@code failure} (futures' wrappers looked through) as it is relayed to the hop above. */
  public static OutgoingVerdict outgoing(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    if (unwrapped instanceof OverloadedException overloaded) {
      long hint = overloaded.retryAfterNanos();
      return new OutgoingVerdict(unwrapped, FailureKind.OVERLOADED, true,
          hint < 0 ? RetryHint.doNotRetry() : RetryHint.after(Duration.ofNanos(hint)), true);
    }
    if (unwrapped instanceof BlastwallException blastwall) {
      return marking(unwrapped, blastwall.kind(), blastwall.doNotRetry());
    }
    if (unwrapped instanceof RemoteFailure remote) {
      return marking(unwrapped, remote.kind(), remote.marked() || remote.doNotRetry());
    }
    if (unwrapped instanceof CancellationException) {
      return new OutgoingVerdict(unwrapped, FailureKind.CANCELLED, false, RetryHint.none(), true);
    }
    return new OutgoingVerdict(unwrapped, FailureClassifier.defaults().classify(unwrapped), false,
        RetryHint.none(), false);
  }

  private static OutgoingVerdict marking(Throwable failure, FailureKind kind, boolean doNotRetry) {
    boolean marked = doNotRetry || kind == FailureKind.OVERLOADED;
    return new OutgoingVerdict(failure, kind, marked, marked ? RetryHint.doNotRetry() : RetryHint.none(), true);
  }
}
