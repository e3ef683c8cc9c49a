package dev.blastwall.idempotency;

import dev.blastwall.internal.Checks;
import java.time.Duration;

/**
 * Runs a handler at most once per {@link IdempotencyKey}: begin, run, then complete or release, so a server adapter
 * only maps the {@link KeyedResult} to its protocol.
 *
 * <p>A handler that throws releases the key (the failure is not stored, a retry runs) and the exception propagates.
 * Store failures propagate as {@link IdempotencyStoreException} before the handler runs (fail closed).
 */
public final class IdempotentHandler {

  /** The default {@link Builder#lease}: long enough for a request; a dead owner blocks its key no longer. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  private final IdempotencyStore store;
  private final Duration lease;
  private final Duration ttl;

  private IdempotentHandler(Builder builder) {
    this.store = builder.store;
    this.lease = builder.lease;
    this.ttl = builder.ttl;
  }

  public static Builder builder(IdempotencyStore store) {
    return new Builder(store);
  }

  /** A handler that produces a response; it may throw {@code X}. */
  @FunctionalInterface
  public interface Handler<X extends Exception> {
    Handled run() throws X;
  }

  /** Runs {@code handler} under {@code key} unless the store already has an answer or a running owner for it. */
  public <X extends Exception> KeyedResult handle(IdempotencyKey key, Fingerprint fingerprint, Handler<X> handler)
      throws X {
    Begin begin = store.begin(key, fingerprint, lease);
    return switch (begin) {
      case Begin.Replay replay -> new KeyedResult.Replayed(replay.response());
      case Begin.InProgress busy -> new KeyedResult.InProgress(busy.retryAfter());
      case Begin.Mismatch mismatch -> new KeyedResult.Mismatch();
      case Begin.Started started -> run(started.lease(), handler);
    };
  }

  private <X extends Exception> KeyedResult run(Lease owned, Handler<X> handler) throws X {
    Handled handled;
    try {
      handled = handler.run();
    } catch (Exception | Error failure) {
      try {
        store.release(owned);
      } catch (RuntimeException releaseFailure) {
        failure.addSuppressed(releaseFailure); // the lease expires on its own; the handler's failure matters more
      }
      throw failure;
    }
    if (!handled.store()) {
      store.release(owned);
      return new KeyedResult.Executed(handled.response(), false);
    }
    boolean stored = store.complete(owned, handled.response(), ttl);
    return new KeyedResult.Executed(handled.response(), stored);
  }

  /** Options for an {@link IdempotentHandler}. */
  public static final class Builder {
    private final IdempotencyStore store;
    private Duration lease = DEFAULT_LEASE;
    private Duration ttl = IdempotencyStore.DEFAULT_TTL;

    private Builder(IdempotencyStore store) {
      this.store = store;
    }

    /** How long a running request holds its key (1 ms to 365 days); set it above the operation's deadline. */
    public Builder lease(Duration lease) {
      this.lease = Checks.checkRange("lease", lease, Duration.ofMillis(1), IdempotencyStore.MAX_DURATION);
      return this;
    }

    /** How long a final response is kept for replay (1 ms to 365 days; default 24 h). */
    public Builder ttl(Duration ttl) {
      this.ttl = Checks.checkRange("ttl", ttl, Duration.ofMillis(1), IdempotencyStore.MAX_DURATION);
      return this;
    }

    public IdempotentHandler build() {
      return new IdempotentHandler(this);
    }
  }
}
