package dev.blastwall.hedge;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * When to send a duplicate of a slow call to race the original (the Tail at Scale's "hedged request"): after a
 * fixed delay, or after the upstream's recent p95 (any percentile) latency, so only the slowest few percent of
 * calls are hedged. Only idempotent operations (or ones carrying an idempotency key) are hedged; the extra load is
 * capped by the pipeline's hedge budget (default 5% of requests plus 1 hedge a second); the first accepted answer
 * wins and the other attempts are cancelled; an attempt that fails with a retryable failure sends the next hedge at once.
 *
 * <p>A dynamic policy owns a {@link LatencyTracker} fed with the latency of every attempt that completes, so one
 * policy belongs to one upstream. Immutable configuration, thread-safe; built by a {@link Builder}, which is not.
 */
public final class HedgePolicy {

  /** One hedge: the Tail at Scale's experiments show most of the gain comes from the first. */
  public static final int DEFAULT_MAX_EXTRA_ATTEMPTS = 1;

  /** More concurrent copies than this only multiply load. */
  public static final int MAX_EXTRA_ATTEMPTS_LIMIT = 4;

  /** The 95th percentile: hedging after it bounds the hedged share of calls near 5%. */
  public static final double DEFAULT_PERCENTILE = 95.0;

  /** How long a computed percentile is reused before recomputing (a recompute scans the buckets). */
  private static final long PERCENTILE_CACHE_NANOS = 100_000_000L;

  private final long fixedDelayNanos;
  private final @Nullable LatencyTracker tracker;
  private final double percentile;
  private final long minDelayNanos;
  private final int maxExtraAttempts;

  private HedgePolicy(Builder builder) {
    this.fixedDelayNanos = builder.fixedDelay == null ? -1 : Checks.saturatedNanos(builder.fixedDelay);
    this.percentile = builder.percentile;
    this.minDelayNanos = Checks.saturatedNanos(builder.minDelay);
    this.maxExtraAttempts = builder.maxExtraAttempts;
    this.tracker = builder.fixedDelay != null ? null : LatencyTracker.builder()
        .window(builder.window)
        .ticker(builder.ticker != null ? builder.ticker : Ticker.system())
        .build();
  }

  /** Hedges after a fixed {@code delay}. */
  public static HedgePolicy afterDelay(Duration delay) {
    return builder().fixedDelay(delay).build();
  }

  /** Hedges after the upstream's recent p95 latency, falling back to {@code whileLearning} until enough samples. */
  public static HedgePolicy afterP95(Duration whileLearning) {
    return builder().minDelay(whileLearning).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How long to wait, from the previous attempt's start, before sending the next hedge. */
  public long hedgeDelayNanos() {
    if (tracker == null) {
      return fixedDelayNanos;
    }
    long learned = tracker.percentileNanosCached(percentile, PERCENTILE_CACHE_NANOS);
    return learned < 0 ? minDelayNanos : Math.max(learned, minDelayNanos);
  }

  /** Feeds an attempt's latency to the dynamic delay; no-op for a fixed delay. */
  public void recordLatency(long latencyNanos) {
    if (tracker != null) {
      tracker.record(latencyNanos);
    }
  }

  /** Extra attempts beyond the first. */
  public int maxExtraAttempts() {
    return maxExtraAttempts;
  }

  /** The tracker behind a dynamic delay, or {@code null} for a fixed one. */
  public @Nullable LatencyTracker tracker() {
    return tracker;
  }

  @Override
  public String toString() {
    return "HedgePolicy[" + (tracker == null ? "after " + Duration.ofNanos(fixedDelayNanos)
        : "after p" + percentile + " (at least " + Duration.ofNanos(minDelayNanos) + ")")
        + ", maxExtraAttempts=" + maxExtraAttempts + "]";
  }

  /** Builds a {@link HedgePolicy}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private @Nullable Duration fixedDelay;
    private double percentile = DEFAULT_PERCENTILE;
    private boolean percentileSet;
    private Duration minDelay = Duration.ZERO;
    private boolean minDelaySet;
    private Duration window = LatencyTracker.DEFAULT_WINDOW;
    private boolean windowSet;
    private int maxExtraAttempts = DEFAULT_MAX_EXTRA_ATTEMPTS;
    private boolean maxExtraAttemptsSet;
    private @Nullable Ticker ticker;

    private Builder() {}

    /** Hedge after this fixed delay instead of a learned percentile. */
    public Builder fixedDelay(Duration delay) {
      Checks.checkNotSet("fixedDelay", fixedDelay != null);
      this.fixedDelay = Checks.checkNotNegative("fixedDelay", delay);
      return this;
    }

    /** The latency percentile after which to hedge; default 95. Must be in [50, 99.99]. */
    public Builder percentile(double value) {
      Checks.checkNotSet("percentile", percentileSet);
      this.percentile = Checks.checkRange("percentile", value, 50.0, 99.99);
      this.percentileSet = true;
      return this;
    }

    /** The smallest dynamic delay, also used while too few samples are known; default 0. */
    public Builder minDelay(Duration delay) {
      Checks.checkNotSet("minDelay", minDelaySet);
      this.minDelay = Checks.checkNotNegative("minDelay", delay);
      this.minDelaySet = true;
      return this;
    }

    /** The sliding window the percentile is computed over; default 30 s. */
    public Builder window(Duration value) {
      Checks.checkNotSet("window", windowSet);
      this.window = value;
      this.windowSet = true;
      return this;
    }

    /** Extra attempts beyond the first, 1 to {@value #MAX_EXTRA_ATTEMPTS_LIMIT}; default 1. */
    public Builder maxExtraAttempts(int attempts) {
      Checks.checkNotSet("maxExtraAttempts", maxExtraAttemptsSet);
      this.maxExtraAttempts = Checks.checkRange("maxExtraAttempts", attempts, 1, MAX_EXTRA_ATTEMPTS_LIMIT);
      this.maxExtraAttemptsSet = true;
      return this;
    }

    /** The time source of the latency window; default {@link Ticker#system()}. */
    public Builder ticker(Ticker newTicker) {
      Checks.checkNotSet("ticker", ticker != null);
      this.ticker = newTicker;
      return this;
    }

    public HedgePolicy build() {
      if (fixedDelay != null && (percentileSet || minDelaySet || windowSet)) {
        throw new IllegalStateException("fixedDelay: " + fixedDelay
            + " (expected: either a fixed delay or a percentile with minDelay/window, not both)");
      }
      return new HedgePolicy(this);
    }
  }
}
