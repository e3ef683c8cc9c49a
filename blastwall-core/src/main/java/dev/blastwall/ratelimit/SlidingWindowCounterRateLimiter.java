package dev.blastwall.ratelimit;

import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * An approximate sliding window in constant memory: time is cut into fixed windows of length {@code window}
 * (counted from when the limiter was built), and the count over the sliding window ending now is estimated as
 * {@code current + ceil(previous * (window - elapsed) / window)}, as if the previous window's permits had been
 * spread evenly over it. A request for {@code n} permits is granted when the estimate plus {@code n} is at most
 * {@code limit}.
 *
 * <p>How far off it can be: each fixed window grants at most {@code limit}, so any window of length
 * {@code window} holds at most {@code 2 * limit} (it overlaps two fixed windows); that only happens when traffic
 * is bunched at the end of one window and the start of the next. For traffic spread evenly, the estimate is
 * close to the true count. Where an exact bound matters, use a {@link SlidingWindowLogRateLimiter}.
 *
 * <p>Waits: a granted wait lands in the current fixed window or the next one; a caller whose earliest slot is
 * later than that is refused even if it would wait that long (its retry-after says when to come back). Once a
 * caller has booked a permit in the next window, later callers queue behind it rather than take the rest of the
 * current one.
 *
 * <p>Thread-safe and lock-free: the counts of one fixed window live in one {@link AtomicLong}, so a decision is
 * one compare-and-set; a small object is allocated once per fixed window, never per decision.
 */
public final class SlidingWindowCounterRateLimiter implements RateLimiter {

  /** The largest limit: two counts of this size share one {@code long} with a flag. */
  public static final int MAX_LIMIT = 1 << 30;

  private static final int NEXT_SHIFT = 31;
  private static final long COUNT_MASK = (1L << NEXT_SHIFT) - 1;

  /** Set in {@link Window#counts} once the window is closed: its counts are final and a successor is due. */
  private static final long SEALED = Long.MIN_VALUE;

  /**
   * One fixed window. {@code counts} holds the permits granted in it (low 31 bits) and those already booked in
   * the next window by callers that wait (the next 31 bits); {@code previous} is the final count of the window
   * before it.
   */
  private static final class Window {
    final long index;
    final long start;
    final long previous;
    final AtomicLong counts;

    Window(long index, long start, long previous, long current) {
      this.index = index;
      this.start = start;
      this.previous = previous;
      this.counts = new AtomicLong(current);
    }
  }

  private final Ticker ticker;
  private final int limit;
  private final long windowNanos;
  private final long origin;
  private final AtomicReference<Window> current;

  private SlidingWindowCounterRateLimiter(Builder builder) {
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.limit = builder.limit;
    this.windowNanos = builder.windowNanos;
    this.origin = ticker.nanos();
    this.current = new AtomicReference<>(new Window(0, origin, 0, 0));
  }

  /**
   * A builder for a limiter of about {@code limit} permits per sliding {@code window}.
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
    for (;;) {
      Window window = current.get();
      long index = indexAt(now);
      if (index > window.index) {
        roll(window, index);
        continue;
      }
      long counts = window.counts.get();
      if (index < window.index || counts < 0) {
        // Our reading predates the current window, or another thread is closing this one because time has
        // moved past it: a fresh reading is at least as late as theirs, and lets us help.
        now = ticker.nanos();
        if (counts < 0) {
          roll(window, Math.max(indexAt(now), window.index + 1));
        } else if (indexAt(now) < window.index) {
          // Only a ticker that goes backwards gets here; deciding from the window's start cannot loop.
          now = window.start;
        }
        continue;
      }
      long elapsed = now - window.start;
      long inCurrent = counts & COUNT_MASK;
      long inNext = counts >>> NEXT_SHIFT;
      long wait = earliest(window.previous, inCurrent, inNext, elapsed, permits);
      if (wait > maxWait) {
        return RateLimiter.refusal(wait);
      }
      long updated;
      if (inNext == 0 && elapsed + wait < windowNanos) {
        updated = counts + permits;
      } else if (elapsed + wait < 2 * windowNanos) {
        updated = counts + ((long) permits << NEXT_SHIFT);
      } else {
        // Only this window and the next keep counts; a later slot cannot be booked.
        return RateLimiter.refusal(wait);
      }
      if (window.counts.compareAndSet(counts, updated)) {
        return wait;
      }
    }
  }

  /**
   * Closes {@code window}: freezes its counts (so no thread still deciding on it can add to them after its
   * successor took them over), then installs the window at {@code index}. Concurrent rollers race harmlessly:
   * one successor wins, and the others retry against it.
   */
  private void roll(Window window, long index) {
    long counts = window.counts.get();
    while (counts >= 0 && !window.counts.compareAndSet(counts, counts | SEALED)) {
      counts = window.counts.get();
    }
    counts &= ~SEALED;
    long inCurrent = counts & COUNT_MASK;
    long inNext = counts >>> NEXT_SHIFT;
    long start = origin + index * windowNanos;
    Window next;
    if (index == window.index + 1) {
      next = new Window(index, start, inCurrent, inNext);
    } else if (index == window.index + 2) {
      // The skipped window held only the permits booked into it, and those are now the previous count.
      next = new Window(index, start, inNext, 0);
    } else {
      next = new Window(index, start, 0, 0);
    }
    current.compareAndSet(window, next);
  }

