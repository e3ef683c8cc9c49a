package dev.blastwall.lab.run;

import dev.blastwall.time.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One service's in-memory idempotency store (all its replicas share it, as they would share a database): the answer
 * of each committed request, by idempotency key. The first attempt with a key claims it; a repeat of a committed key
 * gets the stored answer without doing the work again; a repeat that arrives while the first attempt still runs
 * waits for it (bounded by the repeat's deadline), and runs itself if the first attempt ends without committing.
 */
final class IdempotencyStore {

  /** What a claim found. */
  sealed interface Claim {}

  /** The key is this request's now: do the work, then {@link #commit} or {@link #release}. */
  record Owned(String key) implements Claim {}

  /** The key was committed before: answer this, do nothing. */
  record Stored(boolean degraded) implements Claim {}

  /** The first attempt is still running after the wait: answer a retryable refusal. */
  record Busy() implements Claim {}

  /** How an owner ended. */
  private enum End { OK, DEGRADED, RELEASED }

  private final ConcurrentHashMap<String, CompletableFuture<End>> entries = new ConcurrentHashMap<>();
  private final Ticker ticker;

  IdempotencyStore(Ticker ticker) {
    this.ticker = ticker;
  }

  /**
   * Claims {@code key}, or finds its stored answer, waiting at most {@code maxWaitNanos} for an attempt in progress.
   */
  Claim claim(String key, long maxWaitNanos) throws InterruptedException {
    long end = ticker.nanos() + maxWaitNanos;
    while (true) {
      CompletableFuture<End> existing = entries.putIfAbsent(key, new CompletableFuture<>());
      if (existing == null) {
        return new Owned(key);
      }
      End ended;
      try {
        ended = existing.get(Math.max(0, end - ticker.nanos()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return new Busy();
      } catch (ExecutionException e) {
        throw new IllegalStateException("idempotency entries never fail", e);
      }
      if (ended != End.RELEASED) {
        return new Stored(ended == End.DEGRADED);
      }
      // Released: the owner did not commit; try to claim the key again.
    }
  }

  /** Stores the answer of the committed request that owns {@code claim}. */
  void commit(Owned claim, boolean degraded) {
    CompletableFuture<End> entry = entries.get(claim.key());
    if (entry != null) {
      entry.complete(degraded ? End.DEGRADED : End.OK);
    }
  }

  /** Gives the key up: its owner ends without committing, so a repeat must do the work. */
  void release(Owned claim) {
    CompletableFuture<End> entry = entries.get(claim.key());
    if (entry != null && !entry.isDone() && entries.remove(claim.key(), entry)) {
      entry.complete(End.RELEASED);
    }
  }
}
