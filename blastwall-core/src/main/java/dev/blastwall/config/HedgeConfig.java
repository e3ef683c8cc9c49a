package dev.blastwall.config;

import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Hedging: after a fixed {@code delay}, or after the learned {@code percentile} of recent latencies (never sooner
 * than {@code minDelay}), send up to {@code maxExtra} more attempts.
 *
 * @param delay the fixed delay, or null to learn it
 * @param percentile the learned percentile as a fraction, 0.5..0.9999 ({@code 0.95} is p95); unused with a delay
 */
public record HedgeConfig(@Nullable Duration delay, double percentile, Duration minDelay, int maxExtra) {

  /** Hedge once after the learned p95. */
  public static final HedgeConfig DEFAULT = new HedgeConfig(
      null, Fractions.fromPercent(HedgePolicy.DEFAULT_PERCENTILE), Duration.ZERO, HedgePolicy.DEFAULT_MAX_EXTRA_ATTEMPTS);

  /** The policy this describes, learning latencies on {@code ticker}'s time. */
  public HedgePolicy toPolicy(Ticker ticker) {
    HedgePolicy.Builder hedge = HedgePolicy.builder();
    if (delay != null) {
      hedge.fixedDelay(delay);
    } else {
      hedge.ticker(ticker).percentile(Fractions.toPercent(percentile)).minDelay(minDelay);
    }
    return hedge.maxExtraAttempts(maxExtra).build();
  }
}
