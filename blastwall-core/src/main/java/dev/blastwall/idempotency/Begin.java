package dev.blastwall.idempotency;

import java.time.Duration;

/** What {@link IdempotencyStore#begin} found for a key: one of four answers, each decided atomically by the store. */
public sealed interface Begin {

  /** Nobody ran this key yet (or the last owner's lease expired): the caller owns {@code lease} and runs the request. */
  record Started(Lease lease) implements Begin {}

  /** The request was already answered: send {@code response} again, marked as replayed. */
  record Replay(StoredResponse response) implements Begin {}

  /**
   * Another caller holds the lease and has not answered yet (HTTP 409, gRPC {@code ABORTED}); {@code retryAfter} is
   * when that lease runs out, a hint for the client's next try.
   */
  record InProgress(Duration retryAfter) implements Begin {}

  /** The key was used with another fingerprint (HTTP 422, gRPC {@code INVALID_ARGUMENT}); nothing runs. */
  record Mismatch() implements Begin {}
}
