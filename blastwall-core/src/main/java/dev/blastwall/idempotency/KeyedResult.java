package dev.blastwall.idempotency;

import java.time.Duration;

/**
 * What {@link IdempotentHandler#handle} did with a keyed request; an adapter maps each case to its protocol
 * (docs/idempotency.md has the table).
 */
public sealed interface KeyedResult {

  /** The handler ran here; {@code stored} is false for a retryable failure or when the lease was lost meanwhile. */
  record Executed(StoredResponse response, boolean stored) implements KeyedResult {}

  /** A stored response replayed without running the handler: send it marked as replayed. */
  record Replayed(StoredResponse response) implements KeyedResult {}

  /** Another request with this key is running: HTTP 409 / gRPC {@code ABORTED}, with {@code retryAfter}. */
  record InProgress(Duration retryAfter) implements KeyedResult {}

  /** The key was used with another payload: HTTP 422 / gRPC {@code INVALID_ARGUMENT}. */
  record Mismatch() implements KeyedResult {}
}
