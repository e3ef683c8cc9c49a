package dev.blastwall.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The state shared by the token and leaky buckets: a "virtual scheduling" (GCRA) bucket held in one
 * {@link AtomicLong}, so every decision is a single compare-and-set and nothing is allocated.
 *
 * <p>Instead of counting tokens and refilling them on a timer, it keeps one ticker reading, {@code full}: the
 * moment at which the bucket would be full again if nobody took anything more. {@code debt = max(0, full - now)}
 * is how much refill time is owed; a permit costs {@code interval} of it and the bucket tolerates
 * {@code burst = capacity * interval} of debt. A request for {@code n} permits needs
 * {@code wait = max(0, debt + n * interval - burst)}: granting it moves {@code full} on by {@code n * interval},
 * so a caller that is told to wait has booked future refill, and the next caller is told to wait longer. That is
 * what paces concurrent waiters instead of releasing them together.
 *
 * <p>Thread-safe and lock-free.
 */
final class VirtualSchedule {

  private final AtomicLong full;
  private final long intervalNanos;
  private final long burstNanos;

  /** A full bucket at {@code nowNanos}. The caller checks {@code capacity * intervalNanos <= MAX_NANOS}. */
  VirtualSchedule(long nowNanos, long intervalNanos, int capacity) {
    this.full = new AtomicLong(nowNanos);
    this.intervalNanos = intervalNanos;
    this.burstNanos = capacity * intervalNanos;
  }

  /** See {@link RateLimiter#tryAcquire(int, long)}; {@code maxWaitNanos} is already checked and clamped. */
  long acquire(long nowNanos, int permits, long maxWaitNanos) {
    long cost = permits * intervalNanos;
    for (;;) {
      long current = full.get();
      long debt = Math.max(0, current - nowNanos);
      // debt <= burst + MAX_NANOS and cost <= burst <= MAX_NANOS, so this sum cannot overflow.
      long wait = Math.max(0, debt + cost - burstNanos);
      if (wait > maxWaitNanos) {
        return RateLimiter.refusal(wait);
      }
      // A reading taken before another thread moved "full" on only makes the debt look larger (a longer wait
      // than strictly needed), never smaller, so a stale "now" cannot over-admit.
      if (full.compareAndSet(current, nowNanos + debt + cost)) {
        return wait;
      }
    }
  }

  /** Nanoseconds until one permit could be taken without waiting. */
  long nanosUntilNextPermit(long nowNanos) {
    return Math.max(0, debt(nowNanos) + intervalNanos - burstNanos);
  }

  /** How many permits one call could take now without waiting. */
  long availablePermits(long nowNanos) {
    return Math.max(0, (burstNanos - debt(nowNanos)) / intervalNanos);
  }

  private long debt(long nowNanos) {
    return Math.max(0, full.get() - nowNanos);
  }
}
