package dev.blastwall.ratelimit;

import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A rate limit per key (user, tenant, API key, route): each key gets its own {@link RateLimiter}, made by a
 * factory the first time the key is seen, so one noisy key cannot use up another's permits.
 *
 * <h2>Bounded memory</h2>
 *
 * <p>At most {@code maxKeys} partitions exist at once. A partition is evicted once it has been idle (no call,
 * and no booked wait still to run) for its <em>idle time</em>: {@code max(idleTimeout, 2 * limiter.window())}.
 * Eviction is lazy: a call sweeps idle partitions at most once per {@code idleTimeout}, and a new key arriving
 * when all {@code maxKeys} are taken sweeps as soon as some partition can have become idle; {@link #evictIdle()}
 * sweeps on demand (for example from a scheduled task). A sweep visits every partition.
 *
 * <h2>Eviction never lets a key exceed its limit</h2>
 *
 * <p>Two guards make evicting a partition indistinguishable from keeping it:
 *
 * <ul>
 *   <li>A partition in use cannot be evicted, and an evicted one cannot be used: a call pins the partition
 *       around its decision, and eviction only succeeds on an unpinned partition not used since the sweep
 *       looked at it. A call that meets an evicted partition makes a fresh one, so a key never has two live
 *       partitions.
 *   <li>The idle time is at least twice the limiter's window, by which time every built-in limiter is back to
 *       its initial state (a full bucket, an empty log, counts that no longer weigh), exactly what a fresh
 *       partition starts with.
 * </ul>
 *
 * <p>The trade-off is memory and a little time: partitions of long windows live at least two windows, and each
 * call pays two more compare-and-sets (pin and unpin) on its partition. A custom limiter whose state outlives
 * {@code 2 * window()} could be reset early by eviction, allowing up to one extra limit's worth for that key.
 *
 * <h2>When all partitions are taken</h2>
 *
 * <p>A key that has no partition while {@code maxKeys} are in use and none is idle is, by default, refused, with
 * a retry-after of when the first partition could become idle: existing keys keep their guarantees, and a flood
 * of new keys (a scan, a bot) cannot evict busy ones. With {@link Builder#overflow(RateLimiter)}, such keys
 * share that one limiter instead: nobody is refused just for being new, but the newcomers share one limit.
 *
 * <p>Thread-safe; the partition map is a {@link ConcurrentHashMap}. A decision on an existing key is lock-free
 * and allocates nothing. The factory may run more than once for a key that two threads see first at the same
 * time; only one result is kept. All partitions should use the same ticker as this limiter.
 *
 * @param <K> the key type, with a proper {@code equals} and {@code hashCode}
 */
public final class KeyedRateLimiter<K> {

  private final Function<? super K, ? extends RateLimiter> factory;
  private final Ticker ticker;
  private final int maxKeys;
  private final long idleNanos;
  private final @Nullable RateLimiter overflow;

  private final ConcurrentHashMap<K, Partition> partitions = new ConcurrentHashMap<>();

  /** The number of live partitions plus slots reserved for ones being made; never above {@code maxKeys}. */
  private final AtomicInteger size = new AtomicInteger();

  /** When the next routine sweep is due. */
  private final AtomicLong nextSweep;

  /** No partition can be idle before this reading (a lower bound, kept by sweeps and new partitions). */
  private final AtomicLong earliestIdle;

  /** Keeps two threads from sweeping at once; the loser skips the sweep rather than waiting. */
  private final AtomicBoolean sweeping = new AtomicBoolean();

  private KeyedRateLimiter(Builder<K> builder) {
    this.factory = builder.factory;
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.maxKeys = builder.maxKeys != null ? builder.maxKeys : DEFAULT_MAX_KEYS;
    this.idleNanos = Checks.saturatedNanos(builder.idleTimeout != null ? builder.idleTimeout : DEFAULT_IDLE_TIMEOUT);
    this.overflow = builder.overflow;
    long now = ticker.nanos();
    this.nextSweep = new AtomicLong(now + idleNanos);
    this.earliestIdle = new AtomicLong(now + idleNanos);
  }

  /** The default {@link Builder#maxKeys}. */
  public static final int DEFAULT_MAX_KEYS = 10_000;

  /** The default {@link Builder#idleTimeout}. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

  /** A builder for a keyed limiter whose partitions {@code factory} makes, one per key. */
  public static <K> Builder<K> builder(Function<? super K, ? extends RateLimiter> factory) {
    return new Builder<>(factory);
  }

  /**
   * {@link RateLimiter#tryAcquire(int, long)} on {@code key}'s partition, made if needed. The answer has the same
   * encoding; a refusal because all partitions are taken carries the time until one could become idle.
   */
  public long tryAcquire(K key, int permits, long maxWaitNanos) {
    long now = ticker.nanos();
    if (now - nextSweep.get() >= 0) {
      sweep(now, true);
    }
    for (;;) {
      Partition partition = partitions.get(key);
      if (partition == null) {
        partition = create(key, now);
        if (partition == null) {
          if (overflow != null) {
            return overflow.tryAcquire(permits, maxWaitNanos);
          }
          return RateLimiter.refusal(Math.max(0, earliestIdle.get() - now));
        }
      }
      if (!partition.pin()) {
        // Evicted under our feet: clear it away (if the sweeper has not yet) and use a fresh one.
        discard(key, partition);
        continue;
      }
      try {
        long answer = partition.limiter.tryAcquire(permits, maxWaitNanos);
        // A booked wait keeps the partition in use until the permit is actually used.
        partition.touch(answer > 0 ? now + answer : now);
        return answer;
      } finally {
        partition.unpin();
      }
    }
  }

  /** One permit for {@code key}, only if free now. */
  public long tryAcquire(K key) {
    return tryAcquire(key, 1, 0);
  }

  /**
   * {@code key}'s limiter, for reading what to put in response headers; {@code null} when the key has no
   * partition (it was never seen, or was evicted). Acquire through this class, not through the limiter
   * returned, or eviction may drop permits taken that way.
   */
  public @Nullable RateLimiter limiterFor(K key) {
    Partition partition = partitions.get(key);
    return partition == null ? null : partition.limiter;
  }

  /** Evicts every partition idle for its idle time now; returns how many. */
  public int evictIdle() {
    return sweep(ticker.nanos(), false);
  }

  /** How many partitions exist (including any being made right now). */
  public int size() {
    return size.get();
  }

  /** The most partitions that may exist at once. */
  public int maxKeys() {
    return maxKeys;
  }

  /**
   * A {@link RateLimitedException} for a refusal of {@code key}, when the answer is no longer at hand: the
   * retry-after is read now.
   */
  public RateLimitedException rejection(String upstream, K key, int attempts, long remainingNanos) {
    RateLimiter limiter = limiterFor(key);
    long retryAfter = limiter != null ? limiter.nanosUntilNextPermit()
        : overflow != null ? overflow.nanosUntilNextPermit()
        : Math.max(0, earliestIdle.get() - ticker.nanos());
    return rejection(upstream, key, attempts, remainingNanos, RateLimiter.refusal(retryAfter));
  }

  /**
   * A {@link RateLimitedException} for {@code refusal}, an answer of {@link #tryAcquire(Object, int, long)} for
   * {@code key}: worded by the key's limiter, the overflow limiter, or as "all partitions taken".
   *
   * @throws IllegalArgumentException if {@code refusal} is a grant ({@code >= 0})
   */
  public RateLimitedException rejection(String upstream, K key, int attempts, long remainingNanos,
      long refusal) {
    String name = String.valueOf(key);
    RateLimiter limiter = limiterFor(key);
    if (limiter != null) {
      return limiter.rejection(upstream, name, attempts, remainingNanos, refusal);
    }
    if (overflow != null) {
      return overflow.rejection(upstream, "overflow:" + name, attempts, remainingNanos, refusal);
    }
    if (refusal >= 0) {
      throw Checks.invalidArgument("refusal", refusal, "a refused answer of tryAcquire, < 0");
    }
    long retryAfter = RateLimiter.retryAfterNanos(refusal);
    return new RateLimitedException(upstream, "keyed rate limiter: all " + maxKeys
        + " partitions in use, none for '" + name + "', next in " + RateLimitSupport.millis(retryAfter), attempts,
        remainingNanos, retryAfter);
  }

  /**
   * Makes and registers {@code key}'s partition, or returns the one another thread registered first; {@code null}
   * when all partitions are taken and a sweep frees none.
   */
  private @Nullable Partition create(K key, long now) {
    boolean swept = false;
    for (;;) {
      int taken = size.get();
      if (taken >= maxKeys) {
        Partition raced = partitions.get(key);
        if (raced != null) {
          return raced;
        }
        if (swept || now - earliestIdle.get() < 0) {
          return null;
        }
        // Look again afterwards even if this sweep freed nothing: a concurrent one may have.
        sweep(now, false);
        swept = true;
        continue;
      }
      if (size.compareAndSet(taken, taken + 1)) {
        break;
      }
    }
    // The slot is reserved first so that maxKeys holds even while factories run concurrently.
    Partition fresh;
    try {
      fresh = new Partition(factory.apply(key), now);
    } catch (RuntimeException | Error failure) {
      size.decrementAndGet();
      throw failure;
    }
    Partition existing = partitions.putIfAbsent(key, fresh);
    if (existing != null) {
      size.decrementAndGet();
      return existing;
    }
    long idleAt = now + fresh.idleNanos;
    earliestIdle.accumulateAndGet(idleAt, (current, candidate) -> candidate - current < 0 ? candidate : current);
    return fresh;
  }

  /**
   * Evicts the partitions idle at {@code now}; returns how many. A routine sweep is skipped when another is
   * running; one asked for (capacity or {@link #evictIdle()}) runs anyway, which is safe: each eviction is
   * decided by one compare-and-set.
   */
  private int sweep(long now, boolean routine) {
    boolean owner = sweeping.compareAndSet(false, true);
    if (!owner && routine) {
      return 0;
    }
    nextSweep.set(now + idleNanos);
    try {
      int evicted = 0;
      long earliest = now + idleNanos;
      for (Map.Entry<K, Partition> entry : partitions.entrySet()) {
        Partition partition = entry.getValue();
        long idleAt = partition.evictIfIdle(now);
        if (idleAt == Partition.EVICTED) {
          if (discard(entry.getKey(), partition)) {
            evicted++;
          }
        } else if (idleAt - earliest < 0) {
          earliest = idleAt;
        }
      }
      // May overwrite a lower bound set by a partition made during the sweep; that only delays evicting it
      // under capacity pressure until the next sweep.
      earliestIdle.set(earliest);
      return evicted;
    } finally {
      if (owner) {
        sweeping.set(false);
      }
    }
  }

  /** Removes an evicted partition from the map; whoever removes it gives its slot back, exactly once. */
  private boolean discard(K key, Partition partition) {
    if (partitions.remove(key, partition)) {
      size.decrementAndGet();
      return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return "KeyedRateLimiter[" + size.get() + " of " + maxKeys + " keys, idleTimeout=" + Duration.ofNanos(idleNanos)
        + (overflow != null ? ", overflow=" + overflow : "") + "]";
  }

  /**
   * One key's limiter, with what eviction needs: when it was last used, and a pin count that keeps it alive
   * while a call decides on it.
   */
  private final class Partition {
    /** Returned by {@link #evictIfIdle} when the partition was evicted. */
    static final long EVICTED = Long.MIN_VALUE;

    /** {@link #state} once evicted: no pin can succeed any more. */
    private static final long DEAD = Long.MIN_VALUE;

    private static final int PINS_BITS = 24;
    private static final long PINS_MASK = (1L << PINS_BITS) - 1;
    private static final long USES_MASK = Long.MAX_VALUE >>> PINS_BITS;

    final RateLimiter limiter;
    final long idleNanos;

    /**
     * Pins in the low 24 bits, a count of uses above them, or {@link #DEAD}. The use count changes with every
     * pin, so a sweep that saw "unpinned" can tell by its compare-and-set whether anyone used the partition
     * since, even if that use has already ended.
     */
    private final AtomicLong state = new AtomicLong();

    private final AtomicLong lastUsed;

    Partition(RateLimiter limiter, long now) {
      this.limiter = limiter;
      long twoWindows = Checks.saturatedNanos(limiter.window());
      twoWindows = twoWindows > Long.MAX_VALUE / 2 ? Long.MAX_VALUE / 2 : 2 * twoWindows;
      this.idleNanos = Math.min(Math.max(KeyedRateLimiter.this.idleNanos, twoWindows), RateLimitSupport.MAX_NANOS);
      this.lastUsed = new AtomicLong(now);
    }

    boolean pin() {
      for (;;) {
        long current = state.get();
        if (current == DEAD) {
          return false;
        }
        long uses = ((current >>> PINS_BITS) + 1) & USES_MASK;
        if (state.compareAndSet(current, uses << PINS_BITS | ((current & PINS_MASK) + 1))) {
          return true;
        }
      }
    }

    void unpin() {
      state.decrementAndGet();
    }

    void touch(long at) {
      long seen = lastUsed.get();
      if (at - seen > 0) {
        lastUsed.accumulateAndGet(at, RateLimitSupport::later);
      }
    }

    /** Evicts this partition if unpinned and idle at {@code now}: {@link #EVICTED}, or when it could be idle. */
    long evictIfIdle(long now) {
      long current = state.get();
      if (current == DEAD) {
        return EVICTED;
      }
      // Read after the state: a call that finished before this read has already touched lastUsed.
      long idleAt = lastUsed.get() + idleNanos;
      if ((current & PINS_MASK) != 0 || idleAt - now > 0) {
        return (current & PINS_MASK) != 0 ? now + idleNanos : idleAt;
      }
      return state.compareAndSet(current, DEAD) ? EVICTED : now + idleNanos;
    }
  }

  /** Builds a {@link KeyedRateLimiter}; each option may be set once. Not thread-safe. */
  public static final class Builder<K> {
    private final Function<? super K, ? extends RateLimiter> factory;
    private @Nullable Ticker ticker;
    private @Nullable Integer maxKeys;
    private @Nullable Duration idleTimeout;
    private @Nullable RateLimiter overflow;

    private Builder(Function<? super K, ? extends RateLimiter> factory) {
      this.factory = factory;
    }

    /** The time source for idleness; default {@link Ticker#system()}. Use the partitions' ticker. */
    public Builder<K> ticker(Ticker newTicker) {
      Checks.checkNotSet("ticker", ticker != null);
      this.ticker = newTicker;
      return this;
    }

    /** The most partitions at once, {@code >= 1}; default {@value KeyedRateLimiter#DEFAULT_MAX_KEYS}. */
    public Builder<K> maxKeys(int keys) {
      Checks.checkNotSet("maxKeys", maxKeys != null);
      this.maxKeys = Checks.checkRange("maxKeys", keys, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * How long a partition may go unused before it may be evicted, at least 1 ms; default 10 minutes. A
     * partition whose limiter's window is longer than half of this is kept for two of its windows instead.
     */
    public Builder<K> idleTimeout(Duration timeout) {
      Checks.checkNotSet("idleTimeout", idleTimeout != null);
      this.idleTimeout = Checks.checkRange("idleTimeout", timeout, RateLimitSupport.MIN_WINDOW,
          RateLimitSupport.MAX_DURATION);
      return this;
    }

    /**
     * A limiter shared by keys that find all partitions taken, instead of refusing them; default none. Give it a
     * limit meant for many keys together.
     */
    public Builder<K> overflow(RateLimiter shared) {
      Checks.checkNotSet("overflow", overflow != null);
      this.overflow = shared;
      return this;
    }

    public KeyedRateLimiter<K> build() {
      return new KeyedRateLimiter<>(this);
    }
  }
}
