package dev.blastwall.ratelimit;

import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A token bucket: holds up to {@code capacity} permits and refills {@code refillPermits} every
 * {@code refillPeriod}, continuously (one permit every {@code refillPeriod / refillPermits}), starting full.
 * Allows bursts of up to {@code capacity} and, over any interval of length {@code t}, at most
 * {@code capacity + rate * t} permits.
 *
 * <p>A caller that accepts a wait books future permits: with a rate of 10/s and an empty bucket, five callers
 * reserving one permit each are told to wait 100, 200, 300, 400 and 500 ms, and go one by one.
 *
 * <p>{@link #limit()} is the capacity; {@link #window()} is the time an empty bucket takes to refill completely.
 *
 * <p>The refill interval is {@code refillPeriod / refillPermits} rounded up to a whole nanosecond, so the rate
 * enforced is never above the configured one, and below it by less than one part in the interval's nanoseconds
 * (exact for rates like 10/s or 1000/min).
 *
 * <p>Thread-safe and lock-free: one compare-and-set per decision (see the GCRA note on {@code VirtualSchedule});
 * a decision allocates nothing.
 */
public final class TokenBucketRateLimiter implements RateLimiter {

  private final Ticker ticker;
  private final int capacity;
  private final int refillPermits;
  private final Duration refillPeriod;
  private final long intervalNanos;
  private final VirtualSchedule schedule;

  private TokenBucketRateLimiter(Builder builder) {
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.capacity = builder.capacity;
    this.refillPermits = builder.refillPermits;
    this.refillPeriod = builder.refillPeriod;
    this.intervalNanos = builder.intervalNanos;
    this.schedule = new VirtualSchedule(ticker.nanos(), intervalNanos, capacity);
  }

  /**
   * A builder for a bucket of {@code capacity} permits refilled at {@code refillPermits} per
   * {@code refillPeriod}.
   *
   * @throws IllegalArgumentException if {@code capacity < 1}, {@code refillPermits < 1}, the period is not
   *     positive, the rate is above one permit per nanosecond, or the bucket takes longer than about 73 years
   *     to refill
   */
  public static Builder builder(int capacity, int refillPermits, Duration refillPeriod) {
    return new Builder(capacity, refillPermits, refillPeriod);
  }

  @Override
  public long tryAcquire(int permits, long maxWaitNanos) {
    RateLimitSupport.checkPermits(permits, capacity);
    long maxWait = RateLimitSupport.checkMaxWait(maxWaitNanos);
    return schedule.acquire(ticker.nanos(), permits, maxWait);
  }

  /** Uses {@code nowNanos} when {@code clock} is this bucket's own ticker, saving a clock read. */
  @Override
  public long tryAcquire(int permits, long maxWaitNanos, Ticker clock, long nowNanos) {
    RateLimitSupport.checkPermits(permits, capacity);
    long maxWait = RateLimitSupport.checkMaxWait(maxWaitNanos);
    return schedule.acquire(clock == ticker ? nowNanos : ticker.nanos(), permits, maxWait);
  }

  @Override
  public long nanosUntilNextPermit() {
    return schedule.nanosUntilNextPermit(ticker.nanos());
  }

  @Override
  public long availablePermits() {
    return schedule.availablePermits(ticker.nanos());
  }

  /** The capacity: the largest burst. */
  @Override
  public long limit() {
    return capacity;
  }

  /** The time an empty bucket takes to refill to {@link #limit()}: {@code capacity} refill intervals. */
  @Override
  public Duration window() {
    return Duration.ofNanos(capacity * intervalNanos);
  }

  @Override
  public RateLimitedException rejection(String upstream, String key, int attempts, long remainingNanos,
      long refusal) {
    return RateLimitSupport.rejection("token bucket", this, upstream, key, attempts, remainingNanos, refusal);
  }

  @Override
  public String toString() {
    return "TokenBucketRateLimiter[capacity=" + capacity + ", refill=" + refillPermits + " per " + refillPeriod
        + "]";
  }

  /** Builds a {@link TokenBucketRateLimiter}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final int capacity;
    private final int refillPermits;
    private final Duration refillPeriod;
    private final long intervalNanos;
    private @Nullable Ticker ticker;

    private Builder(int capacity, int refillPermits, Duration refillPeriod) {
      this.capacity = Checks.checkRange("capacity", capacity, 1, Integer.MAX_VALUE);
      this.refillPermits = Checks.checkRange("refillPermits", refillPermits, 1, Integer.MAX_VALUE);
      this.refillPeriod = Checks.checkRange("refillPeriod", refillPeriod, Duration.ofNanos(1),
          RateLimitSupport.MAX_DURATION);
      long periodNanos = refillPeriod.toNanos();
      if (refillPermits > periodNanos) {
        throw Checks.invalidArgument("refillPermits", refillPermits,
            "<= " + periodNanos + " for a period of " + refillPeriod + ": at most one permit per nanosecond");
      }
      // Rounded up so the enforced rate never exceeds the configured one.
      this.intervalNanos = (periodNanos + refillPermits - 1) / refillPermits;
      if (capacity > RateLimitSupport.MAX_NANOS / intervalNanos) {
        throw Checks.invalidArgument("capacity", capacity,
            "a bucket that refills within " + RateLimitSupport.MAX_DURATION + " at " + refillPermits + " per "
                + refillPeriod);
      }
    }

    /** The time source; default {@link Ticker#system()}. */
    public Builder ticker(Ticker newTicker) {
      Checks.checkNotSet("ticker", ticker != null);
      this.ticker = newTicker;
      return this;
    }

    /** A new, full bucket. */
    public TokenBucketRateLimiter build() {
      return new TokenBucketRateLimiter(this);
    }
  }
}
