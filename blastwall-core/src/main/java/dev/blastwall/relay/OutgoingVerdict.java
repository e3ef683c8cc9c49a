package dev.blastwall.relay;

import dev.blastwall.failure.FailureKind;

/**
 * How a failure is relayed to the hop above, decided by {@link FailureRelay#outgoing}.
 *
 * @param failure the failure without the wrappers futures add; the adapter takes the description from it
 * @param kind the kind to send (the adapter maps it to its status code)
 * @param marked whether to send the "do not retry" mark
 * @param hint the retry hint to send; never a time unless this side itself is overloaded
 * @param recognised whether the failure is one Blastwall knows (its own, a {@code RemoteFailure}, a cancellation);
 *     for any other the adapter sends what its protocol would make of it, and {@code kind} is the default
 *     classification
 */
public record OutgoingVerdict(Throwable failure, FailureKind kind, boolean marked, RetryHint hint,
    boolean recognised) {}
