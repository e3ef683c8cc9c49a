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
 * above not to multiply its load.
 */
public class RemoteFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final FailureKind kind;
  private final long retryAfterNanos;
  private final boolean doNotRetry;

  /** A failure of {@code kind}, without hints. */
  public RemoteFailure(FailureKind kind, String message) {
    this(kind, message, null, false, null);
  }

  /**
   * A failure of {@code kind}.
   *
   * @param retryAfter the upstream's hint of when to retry, or {@code null}
   * @param doNotRetry whether the upstream asked that no layer above retries
   * @param cause the protocol's own exception, or {@code null}
   */
  public RemoteFailure(FailureKind kind, String message, @Nullable Duration retryAfter, boolean doNotRetry,
      @Nullable Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.retryAfterNanos = retryAfter == null ? -1
        : Checks.saturatedNanos(Checks.checkNotNegative("retryAfter", retryAfter));
    this.doNotRetry = doNotRetry;
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
}
