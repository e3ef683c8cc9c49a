package dev.blastwall.ratelimit;

import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;

/**
 * Decides whether a call may go ahead now, later, or not at all, and says when the next permit will be free.
 *
 * <h2>The answer of {@link #tryAcquire(int, long)}</h2>
 *
 * <p>A limiter never blocks, sleeps or parks: it decides at once and answers with one primitive {@code long}, so
 * the admitted path allocates nothing:
 *
 * <ul>
 *   <li>{@code answer >= 0}: <b>granted</b>. The permits are taken; the caller must wait {@code answer}
 *       nanoseconds before proceeding ({@code 0}: go now). The caller waits by itself (the pipeline uses its
 *       {@code Scheduler}); the wait is already booked, so callers who reserve one after another are paced, not
 *       released together.
 *   <li>{@code answer < 0}: <b>refused</b>. Nothing was taken. {@code -(answer + 1)} is the retry-after: the
 *       nanoseconds until the same request would be granted without waiting, if nobody else took permits
 *       meanwhile. Read it with {@link #retryAfterNanos(long)}; build one with {@link #refusal(long)}.
 * </ul>
 *
 * <p>The {@code - 1} keeps "refused, retry at once" ({@code -1}) apart from "granted, go now" ({@code 0}).
 *
 * <p>{@link #nanosUntilNextPermit()}, {@link #availablePermits()}, {@link #limit()} and {@link #window()} feed
 * {@code Retry-After} and {@code RateLimit} headers; they are snapshots, possibly stale by the time they are used.
 *
 * <p>Implementations must be thread-safe. The built-in ones are lock-free and read time only from the
 * {@code Ticker} they were built with.
 */
public interface RateLimiter {

  /**
   * Takes {@code permits} if they are free now or will be within {@code maxWaitNanos}.
   *
   * @param permits how many permits, {@code 1 <= permits <= limit()}
   * @param maxWaitNanos the longest the caller is willing to wait, {@code >= 0}; {@code 0} means "only if free
   *     now"; waits beyond about 73 years count as that
   * @return {@code >= 0}: granted, wait that many nanoseconds first; {@code < 0}: refused, with
   *     {@link #retryAfterNanos(long)} of it until the request could be granted without waiting
   * @throws IllegalArgumentException if {@code permits} or {@code maxWaitNanos} is out of range
   */
  long tryAcquire(int permits, long maxWaitNanos);

  /**
   * Like {@link #tryAcquire(int, long)}, at {@code nowNanos} as just read from {@code ticker}: a limiter that
   * keeps time on that same ticker may use the reading instead of reading its clock again. By default it ignores
   * both.
   */
  default long tryAcquire(int permits, long maxWaitNanos, Ticker ticker, long nowNanos) {
    return tryAcquire(permits, maxWaitNanos);
  }

  /** One permit, only if free now: {@code 0} when granted, a refusal otherwise. */
  default long tryAcquire() {
    return tryAcquire(1, 0);
  }

  /** {@code permits}, only if free now: {@code 0} when granted, a refusal otherwise. */
  default long tryAcquire(int permits) {
    return tryAcquire(permits, 0);
  }

  /** Nanoseconds until one permit could be granted without waiting; {@code 0} when one is free now. */
  long nanosUntilNextPermit();

  /**
   * How many permits one call could take right now without waiting (the {@code remaining} of a
   * {@code RateLimit} header); {@code 0} when callers have to wait or are queued.
   */
  long availablePermits();

  /** The configured number of permits per {@link #window()} (the {@code limit} of a {@code RateLimit} header). */
  long limit();

  /** The period the {@link #limit()} refers to; each implementation says exactly what it means. */
  Duration window();

  /**
   * A {@link RateLimitedException} for a refusal when the caller no longer has the answer at hand: the
   * retry-after is {@link #nanosUntilNextPermit()}, read now.
   *
   * @param key which limit, for the message: the partition key (user, tenant, API) or the limiter's name
   */
  default RateLimitedException rejection(String upstream, String key, int attempts, long remainingNanos) {
    return rejection(upstream, key, attempts, remainingNanos, refusal(nanosUntilNextPermit()));
  }

  /**
   * A {@link RateLimitedException} for {@code refusal}, an answer of {@link #tryAcquire(int, long)}, whose
   * retry-after it carries. The detail reads like {@code "token bucket 'tenant-42': 0 of 100 permits, next in
   * 12.5 ms"}.
   *
   * @throws IllegalArgumentException if {@code refusal} is a grant ({@code >= 0})
   */
  default RateLimitedException rejection(String upstream, String key, int attempts, long remainingNanos,
      long refusal) {
    return RateLimitSupport.rejection("rate limiter", this, upstream, key, attempts, remainingNanos, refusal);
  }

  /** Whether {@code answer} (from {@link #tryAcquire(int, long)}) is a grant. */
  static boolean isGranted(long answer) {
    return answer >= 0;
  }

  /**
   * The retry-after of a refusal, in nanoseconds: {@code -(answer + 1)}; {@code 0} for a grant (nothing to
   * retry).
   */
  static long retryAfterNanos(long answer) {
    return answer >= 0 ? 0 : -(answer + 1);
  }

  /**
   * The refusal that carries {@code retryAfterNanos}, for implementations of this interface.
   *
   * @throws IllegalArgumentException if {@code retryAfterNanos < 0}
   */
  static long refusal(long retryAfterNanos) {
    return -Checks.checkAtLeast("retryAfterNanos", retryAfterNanos, 0) - 1;
  }
}
