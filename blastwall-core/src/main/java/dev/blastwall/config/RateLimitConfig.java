package dev.blastwall.config;

import dev.blastwall.ratelimit.TokenBucketRateLimiter;
import dev.blastwall.time.Ticker;
import java.time.Duration;

/**
 * A rate limit: {@code perSecond} attempts a second as a token bucket of {@code burst}, an attempt waiting at most
 * {@code maxWait} for a permit. Rates are per second everywhere in the configuration.
 */
public record RateLimitConfig(int perSecond, int burst, Duration maxWait) {

  /** The limiter this describes, on {@code ticker}'s time. */
  public TokenBucketRateLimiter toLimiter(Ticker ticker) {
    return TokenBucketRateLimiter.builder(burst, perSecond, Duration.ofSeconds(1)).ticker(ticker).build();
  }
}
