package dev.blastwall.config;

import dev.blastwall.context.Idempotency;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.time.Environment;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The pipeline of one upstream: its timeouts, default idempotency and policies. A null policy is not used; a null
 * timeout or idempotency keeps the pipeline's default.
 *
 * @param timeout the whole call, retries included
 * @param attemptTimeout each attempt
 * @param idempotent whether calls that do not say otherwise may be retried and hedged
 */
public record PipelineConfig(
    @Nullable Duration timeout,
    @Nullable Duration attemptTimeout,
    @Nullable Boolean idempotent,
    @Nullable RetryConfig retry,
    @Nullable RetryBudgetConfig retryBudget,
    @Nullable HedgeConfig hedge,
    @Nullable BreakerConfig breaker,
    @Nullable BulkheadConfig bulkhead,
    @Nullable RateLimitConfig rateLimit) {

  /** No setting: the pipeline's defaults. */
  public static final PipelineConfig EMPTY = new PipelineConfig(null, null, null, null, null, null, null, null, null);

  /**
   * A builder for the pipeline of {@code upstream} set up as described, for more (a listener, a fallback) before
   * {@code build()}, on {@code environment}: its breaker, budgets, limiter and hedge policy read the environment's
   * ticker. Its breaker, bulkhead, limiter and budgets are new, so pipelines built from one configuration share
   * nothing.
   */
  public Pipeline.Builder toBuilder(String upstream, Environment environment) {
    Ticker ticker = environment.ticker();
    Pipeline.Builder pipeline = Pipeline.builder(upstream).environment(environment);
    if (timeout != null) {
      pipeline.timeout(timeout);
    }
    if (attemptTimeout != null) {
      pipeline.attemptTimeout(attemptTimeout);
    }
    if (idempotent != null) {
      pipeline.idempotency(idempotent ? Idempotency.IDEMPOTENT : Idempotency.NON_IDEMPOTENT);
    }
    if (retry != null) {
      pipeline.retry(retry.toPolicy());
    }
    if (retryBudget != null) {
      pipeline.retryBudget(retryBudget.toBudget(ticker));
    }
    if (hedge != null) {
      pipeline.hedge(hedge.toPolicy(ticker));
    }
    if (breaker != null) {
      pipeline.circuitBreaker(breaker.toBreaker(upstream, ticker));
    }
    if (bulkhead != null) {
      pipeline.bulkhead(bulkhead.toBulkhead(upstream));
    }
    if (rateLimit != null) {
      pipeline.rateLimiter(rateLimit.toLimiter(ticker), rateLimit.maxWait());
    }
    return pipeline;
  }
}