  /**
   * Nanoseconds from now (at {@code elapsed} into the current window) until {@code permits} fit, if nobody else
   * takes any: in this window if nothing is booked in the next one yet, else in the next, else later.
   */
  private long earliest(long previous, long inCurrent, long inNext, long elapsed, int permits) {
    if (inNext == 0 && inCurrent + permits <= limit) {
      long at = fitsFrom(previous, limit - inCurrent - permits);
      if (at < windowNanos) {
        return Math.max(0, at - elapsed);
      }
    }
    if (inNext + permits <= limit) {
      long at = fitsFrom(inCurrent, limit - inNext - permits);
      if (at < windowNanos) {
        return windowNanos - elapsed + at;
      }
    }
    long at = fitsFrom(inNext, limit - permits);
    return (at < windowNanos ? 2 * windowNanos + at : 3 * windowNanos) - elapsed;
  }

  /**
   * The earliest offset into a window at which the previous window's weighted count fits in {@code room}:
   * the least {@code e} with {@code ceil(previous * (window - e) / window) <= room}, which is
   * {@code window - floor(room * window / previous)}; {@code window} itself means "not in this window".
   */
  private long fitsFrom(long previous, long room) {
    if (previous <= room) {
      return 0;
    }
    // room * window can overflow; with room < previous <= 2^30, splitting window by previous keeps every
    // product below 2^60 and the result exact.
    long quotient = windowNanos / previous;
    long remainder = windowNanos % previous;
    return windowNanos - (room * quotient + room * remainder / previous);
  }

  /** The weighted previous count at {@code elapsed}: the least room that {@link #fitsFrom} allows by then. */
  private long weighted(long previous, long elapsed) {
    long low = 0;
    long high = previous;
    while (low < high) {
      long middle = (low + high) >>> 1;
      if (fitsFrom(previous, middle) <= elapsed) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return low;
  }

  @Override
  public long nanosUntilNextPermit() {
    long now = ticker.nanos();
    long[] view = view(now);
    return earliest(view[0], view[1], view[2], view[3], 1);
  }

  @Override
  public long availablePermits() {
    long now = ticker.nanos();
    long[] view = view(now);
    if (view[2] > 0) {
      return 0;
    }
    return Math.max(0, limit - view[1] - weighted(view[0], view[3]));
  }

  /**
   * What the window at {@code now} will hold once it is rolled to, without rolling: previous, current, next and
   * elapsed. Only for the read-only methods, which may allocate.
   */
  private long[] view(long now) {
    Window window = current.get();
    long index = Math.max(indexAt(now), window.index);
    long counts = window.counts.get() & ~SEALED;
    long inCurrent = counts & COUNT_MASK;
    long inNext = counts >>> NEXT_SHIFT;
    long elapsed = Math.max(0, now - (origin + index * windowNanos));
    long gap = index - window.index;
    if (gap == 0) {
      return new long[] {window.previous, inCurrent, inNext, elapsed};
    } else if (gap == 1) {
      return new long[] {inCurrent, inNext, 0, elapsed};
    } else if (gap == 2) {
      return new long[] {inNext, 0, 0, elapsed};
    }
    return new long[] {0, 0, 0, elapsed};
  }

  private long indexAt(long now) {
    return Math.floorDiv(now - origin, windowNanos);
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
    return RateLimitSupport.rejection("sliding window counter", this, upstream, key, attempts, remainingNanos,
        refusal);
  }

  @Override
  public String toString() {
    return "SlidingWindowCounterRateLimiter[" + limit + " per " + Duration.ofNanos(windowNanos) + "]";
  }

  /** Builds a {@link SlidingWindowCounterRateLimiter}; each option may be set once. Not thread-safe. */
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
    public SlidingWindowCounterRateLimiter build() {
      return new SlidingWindowCounterRateLimiter(this);
    }
  }
}
