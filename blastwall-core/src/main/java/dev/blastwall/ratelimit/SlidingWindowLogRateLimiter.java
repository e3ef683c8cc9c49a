package dev.blastwall.ratelimit;

import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * An exact sliding window: at most {@code limit} permits in any window of length {@code window}, wherever it
 * starts. A permit granted at ticker reading {@code t} (or, after a wait, at the reading when it may proceed)
 * counts against every window {@code (x - window, x]} that contains {@code t}; it stops counting exactly
 * {@code window} nanoseconds later. The retry-after of a refusal is when the oldest permit in the way leaves the
 * window.
 *
 * <p>Keeps the time of each of the last {@code limit} permits in a ring, so memory is about 16 bytes per permit
 * of the limit (capped at {@value #MAX_LIMIT}); for larger limits, or where approximate is good enough, use a
 * {@link SlidingWindowCounterRateLimiter}. {@link #availablePermits()} costs one read per permit it reports.
 *
 * <p>Thread-safe and lock-free, nothing allocated per decision. A grant is one compare-and-set of the permit
 * sequence, then one write per permit into the ring. A caller that finds the ring slot it needs still being
 * written by a thread that was granted it spins briefly, then yields; if that thread stays descheduled even so,
 * the caller is refused (never over-admitted) with a retry-after of one window.
 */
public final class SlidingWindowLogRateLimiter implements RateLimiter {

  /** The largest limit: the ring costs 16 bytes per permit. */
  public static final int MAX_LIMIT = 1 << 20;

  /** How often a caller re-reads a ring slot that a granted thread has yet to fill, spinning, then yielding. */
  private static final int SPINS = 128;

  /**
   * Then how often it parks briefly to let that thread finish its two writes, before giving up. On a
   * busy machine (more runnable threads than cores) the writer may be descheduled for a whole time slice:
   * spinning alone then refuses callers the limit had room for.
   */
  private static final int YIELDS = 1_000;

  /** One short park per yield: about a scheduler tick at most, so giving up takes tens of milliseconds at worst. */
  private static final long PARK_NANOS = 10_000;

  private final Ticker ticker;
  private final int limit;
  private final long windowNanos;

  /** The sequence number of the next permit: how many permits were ever granted. */
  private final AtomicLong granted = new AtomicLong();

  /**
   * Permit {@code s} is recorded at slot {@code s % limit}: its time in {@code times}, then {@code s} in
   * {@code sequences}. The sequence tells a reader whether the slot holds the permit it is looking for, or an
   * older one whose overwrite is still in progress.
   */
  private final AtomicLongArray times;

  private final AtomicLongArray sequences;

  private SlidingWindowLogRateLimiter(Builder builder) {
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.limit = builder.limit;
    this.windowNanos = builder.windowNanos;
    this.times = new AtomicLongArray(limit);
    this.sequences = new AtomicLongArray(limit);
    for (int slot = 0; slot < limit; slot++) {
      sequences.set(slot, -1);
    }
  }

  /**
   * A builder for a limiter of {@code limit} permits per sliding {@code window}.
   *
   * @throws IllegalArgumentException if {@code limit} is not within {@code [1, MAX_LIMIT]} or {@code window} is
   *     shorter than 1 ms or longer than about 73 years
   */
  public static Builder builder(int limit, Duration window) {
    return new Builder(limit, window);
  }

  @Override
  public long tryAcquire(int permits, long maxWaitNanos) {
    RateLimitSupport.checkPermits(permits, limit);
    long maxWait = RateLimitSupport.checkMaxWait(maxWaitNanos);
    long now = ticker.nanos();
    int spins = 0;
    for (;;) {
      long head = granted.get();
      // Granting permits head .. head+permits-1 overwrites the records of permits head-limit .. (the oldest
      // ones). All of them must have left the window by the time the new ones proceed; permits are not
      // recorded in time order (callers read the ticker at slightly different moments, some wait), so each
      // is checked, not just the last.
      long wait = 0;
      long pending = -1;
      for (int i = 0; i < permits; i++) {
        long evicted = head - limit + i;
        if (evicted < 0) {
          continue;
        }
        int slot = (int) (evicted % limit);
        long recorded = sequences.get(slot);
        if (recorded != evicted) {
          // Smaller: the permit was granted but its record is not written yet. Larger: "head" is stale.
          pending = recorded < evicted ? evicted : -1;
          wait = -1;
          break;
        }
        wait = Math.max(wait, times.get(slot) + windowNanos - now);
      }
      if (wait < 0) {
        if (pending >= 0 && ++spins > SPINS + YIELDS) {
          // Its time is unknown but recent: refusing cannot over-admit.
          return RateLimiter.refusal(windowNanos);
        }
        if (spins > SPINS) {
          // Park for a moment: it frees the core (and, on a virtual thread, the carrier) for the writer.
          LockSupport.parkNanos(PARK_NANOS);
        } else {
          Thread.onSpinWait();
        }
        continue;
      }
      if (wait > maxWait) {
        // The records read belong to "head" only if it has not moved on meanwhile; otherwise look again.
        if (granted.get() == head) {
          return RateLimiter.refusal(wait);
        }
        continue;
      }
      if (granted.compareAndSet(head, head + permits)) {
        long at = now + wait;
        for (int i = 0; i < permits; i++) {
          long sequence = head + i;
          int slot = (int) (sequence % limit);
          times.set(slot, at);
          sequences.set(slot, sequence);
        }
        return wait;
      }
    }
  }

  /** When the oldest recorded permit leaves the window (0 if it has, or the ring is not full yet). */
  @Override
  public long nanosUntilNextPermit() {
    long now = ticker.nanos();
    long oldest = granted.get() - limit;
    if (oldest < 0) {
      return 0;
    }
    int slot = (int) (oldest % limit);
    if (sequences.get(slot) < oldest) {
      return windowNanos;
    }
    // A newer record here means the permit was granted again since: at most one window away.
    return Math.max(0, Math.min(windowNanos, times.get(slot) + windowNanos - now));
  }

  /** How many of the oldest records, in order, have left the window (a snapshot under concurrent use). */
  @Override
  public long availablePermits() {
    long now = ticker.nanos();
    long head = granted.get();
    long free = Math.max(0, limit - head);
    for (long evicted = Math.max(0, head - limit); free < limit; evicted++, free++) {
      int slot = (int) (evicted % limit);
      if (sequences.get(slot) != evicted || times.get(slot) + windowNanos - now > 0) {
        break;
      }
    }
    return free;
  }

  @Override
  public long limit() {
    return limit;
  }

  @Override
  public Duration window() {
    return Duration.ofNanos(windowNanos);
  }

  @Override
  public RateLimitedException rejection(String upstream, String key, int attempts, long remainingNanos,
      long refusal) {
    return RateLimitSupport.rejection("sliding window log", this, upstream, key, attempts, remainingNanos,
        refusal);
  }

  @Override
  public String toString() {
    return "SlidingWindowLogRateLimiter[" + limit + " per " + Duration.ofNanos(windowNanos) + "]";
  }

  /** Builds a {@link SlidingWindowLogRateLimiter}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final int limit;
    private final long windowNanos;
    private @Nullable Ticker ticker;

    private Builder(int limit, Duration window) {
      this.limit = Checks.checkRange("limit", limit, 1, MAX_LIMIT);
      this.windowNanos = RateLimitSupport.checkWindow("window", window);
    }

    /** The time source; default {@link Ticker#system()}. */
    public Builder ticker(Ticker newTicker) {
      Checks.checkNotSet("ticker", ticker != null);
      this.ticker = newTicker;
      return this;
    }

    /** A new limiter with nothing granted yet. */
    public SlidingWindowLogRateLimiter build() {
      return new SlidingWindowLogRateLimiter(this);
    }
  }
}
