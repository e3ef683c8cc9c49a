package dev.blastwall.ratelimit;

import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A leaky bucket used as a meter: admits calls evenly spaced, one permit every {@code period / permits}, with no
 * bursts. A call that finds the bucket busy is given a slot in the queue (a wait) if the wait is within both the
 * caller's {@code maxWaitNanos} and this limiter's {@linkplain Builder#maxQueueDelay maximum queue delay};
 * beyond either it is refused. A call for {@code n} permits takes {@code n} consecutive slots and goes at the
 * last one, so it is paced exactly like {@code n} single calls.
 *
 * <p>Smooths traffic toward an upstream that cannot take bursts. Where bursts are fine, a
 * {@link TokenBucketRateLimiter} gives lower latency for the same rate.
 *
 * <p>{@link #limit()} and {@link #window()} are the configured {@code permits} and {@code period};
 * {@link #availablePermits()} is 1 when a call would go at once, 0 when it would queue.
 *
 * <p>The slot interval is rounded up to a whole nanosecond, so the rate is never above the configured one.
 * Thread-safe and lock-free: one compare-and-set per decision, nothing allocated.
 */
public final class LeakyBucketRateLimiter implements RateLimiter {

  private final Ticker ticker;
  private final int permits;
  private final Duration period;
  private final long maxQueueDelayNanos;
  private final VirtualSchedule schedule;

  private LeakyBucketRateLimiter(Builder builder) {
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.permits = builder.permits;
    this.period = builder.period;
    this.maxQueueDelayNanos = builder.maxQueueDelay != null
        ? builder.maxQueueDelay.toNanos() : RateLimitSupport.MAX_NANOS;
    // A leaky bucket is a token bucket that holds a single permit: no bursts, only pacing.
    this.schedule = new VirtualSchedule(ticker.nanos(), builder.intervalNanos, 1);
  }

  /**
   * A builder for a bucket that lets {@code permits} through per {@code period}, evenly spaced.
   *
   * @throws IllegalArgumentException if {@code permits < 1}, the period is not positive or longer than about
   *     73 years, or the rate is above one permit per nanosecond
   */
  public static Builder builder(int permits, Duration period) {
    return new Builder(permits, period);
  }

  @Override
  public long tryAcquire(int requested, long maxWaitNanos) {
    RateLimitSupport.checkPermits(requested, permits);
    long maxWait = Math.min(RateLimitSupport.checkMaxWait(maxWaitNanos), maxQueueDelayNanos);
    return schedule.acquire(ticker.nanos(), requested, maxWait);
  }

  @Override
  public long nanosUntilNextPermit() {
    return schedule.nanosUntilNextPermit(ticker.nanos());
  }

  @Override
  public long availablePermits() {
    return schedule.availablePermits(ticker.nanos());
  }

  /** The permits let through per {@link #window()}. */
  @Override
  public long limit() {
    return permits;
  }

  /** The configured period. */
  @Override
  public Duration window() {
    return period;
  }

  @Override
  public RateLimitedException rejection(String upstream, String key, int attempts, long remainingNanos,
      long refusal) {
    return RateLimitSupport.rejection("leaky bucket", this, upstream, key, attempts, remainingNanos, refusal);
  }

  @Override
  public String toString() {
    return "LeakyBucketRateLimiter[" + permits + " per " + period + ", maxQueueDelay="
        + (maxQueueDelayNanos == RateLimitSupport.MAX_NANOS ? "none" : Duration.ofNanos(maxQueueDelayNanos))
        + "]";
  }

  /** Builds a {@link LeakyBucketRateLimiter}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final int permits;
    private final Duration period;
    private final long intervalNanos;
    private @Nullable Ticker ticker;
    private @Nullable Duration maxQueueDelay;

    private Builder(int permits, Duration period) {
      this.permits = Checks.checkRange("permits", permits, 1, Integer.MAX_VALUE);
      this.period = Checks.checkRange("period", period, Duration.ofNanos(1), RateLimitSupport.MAX_DURATION);
      long periodNanos = period.toNanos();
      if (permits > periodNanos) {
        throw Checks.invalidArgument("permits", permits,
            "<= " + periodNanos + " for a period of " + period + ": at most one permit per nanosecond");
      }
      this.intervalNanos = (periodNanos + permits - 1) / permits;
    }

    /** The time source; default {@link Ticker#system()}. */
    public Builder ticker(Ticker newTicker) {
      Checks.checkNotSet("ticker", ticker != null);
      this.ticker = newTicker;
      return this;
    }

    /**
     * The longest any call may be queued, whatever wait the caller would accept; default none (only the
     * caller's {@code maxWaitNanos} bounds the wait). {@link Duration#ZERO} makes a pure meter that never
     * queues. Bounding the queue bounds the latency the limiter adds and the backlog it builds up.
     */
    public Builder maxQueueDelay(Duration delay) {
      Checks.checkNotSet("maxQueueDelay", maxQueueDelay != null);
      this.maxQueueDelay = Checks.checkRange("maxQueueDelay", delay, Duration.ZERO, RateLimitSupport.MAX_DURATION);
      return this;
    }

    /** A new, idle bucket. */
    public LeakyBucketRateLimiter build() {
      return new LeakyBucketRateLimiter(this);
    }
  }
}
