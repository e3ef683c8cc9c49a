package dev.blastwall.bench;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.context.Idempotency;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.ratelimit.TokenBucketRateLimiter;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The same "never rejects" configuration for each library: 3 attempts without backoff, a count-window breaker
 * with the defaults (it never sees a failure on the success path), a rate limiter of about a billion permits a
 * second, a bulkhead of 1000 permits without a queue, a 10 s timeout, a 10 s hedge delay.
 */
final class Policies {

  static final int ATTEMPTS = 3;
  static final int BULKHEAD_PERMITS = 1000;
  static final int RATE_PER_SECOND = 1_000_000_000;
  static final Duration LONG = Duration.ofSeconds(10);
  static final String NAME = "bench";

  private Policies() {}

  // --- Blastwall -----------------------------------------------------------------------------------------------

  /** A pipeline builder for idempotent calls, so failures may be retried and calls hedged. */
  static Pipeline.Builder pipeline() {
    return Pipeline.builder(NAME).idempotency(Idempotency.IDEMPOTENT);
  }

  static RetryPolicy retry() {
    return RetryPolicy.builder().maxAttempts(ATTEMPTS).backoff(Backoff.none()).build();
  }

  /** A ratio budget generous enough that 2 retries per request never run out (100 retries per request). */
  static RetryBudget budget() {
    return RetryBudget.ratio().percentCanRetry(100.0).build();
  }

  static CircuitBreaker breaker() {
    return CircuitBreaker.builder(NAME).build();
  }

  /** The default breaker, but counting calls over 60 s as slow (Resilience4j's default): it times every call. */
  static CircuitBreaker timingBreaker() {
    return CircuitBreaker.builder(NAME).slowCallDuration(Duration.ofSeconds(60)).build();
  }

  static TokenBucketRateLimiter limiter() {
    return TokenBucketRateLimiter.builder(Integer.MAX_VALUE, RATE_PER_SECOND, Duration.ofSeconds(1)).build();
  }

  static SemaphoreBulkhead bulkhead() {
    return SemaphoreBulkhead.builder(NAME).maxConcurrentCalls(BULKHEAD_PERMITS).build();
  }

  static HedgePolicy hedge() {
    return HedgePolicy.afterDelay(LONG);
  }

  /** Retry with budget, breaker, rate limiter, bulkhead: the full per-attempt chain. */
  static Pipeline.Builder chain() {
    return pipeline().retry(retry()).retryBudget(budget()).circuitBreaker(breaker())
        .rateLimiter(limiter(), Duration.ZERO).bulkhead(bulkhead());
  }

  // --- Resilience4j --------------------------------------------------------------------------------------------

  static io.github.resilience4j.retry.Retry r4jRetry() {
    return io.github.resilience4j.retry.Retry.of(NAME,
        RetryConfig.custom().maxAttempts(ATTEMPTS).waitDuration(Duration.ZERO).build());
  }

  static io.github.resilience4j.circuitbreaker.CircuitBreaker r4jBreaker() {
    return io.github.resilience4j.circuitbreaker.CircuitBreaker.of(NAME, CircuitBreakerConfig.ofDefaults());
  }

  static io.github.resilience4j.ratelimiter.RateLimiter r4jLimiter() {
    return io.github.resilience4j.ratelimiter.RateLimiter.of(NAME, RateLimiterConfig.custom()
        .limitForPeriod(RATE_PER_SECOND).limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO)
        .build());
  }

  static io.github.resilience4j.bulkhead.Bulkhead r4jBulkhead() {
    return io.github.resilience4j.bulkhead.Bulkhead.of(NAME, BulkheadConfig.custom()
        .maxConcurrentCalls(BULKHEAD_PERMITS).maxWaitDuration(Duration.ZERO).build());
  }

  static io.github.resilience4j.timelimiter.TimeLimiter r4jTimeLimiter() {
    return io.github.resilience4j.timelimiter.TimeLimiter.of(NAME,
        TimeLimiterConfig.custom().timeoutDuration(LONG).build());
  }

  /**
   * The scheduler Resilience4j's async retry and time limiter need: one timer thread that drops cancelled
   * timeouts at once, like Blastwall's own scheduler (otherwise every finished call leaves a 10 s timer queued).
   */
  static ScheduledExecutorService r4jScheduler() {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "r4j-bench-timer");
      thread.setDaemon(true);
      return thread;
    });
    scheduler.setRemoveOnCancelPolicy(true);
    return scheduler;
  }

  // --- Failsafe ------------------------------------------------------------------------------------------------

  /** No delay between attempts: Failsafe's default (its builder refuses an explicit zero). */
  static dev.failsafe.RetryPolicy<Object> fsRetry() {
    return dev.failsafe.RetryPolicy.builder().withMaxAttempts(ATTEMPTS).build();
  }

  static dev.failsafe.CircuitBreaker<Object> fsBreaker() {
    return dev.failsafe.CircuitBreaker.ofDefaults();
  }

  static dev.failsafe.RateLimiter<Object> fsLimiter() {
    return dev.failsafe.RateLimiter.burstyBuilder(RATE_PER_SECOND, Duration.ofSeconds(1)).build();
  }

  static dev.failsafe.Bulkhead<Object> fsBulkhead() {
    return dev.failsafe.Bulkhead.of(BULKHEAD_PERMITS);
  }

  /** Interrupts a blocking execution on timeout, as Blastwall's attempt timeout does. */
  static dev.failsafe.Timeout<Object> fsTimeout() {
    return dev.failsafe.Timeout.builder(LONG).withInterrupt().build();
  }
}
