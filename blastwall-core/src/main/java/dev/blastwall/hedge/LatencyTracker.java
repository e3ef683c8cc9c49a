package dev.blastwall.hedge;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Recent call latencies of one upstream, answering "what is the pXX latency over the last {@code window}" cheaply
 * enough to ask on every request. Dynamic hedging uses it to pick the delay after which a second attempt is sent.
 *
 * <h2>Window</h2>
 * The window is a ring of {@code slices} equal time slices; when the ticker enters a new slice the oldest one is
 * cleared and reused. A sample therefore counts for between {@code window - window/slices} and {@code window}
 * after it was recorded: a sliding window with slice granularity. More slices smooth the expiry at the cost of
 * memory and query time. (If {@code window} is not a whole multiple of {@code slices} nanoseconds the slice length
 * is rounded down.)
 *
 * <h2>Accuracy</h2>
 * Latencies are counted in log-linear buckets of whole microseconds: exact below 128 &micro;s, above that with a
 * bucket width of at most 1/64 of the value. {@link #percentileNanos} returns the upper bound of the bucket holding
 * the percentile, so it is never below the true (nearest-rank) percentile and above it by less than
 * {@code value / 64 + 1 µs} (about 1.6%): a hedge delay taken from it errs on the side of hedging slightly late,
 * never early. Latencies above {@code maxTrackable} are counted as {@code maxTrackable}, which is then what a
 * percentile that falls on them reports; negative latencies (a clock anomaly) count as zero.
 *
 * <h2>Concurrency</h2>
 * Thread-safe and lock-free. {@link #record} is one ticker read, a division and one atomic increment, and
 * allocates nothing. The first record in a new slice clears it (about 1,300 counters at the default range); the
 * slice's state word is claimed by CAS so exactly one thread clears it. The price of not locking: a record that
 * races that clear may be wiped by it, and a record whose thread stalls for a whole window between reading the
 * ticker and counting may land in a newer slice. Both only ever lose or shift single samples, so {@link #count}
 * never exceeds the number of samples recorded. Queries read counters while they change, so a result reflects
 * roughly, not atomically, the moment it was taken.
 *
 * <h2>Cost of a query</h2>
 * {@link #percentileNanos} and {@link #count} scan every bucket of every live slice (about 8,000 counters at the
 * defaults; roughly 3 to 20 &micro;s). For a per-request caller use {@link #percentileNanosCached}, which
 * recomputes at most once per the given age and otherwise costs a ticker read and a field read.
 */
public final class LatencyTracker {

  /** Thirty seconds: long enough for a stable p95 at modest traffic, short enough to follow a degrading upstream. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);

  /** Six slices: at the default window a sample expires 25 to 30 seconds after it was recorded. */
  public static final int DEFAULT_SLICES = 6;

  /** Sixty seconds: beyond any sensible hedge delay; larger latencies are clamped to it. */
  public static final Duration DEFAULT_MAX_TRACKABLE = Duration.ofSeconds(60);

  /** Twenty samples: fewer make a tail percentile little more than the slowest call seen. */
  public static final int DEFAULT_MIN_SAMPLES = 20;

  /** The most slices a tracker may have; each costs a bucket array, and a query scans them all. */
  public static final int MAX_SLICES = 60;

  static final Duration MIN_WINDOW = Duration.ofMillis(100);
  static final Duration MAX_WINDOW = Duration.ofHours(1);
  static final Duration MIN_TRACKABLE = Duration.ofMillis(1);
  static final Duration MAX_TRACKABLE = Duration.ofHours(1);

  /** The epoch of a slice never used: older than every real epoch, so it is never live and is cleared first. */
  private static final long NEVER = Long.MIN_VALUE >> 2;

  /** A percentile no caller can ask for, so the initial cache entry never matches. */
  private static final Cached EMPTY_CACHE = new Cached(-1.0, -1, 0);

  private final Duration window;
  private final Duration maxTrackable;
  private final int minSamples;
  private final Ticker ticker;
  private final long originNanos;
  private final long sliceNanos;
  private final long maxTrackableNanos;
  private final int bucketCount;
  private final Slice[] slices;
  private final AtomicReference<Cached> cache = new AtomicReference<>(EMPTY_CACHE);

  private LatencyTracker(Builder builder) {
    this.window = builder.window;
    this.maxTrackable = builder.maxTrackable;
    this.minSamples = builder.minSamples;
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.originNanos = ticker.nanos();
    this.sliceNanos = window.toNanos() / builder.slices;
    this.maxTrackableNanos = maxTrackable.toNanos();
    this.bucketCount = LatencyBuckets.countFor(LatencyBuckets.unitsOf(maxTrackableNanos));
    this.slices = new Slice[builder.slices];
    for (int i = 0; i < slices.length; i++) {
      slices[i] = new Slice(bucketCount);
    }
  }

  /** A new builder with the defaults: 30 s window in 6 slices, 60 s trackable, 20 samples minimum, system ticker. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Counts one call that took {@code latencyNanos}. Lock-free and allocation-free; see the class description for
   * the rare cases in which a sample racing a slice rotation is lost.
   */
  public void record(long latencyNanos) {
    long epoch = epochAt(ticker.nanos());
    // floorMod rather than %: a ticker that broke its contract and went back must not index out of bounds.
    Slice slice = slices[Math.floorMod(epoch, slices.length)];
    if (slice.enter(epoch)) {
      slice.counts.incrementAndGet(bucketOf(latencyNanos));
    }
  }

  /**
   * The {@code percentile} (0 to 100, e.g. {@code 95.0}) of the latencies in the window, in nanoseconds: the
   * upper bound of the bucket holding the nearest-rank percentile, or {@code -1} when the window holds fewer than
   * {@code minSamples} samples. Scans all live buckets; see {@link #percentileNanosCached} for per-request use.
   */
  public long percentileNanos(double percentile) {
    checkPercentile(percentile);
    return compute(percentile, ticker.nanos());
  }

  /**
   * Like {@link #percentileNanos}, but returns a value computed at most {@code maxAgeNanos} ago if there is one
   * for the same percentile, so calling it on every request costs a ticker read and a field read.
   *
   * <p>The tracker keeps one cached entry: asking for several percentiles in turn recomputes each time. When the
   * entry expires, one caller recomputes while the others keep getting the previous value, so a burst of requests
   * never triggers a burst of scans. A {@code -1} (too few samples) is cached like any value, so a cold tracker
   * starts answering at most {@code maxAgeNanos} after it has enough samples. A {@code maxAgeNanos} of zero
   * always recomputes.
   */
  public long percentileNanosCached(double percentile, long maxAgeNanos) {
    checkPercentile(percentile);
    Checks.checkAtLeast("maxAgeNanos", maxAgeNanos, 0);
    long now = ticker.nanos();
    Cached cached = cache.get();
    if (Double.compare(cached.percentile(), percentile) == 0) {
      if (now - cached.computedAtNanos() < maxAgeNanos) {
        return cached.valueNanos();
      }
      // Claim the refresh by restamping the old value: whoever loses the CAS serves that value meanwhile.
      if (!cache.compareAndSet(cached, new Cached(percentile, cached.valueNanos(), now))) {
        return cached.valueNanos();
      }
    }
    long value = compute(percentile, now);
    cache.set(new Cached(percentile, value, now));
    return value;
  }

  /** How many samples the window holds now. Scans all live buckets. */
  public long count() {
    long epoch = epochAt(ticker.nanos());
    return total(liveSlices(epoch));
  }

  /** The length of the sliding window. */
  public Duration window() {
    return window;
  }

  /** How many slices the window is divided into. */
  public int slices() {
    return slices.length;
  }

  /** The largest latency told apart from larger ones; anything above is counted as this. */
  public Duration maxTrackable() {
    return maxTrackable;
  }

  /** Below this many samples in the window, percentiles are {@code -1}. */
  public int minSamples() {
    return minSamples;
  }

  @Override
  public String toString() {
    return "LatencyTracker[window=" + window + ", slices=" + slices.length + ", maxTrackable=" + maxTrackable
        + ", minSamples=" + minSamples + "]";
  }

  private long compute(double percentile, long now) {
    long live = liveSlices(epochAt(now));
    long total = total(live);
    if (total < minSamples) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * (double) total));
    long seen = 0;
    int highest = -1;
    for (int bucket = 0; bucket < bucketCount; bucket++) {
      long inBucket = 0;
      for (long rest = live; rest != 0; rest &= rest - 1) {
        inBucket += slices[Long.numberOfTrailingZeros(rest)].counts.get(bucket);
      }
      if (inBucket > 0) {
        seen += inBucket;
        highest = bucket;
        if (seen >= rank) {
          return upperBoundNanos(bucket);
        }
      }
    }
    // A slice was cleared between counting and walking, so the rank was not reached: answer from what remains.
    return highest < 0 ? -1 : upperBoundNanos(highest);
  }

  /** A bit per slice whose samples are in the window at {@code epoch} and which is not being cleared. */
  private long liveSlices(long epoch) {
    long live = 0;
    for (int i = 0; i < slices.length; i++) {
      long state = slices[i].state.get();
      // Epochs a ticker reading newer than ours produced count as live too: they are the freshest samples.
      if (!Slice.isClearing(state) && Slice.epochOf(state) > epoch - slices.length) {
        live |= 1L << i;
      }
    }
    return live;
  }

  private long total(long live) {
    long total = 0;
    for (long rest = live; rest != 0; rest &= rest - 1) {
      AtomicLongArray counts = slices[Long.numberOfTrailingZeros(rest)].counts;
      for (int bucket = 0; bucket < bucketCount; bucket++) {
        total += counts.get(bucket);
      }
    }
    return total;
  }

  private long epochAt(long now) {
    // The difference, not the raw reading, so a nanoTime that wraps around still gives increasing epochs.
    return (now - originNanos) / sliceNanos;
  }

  private int bucketOf(long latencyNanos) {
    long clamped = Math.max(0, Math.min(latencyNanos, maxTrackableNanos));
    return LatencyBuckets.indexOf(LatencyBuckets.unitsOf(clamped));
  }

  private long upperBoundNanos(int bucket) {
    // The top bucket may reach past maxTrackable; nothing above maxTrackable was told apart, so cap the answer.
    return Math.min(LatencyBuckets.upperUnits(bucket) * LatencyBuckets.UNIT_NANOS, maxTrackableNanos);
  }

  private static void checkPercentile(double percentile) {
    Checks.checkRange("percentile", percentile, 0.0, 100.0);
  }

  /** One percentile result and the ticker reading it was computed at. */
  private record Cached(double percentile, long valueNanos, long computedAtNanos) {}

  /**
   * One time slice: its bucket counters and a state word holding the epoch the counters belong to, shifted left
   * by one, with the low bit set while the counters are being cleared for that epoch.
   */
  private static final class Slice {
    final AtomicLong state = new AtomicLong(NEVER << 1);
    final AtomicLongArray counts;

    Slice(int bucketCount) {
      this.counts = new AtomicLongArray(bucketCount);
    }

    static long epochOf(long state) {
      return state >> 1;
    }

    static boolean isClearing(long state) {
      return (state & 1) != 0;
    }

    /**
     * Makes this slice hold {@code epoch}, clearing it first if it holds an older one. Returns {@code false} when
     * it already holds a newer epoch: the caller's ticker reading is a whole ring behind, so its sample has
     * expired anyway.
     */
    boolean enter(long epoch) {
      while (true) {
        long state = this.state.get();
        long held = epochOf(state);
        if (held == epoch) {
          // Also while another thread is still clearing for this epoch: the sample survives unless the clear
          // has yet to reach its bucket (the documented loss), which beats always dropping it.
          return true;
        }
        if (held > epoch) {
          return false;
        }
        long clearing = (epoch << 1) | 1;
        if (this.state.compareAndSet(state, clearing)) {
          for (int bucket = 0; bucket < counts.length(); bucket++) {
            // Release, not volatile, stores: only atomicity is needed here; the state CAS below publishes them.
            counts.setRelease(bucket, 0);
          }
          // Fails only if a thread a whole ring ahead took the slice meanwhile; its own clear then wins.
          this.state.compareAndSet(clearing, epoch << 1);
          return true;
        }
        // Lost the race: another thread moved the state, so look again.
      }
    }
  }

  /** Builds a {@link LatencyTracker}. Each option may be set once. Not thread-safe. */
  public static final class Builder {
    private Duration window = DEFAULT_WINDOW;
    private boolean windowSet;
    private int slices = DEFAULT_SLICES;
    private boolean slicesSet;
    private Duration maxTrackable = DEFAULT_MAX_TRACKABLE;
    private boolean maxTrackableSet;
    private int minSamples = DEFAULT_MIN_SAMPLES;
    private boolean minSamplesSet;
    private @Nullable Ticker ticker;

    private Builder() {}

    /** How far back samples count: 100 ms to 1 h; default 30 s. */
    public Builder window(Duration newWindow) {
      Checks.checkNotSet("window", windowSet);
      this.window = Checks.checkRange("window", newWindow, MIN_WINDOW, MAX_WINDOW);
      this.windowSet = true;
      return this;
    }

    /** How many slices the window is divided into, 1 to {@value #MAX_SLICES}; default 6. */
    public Builder slices(int newSlices) {
      Checks.checkNotSet("slices", slicesSet);
      this.slices = Checks.checkRange("slices", newSlices, 1, MAX_SLICES);
      this.slicesSet = true;
      return this;
    }

    /** The largest latency told apart, 1 ms to 1 h; larger ones are counted as this. Default 60 s. */
    public Builder maxTrackable(Duration newMaxTrackable) {
      Checks.checkNotSet("maxTrackable", maxTrackableSet);
      this.maxTrackable = Checks.checkRange("maxTrackable", newMaxTrackable, MIN_TRACKABLE, MAX_TRACKABLE);
      this.maxTrackableSet = true;
      return this;
    }

    /** Fewest samples in the window for a percentile other than {@code -1}, at least 1; default 20. */
    public Builder minSamples(int newMinSamples) {
      Checks.checkNotSet("minSamples", minSamplesSet);
      this.minSamples = Checks.checkRange("minSamples", newMinSamples, 1, Integer.MAX_VALUE);
      this.minSamplesSet = true;
      return this;
    }

    /** The time source for slice rotation and cache ages; default {@link Ticker#system()}. */
    public Builder ticker(Ticker newTicker) {
      Checks.checkNotSet("ticker", ticker != null);
      this.ticker = newTicker;
      return this;
    }

    public LatencyTracker build() {
      return new LatencyTracker(this);
    }
  }
}
