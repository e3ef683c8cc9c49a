package dev.blastwall.config;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A circuit breaker: it opens when the failure rate over a window of outcomes reaches {@code failureRate}, once the
 * window holds {@code minimumCalls}, stays open for {@code open}, then lets {@code halfOpenProbes} probes through.
 *
 * @param failureRate a fraction, above 0 and at most 1 ({@code 0.5}: half the calls failed)
 * @param windowCalls the last N calls, when {@code windowTime} is null
 * @param windowTime the calls of the last stretch of time (kept in {@value #WINDOW_BUCKETS} buckets), or null
 */
public record BreakerConfig(double failureRate, int minimumCalls, int windowCalls, @Nullable Duration windowTime,
    Duration open, int halfOpenProbes) {

  /** A time window is kept in this many buckets, so outcomes expire a tenth at a time. */
  public static final int WINDOW_BUCKETS = 10;

  /** The breaker's own defaults: 50% over at least 10 of the last 100 calls, open 10 s, 3 probes. */
  public static final BreakerConfig DEFAULT = new BreakerConfig(
      Fractions.fromPercent(CircuitBreaker.DEFAULT_FAILURE_RATE_THRESHOLD), CircuitBreaker.DEFAULT_MINIMUM_CALLS,
      CircuitBreaker.DEFAULT_WINDOW_CALLS, null, CircuitBreaker.DEFAULT_OPEN_DURATION,
      CircuitBreaker.DEFAULT_HALF_OPEN_PROBES);

  /** The breaker this describes, named {@code name}, on {@code ticker}'s time. */
  public CircuitBreaker toBreaker(String name, Ticker ticker) {
    CircuitBreaker.Builder breaker = CircuitBreaker.builder(name).ticker(ticker)
        .failureRateThreshold(Fractions.toPercent(failureRate));
    if (windowTime != null) {
      breaker.timeWindow(windowTime, WINDOW_BUCKETS);
    } else {
      breaker.countWindow(windowCalls);
    }
    return breaker.minimumCalls(minimumCalls).openDuration(open).halfOpenProbes(halfOpenProbes).build();
  }
}
