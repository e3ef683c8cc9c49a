package dev.blastwall.idempotency;

import java.time.Duration;

/**
 * Where a server keeps idempotency records, shaped so that each step is one round trip to a shared store:
 *
 * <ol>
 *   <li>{@link #begin} claims the key under a lease, or says why not (replay, in progress, mismatch);
 *   <li>the owner runs the request, then either {@link #complete}s (the response is kept for a TTL and replayed to
 *       every retry) or {@link #release}s (a retryable failure: nothing is kept, the next retry runs);
 *   <li>an owner that dies holds the key only until its lease runs out: a later {@code begin} starts again; an
 *       owner that is alive but slow {@link #renew}s its lease before it runs out.
 * </ol>
 *
 * <p>docs/idempotency.md has the full semantics table; every implementation passes the same contract test.
 * Implementations are thread-safe and fail with {@link IdempotencyStoreException} when they cannot answer.
 */
public interface IdempotencyStore {

  /** How long a completed response is kept by default, as payment APIs do. */
  Duration DEFAULT_TTL = Duration.ofHours(24);

  /** Longest accepted lease or TTL. */
  Duration MAX_DURATION = Duration.ofDays(365);

  /**
   * Claims {@code key} for a request with {@code fingerprint}, for {@code lease} (the owner's remaining deadline plus
   * a margin): {@link Begin.Started} when the caller now owns it, else what the store holds.
   */
  Begin begin(IdempotencyKey key, Fingerprint fingerprint, Duration lease);

  /**
   * Stores {@code response} for the request {@code lease} was given for and keeps it for {@code ttl}. Returns false
   * (and stores nothing) when the lease is no longer the caller's: it expired and another caller took the key over.
   */
  boolean complete(Lease lease, StoredResponse response, Duration ttl);

  /** Drops the caller's claim without storing anything, so the next retry runs; nothing happens if it was lost. */
  void release(Lease lease);

  /**
   * Extends the caller's lease to end {@code duration} from now (the store's now), for a handler that runs longer
   * than the lease it began with (a long job, a slow dependency): duplicates keep getting {@link Begin.InProgress}
   * meanwhile instead of taking the key over. Returns false (and changes nothing) when the lease is no longer the
   * caller's: it already ran out (whether or not another caller has taken the key since), or it was completed or
   * released. A caller that gets false must assume a duplicate may be running, as after an expiry.
   */
  boolean renew(Lease lease, Duration duration);
}
