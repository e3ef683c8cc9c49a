package dev.blastwall.failure;

import dev.blastwall.internal.Checks;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A failure reported by an upstream, in protocol-neutral terms. Adapters (gRPC, HTTP, messaging) throw it, or a
 * subclass, so that the same retry, breaker and shedding policies work across protocols.
 *
 * <p>It may carry the upstream's retry-after hint (gRPC pushback, HTTP Retry-After), which replaces the computed
 * backoff, and a "do not retry" mark: the layer below already retried, or is overloaded, and asks every layer
 * above not to multiply its load. An adapter that knows the request did not run (it never left the client, or the
 * upstream refused it before running it) says so with {@link #didNotRun()}, which makes any operation safe to retry.
 */
public class RemoteFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final FailureKind kind;
  private final long retryAfterNanos;
  private final boolean doNotRetry;
  private final boolean didNotRun;
  private final boolean marked;

  /** A failure of {@code kind}, without hints. */
  public RemoteFailure(FailureKind kind, String message) {
    this(kind, message, null, false, false, null);
  }

  /**
   * A failure of {@code kind} of a request that may have run.
   *
   * @param retryAfter the upstream's hint of when to retry, or {@code null}
   * @param doNotRetry whether the upstream asked that no layer above retries
   * @param cause the protocol's own exception, or {@code null}
   */
  public RemoteFailure(FailureKind kind, String message, @Nullable Duration retryAfter, boolean doNotRetry,
      @Nullable Throwable cause) {
    this(kind, message, retryAfter, doNotRetry, false, cause);
  }

  /**
   * A failure of {@code kind}.
   *
   * @param retryAfter the upstream's hint of when to retry, or {@code null}
   * @param doNotRetry whether the upstream asked that no layer above retries
   * @param didNotRun whether the request certainly did not run: it never left the client, or the upstream refused
   *     it before running it. Only an adapter that knows it may say so: a wrong {@code true} runs a mutation twice
   * @param cause the protocol's own exception, or {@code null}
   */
  public RemoteFailure(FailureKind kind, String message, @Nullable Duration retryAfter, boolean doNotRetry,
      boolean didNotRun, @Nullable Throwable cause) {
    this(kind, message, retryAfter, doNotRetry, didNotRun, false, cause);
  }

  /**
   * A failure of {@code kind} as the upstream reported it, with its do-not-retry mark (see {@link #marked()}).
   * Adapters build these through {@code dev.blastwall.relay.FailureRelay}, which applies the rules of the mark.
   *
   * @param retryAfter the upstream's hint of when to retry, or {@code null}
   * @param doNotRetry whether no layer here may retry it
   * @param didNotRun whether the request certainly did not run (see the constructor above)
   * @param marked whether the upstream marked the failure "do not retry"
   * @param cause the protocol's own exception, or {@code null}
   */
  public RemoteFailure(FailureKind kind, String message, @Nullable Duration retryAfter, boolean doNotRetry,
      boolean didNotRun, boolean marked, @Nullable Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.retryAfterNanos = retryAfter == null ? -1
        : Checks.saturatedNanos(Checks.checkNotNegative("retryAfter", retryAfter));
    this.doNotRetry = doNotRetry;
    this.didNotRun = didNotRun;
    this.marked = marked;
  }

  public FailureKind kind() {
    return kind;
  }

  /** The upstream's retry-after hint in nanoseconds, or -1 when it gave none. */
  public long retryAfterNanos() {
    return retryAfterNanos;
  }

  /** Whether the upstream asked that no layer above retries. */
  public boolean doNotRetry() {
    return doNotRetry;
  }

  /**
   * Whether the request certainly did not run: it never left the client, or the upstream refused it before running
   * it. Such a failure may be retried even for an operation that is not repeatable.
   */
  public boolean didNotRun() {
    return didNotRun;
  }

  /**
   * Whether the upstream marked the failure "do not retry" (gRPC: the {@code blastwall-do-not-retry} trailer). The
   * immediate caller may still retry it when the upstream also gave a retry-after (an overloaded server's own
   * refusal); whoever relays the failure further up keeps the mark, so nobody above retries it.
   */
  public boolean marked() {
    return marked;
  }
}
