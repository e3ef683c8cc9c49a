package dev.blastwall.retry;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.RandomSource;
import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait before a retry.
 *
 * <p>Implementations are immutable and thread-safe; all randomness comes from the {@link RandomSource} passed in,
 * so tests can pin it down. The built-in strategies allocate nothing per call.
 *
 * <p>The default is {@link #exponentialFullJitter()}: jitter spreads the retries of many clients that failed
 * together, so they do not come back together and knock the upstream over again.
 */
@FunctionalInterface
public interface Backoff {

  /** The first retry's ceiling in {@link #exponentialFullJitter()}. */
  Duration DEFAULT_BASE = Duration.ofMillis(100);

  /** The largest delay {@link #exponentialFullJitter()} ever returns. */
  Duration DEFAULT_CAP = Duration.ofSeconds(10);

  /**
   * The delay before retry number {@code retry}.
   *
   * <p>The built-in strategies reject a negative {@code retry} with an {@link IllegalArgumentException}.
   *
   * @param retry 0 for the first retry (the second attempt), 1 for the next, and so on
   * @param previousDelayNanos the delay this backoff returned for the previous retry, or 0 before the first
   * @param random the source of jitter
   * @return a delay in nanoseconds, never negative
   */
  long delayNanos(int retry, long previousDelayNanos, RandomSource random);

  /**
   * This backoff's cap in nanoseconds: the longest wait between attempts it was built to allow, the {@code cap}
   * of the exponential strategies. {@link Long#MAX_VALUE} for a backoff without a cap of its own
   * ({@link #constant}, {@link #none}, and by default a custom one). A retry policy never honours a server's
   * retry-after hint past it (see {@link RetryPolicy#maxRetryAfterNanos()}).
   */
  default long capNanos() {
    return Long.MAX_VALUE;
  }

  /** {@link #exponentialFullJitter(Duration, Duration)} with {@link #DEFAULT_BASE} and {@link #DEFAULT_CAP}. */
  static Backoff exponentialFullJitter() {
    return exponentialFullJitter(DEFAULT_BASE, DEFAULT_CAP);
  }

  /**
   * "Full jitter": a uniform delay in {@code [0, min(cap, base * 2^retry)]}, both ends included. The recommended
   * strategy: it spreads competing clients the most for the least total waiting.
   *
   * @throws IllegalArgumentException if {@code base <= 0} or {@code cap < base}
   */
  static Backoff exponentialFullJitter(Duration base, Duration cap) {
    checkBaseAndCap(base, cap);
    return new FullJitterBackoff(Checks.saturatedNanos(base), Checks.saturatedNanos(cap));
  }

  /**
   * "Equal jitter": half of {@code t = min(cap, base * 2^retry)} plus a uniform share of the other half, so the
   * delay is within {@code [t/2, t]}. Use it when a retry must never come back almost at once.
   *
   * @throws IllegalArgumentException if {@code base <= 0} or {@code cap < base}
   */
  static Backoff exponentialEqualJitter(Duration base, Duration cap) {
    checkBaseAndCap(base, cap);
    return new EqualJitterBackoff(Checks.saturatedNanos(base), Checks.saturatedNanos(cap));
  }

  /**
   * "Decorrelated jitter": {@code min(cap, random(base, previous * 3))}, where {@code previous} is the previous
   * delay, or {@code base} before the first retry. Each delay grows from the last one drawn rather than from the
   * retry count, so the delay is always within {@code [base, cap]}.
   *
   * @throws IllegalArgumentException if {@code base <= 0} or {@code cap < base}
   */
  static Backoff decorrelatedJitter(Duration base, Duration cap) {
    checkBaseAndCap(base, cap);
    return new DecorrelatedJitterBackoff(Checks.saturatedNanos(base), Checks.saturatedNanos(cap));
  }

  /**
   * Exactly {@code min(cap, base * 2^retry)}, with no jitter. Only for tests and diagnostics: clients that failed
   * together retry together, in lockstep waves.
   *
   * @throws IllegalArgumentException if {@code base <= 0} or {@code cap < base}
   */
  static Backoff exponential(Duration base, Duration cap) {
    checkBaseAndCap(base, cap);
    return new ExponentialBackoff(Checks.saturatedNanos(base), Checks.saturatedNanos(cap));
  }

  /**
   * The same delay before every retry.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  static Backoff constant(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    Checks.checkNotNegative("delay", delay);
    return delay.isZero() ? ConstantBackoff.NONE : new ConstantBackoff(Checks.saturatedNanos(delay));
  }

  /** Retries at once, without waiting. */
  static Backoff none() {
    return ConstantBackoff.NONE;
  }

  private static void checkBaseAndCap(Duration base, Duration cap) {
    // Explicit null checks name the parameter for callers outside null-checked code.
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    Checks.checkPositive("base", base);
    if (cap.compareTo(base) < 0) {
      throw Checks.invalidArgument("cap", cap, ">= base " + base);
    }
  }
}
