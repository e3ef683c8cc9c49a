package dev.blastwall.config;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.internal.Checks;
import dev.blastwall.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads one upstream's settings into a {@link PipelineConfig}. A section switches its policy on ({@code retry} with
 * a key other than {@code budget}, {@code hedge}, {@code breaker}, {@code bulkhead}, {@code rate-limit}); keys left
 * out keep the policy's defaults. Messages name other settings relative to the upstream: {@code retry.base}.
 */
final class PipelineReader {

  static final List<String> KEYS =
      List.of("timeout", "attempt-timeout", "idempotent", "retry", "hedge", "breaker", "bulkhead", "rate-limit");
  static final List<String> RETRY_KEYS = List.of("max-attempts", "backoff", "base", "cap", "budget");
  static final List<String> BUDGET_KEYS = List.of("ratio", "min-per-second", "window");
  static final List<String> HEDGE_KEYS = List.of("delay", "percentile", "min-delay", "max-extra");
  static final List<String> BREAKER_KEYS =
      List.of("failure-rate", "minimum-calls", "window", "open", "half-open-probes");
  static final List<String> BULKHEAD_KEYS = List.of("max-concurrent", "max-waiting", "max-wait");
  static final List<String> RATE_LIMIT_KEYS = List.of("per-second", "burst", "max-wait");

  private static final String SECTION = "a mapping of settings";

  private PipelineReader() {}

  static PipelineConfig read(ConfigNode node) {
    Section upstream = Section.of(node, "a mapping of the upstream's settings").checkKeys(KEYS);
    Duration timeout = upstream.has("timeout") ? upstream.duration("timeout", true) : null;
    Duration attemptTimeout = upstream.has("attempt-timeout") ? upstream.duration("attempt-timeout", true) : null;
    Boolean idempotent = upstream.has("idempotent") ? upstream.bool("idempotent") : null;
    Section hedgeSection = upstream.section("hedge", SECTION);
    Section retrySection = upstream.section("retry", SECTION);
    RetryConfig retry = null;
    RetryBudgetConfig budget = null;
    if (retrySection != null) {
      retrySection.checkKeys(RETRY_KEYS);
      retry = retry(retrySection, hedgeSection != null);
      Section budgetSection = retrySection.section("budget", SECTION);
      budget = budgetSection == null ? null : budget(budgetSection.checkKeys(BUDGET_KEYS));
    }
    HedgeConfig hedge = hedgeSection == null ? null : hedge(hedgeSection.checkKeys(HEDGE_KEYS));
    Section breakerSection = upstream.section("breaker", SECTION);
    BreakerConfig breaker = breakerSection == null ? null : breaker(breakerSection.checkKeys(BREAKER_KEYS));
    Section bulkheadSection = upstream.section("bulkhead", SECTION);
    BulkheadConfig bulkhead = bulkheadSection == null ? null : bulkhead(bulkheadSection.checkKeys(BULKHEAD_KEYS));
    Section limitSection = upstream.section("rate-limit", SECTION);
    RateLimitConfig rateLimit = limitSection == null ? null : rateLimit(limitSection.checkKeys(RATE_LIMIT_KEYS));
    return new PipelineConfig(timeout, attemptTimeout, idempotent, retry, budget, hedge, breaker, bulkhead, rateLimit);
  }

  private static @Nullable RetryConfig retry(Section retry, boolean hedging) {
    List<String> keys = retry.keys().stream().filter(key -> !key.equals("budget")).toList();
    if (keys.isEmpty()) {
      return null;
    }
    if (hedging) {
      throw retry.invalid(keys.get(0),
          "no retry setting when hedging: a hedge already repeats the call (set retry.* or hedge.*, not both)");
    }
    RetryConfig defaults = RetryConfig.DEFAULT;
    int maxAttempts = retry.has("max-attempts")
        ? retry.integer("max-attempts", 1, RetryPolicy.MAX_ATTEMPTS_LIMIT, "an integer 1.." + RetryPolicy.MAX_ATTEMPTS_LIMIT)
        : defaults.maxAttempts();
    RetryConfig.BackoffKind kind = retry.has("backoff")
        ? retry.choice("backoff", List.of(RetryConfig.BackoffKind.values()), RetryConfig.BackoffKind::text)
        : defaults.backoff();
    Duration base = defaults.base();
    Duration cap = defaults.cap();
    switch (kind) {
      case FULL_JITTER, EQUAL_JITTER, DECORRELATED -> {
        base = retry.has("base") ? retry.duration("base", true) : base;
        cap = retry.has("cap") ? retry.duration("cap", true) : cap;
        if (cap.compareTo(base) < 0) {
          throw retry.has("cap")
              ? retry.invalid("cap", ">= retry.base (" + Durations.text(base) + ")")
              : retry.invalid("base", "<= retry.cap (" + Durations.text(cap) + ", the default)");
        }
      }
      case CONSTANT -> {
        refuseWithBackoff(retry, "cap", kind);
        base = retry.has("base") ? retry.duration("base", true) : base;
      }
      case NONE -> {
        refuseWithBackoff(retry, "base", kind);
        refuseWithBackoff(retry, "cap", kind);
      }
    }
    return new RetryConfig(maxAttempts, kind, base, cap);
  }

  private static void refuseWithBackoff(Section retry, String key, RetryConfig.BackoffKind kind) {
    if (retry.has(key)) {
      throw retry.invalid(key, "no retry." + key + " with retry.backoff=" + kind.text());
    }
  }

  private static RetryBudgetConfig budget(Section budget) {
    RetryBudgetConfig defaults = RetryBudgetConfig.DEFAULT;
    double ratio = budget.has("ratio")
        ? budget.number("ratio", 0, 10, false, "a fraction 0..10 of the requests (0.1 is 10%)") : defaults.ratio();
    int minPerSecond = budget.has("min-per-second")
        ? budget.integer("min-per-second", 0, Integer.MAX_VALUE, "an integer >= 0") : defaults.minPerSecond();
    Duration window = budget.has("window")
        ? budget.duration("window", Duration.ofSeconds(1), Duration.ofSeconds(60), "a duration 1s..60s " + Durations.UNITS)
        : defaults.window();
    return new RetryBudgetConfig(ratio, minPerSecond, window);
  }

  private static HedgeConfig hedge(Section hedge) {
    HedgeConfig defaults = HedgeConfig.DEFAULT;
    Duration delay = null;
    double percentile = defaults.percentile();
    Duration minDelay = defaults.minDelay();
    if (hedge.has("delay")) {
      for (String learned : List.of("min-delay", "percentile")) {
        if (hedge.has(learned)) {
          throw hedge.invalid(learned, "not with hedge.delay (a fixed delay or a learned percentile, not both)");
        }
      }
      delay = hedge.duration("delay", false);
    } else {
      if (hedge.has("percentile")) {
        percentile = hedge.number("percentile", 0.5, 0.9999, false, "a fraction 0.5..0.9999 (0.95 is p95)");
      }
      if (hedge.has("min-delay")) {
        minDelay = hedge.duration("min-delay", false);
      }
    }
    int maxExtra = hedge.has("max-extra")
        ? hedge.integer("max-extra", 1, HedgePolicy.MAX_EXTRA_ATTEMPTS_LIMIT, "an integer 1.." + HedgePolicy.MAX_EXTRA_ATTEMPTS_LIMIT)
        : defaults.maxExtra();
    return new HedgeConfig(delay, percentile, minDelay, maxExtra);
  }

  private static BreakerConfig breaker(Section breaker) {
    BreakerConfig defaults = BreakerConfig.DEFAULT;
    double failureRate = breaker.has("failure-rate")
        ? breaker.number("failure-rate", 0, 1, true, "a fraction > 0 and <= 1 (0.5 is half the calls)")
        : defaults.failureRate();
    int windowCalls = defaults.windowCalls();
    Duration windowTime = null;
    if (breaker.has("window")) {
      String expected = "a number of calls 1.." + CircuitBreaker.MAX_WINDOW_CALLS + ", or a duration > 0 " + Durations.UNITS;
      if (breaker.isInteger("window")) {
        windowCalls = breaker.integer("window", 1, CircuitBreaker.MAX_WINDOW_CALLS, expected);
      } else {
        windowTime = Durations.parse(breaker.text("window", expected));
        if (windowTime == null || Checks.saturatedNanos(windowTime) < BreakerConfig.WINDOW_BUCKETS) {
          throw breaker.invalid("window", expected);
        }
      }
    }
    int minimumCalls = defaults.minimumCalls();
    if (breaker.has("minimum-calls")) {
      minimumCalls = breaker.integer("minimum-calls", 1, CircuitBreaker.MAX_WINDOW_CALLS,
          "an integer 1.." + CircuitBreaker.MAX_WINDOW_CALLS);
      if (windowTime == null && minimumCalls > windowCalls) {
        throw breaker.invalid("minimum-calls", "<= breaker.window (" + windowCalls + " calls)");
      }
    }
    Duration open = breaker.has("open") ? breaker.duration("open", true) : defaults.open();
    int probes = breaker.has("half-open-probes")
        ? breaker.integer("half-open-probes", 1, CircuitBreaker.MAX_HALF_OPEN_PROBES,
            "an integer 1.." + CircuitBreaker.MAX_HALF_OPEN_PROBES)
        : defaults.halfOpenProbes();
    return new BreakerConfig(failureRate, minimumCalls, windowCalls, windowTime, open, probes);
  }

  private static BulkheadConfig bulkhead(Section bulkhead) {
    BulkheadConfig defaults = BulkheadConfig.DEFAULT;
    int concurrent = bulkhead.has("max-concurrent")
        ? bulkhead.integer("max-concurrent", 1, Integer.MAX_VALUE, "an integer >= 1") : defaults.maxConcurrent();
    int waiting = bulkhead.has("max-waiting")
        ? bulkhead.integer("max-waiting", 0, Integer.MAX_VALUE, "an integer >= 0") : defaults.maxWaiting();
    Duration wait = bulkhead.has("max-wait") ? bulkhead.duration("max-wait", false) : defaults.maxWait();
    // Either alone would refuse every caller that finds the slots taken, silently: say which one is missing.
    if (waiting > 0 && wait.isZero()) {
      throw bulkhead.has("max-wait")
          ? bulkhead.invalid("max-wait", "> 0 when bulkhead.max-waiting is " + waiting)
          : bulkhead.invalid("max-waiting", "0 unless bulkhead.max-wait is set above 0");
    }
    if (waiting == 0 && !wait.isZero()) {
      throw bulkhead.invalid("max-wait", "0 unless bulkhead.max-waiting is set above 0");
    }
    return new BulkheadConfig(concurrent, waiting, wait);
  }

  private static RateLimitConfig rateLimit(Section limit) {
    if (!limit.has("per-second")) {
      for (String alone : List.of("burst", "max-wait")) {
        if (limit.has(alone)) {
          throw limit.invalid(alone, "set together with rate-limit.per-second");
        }
      }
      throw Section.invalid(limit.node(), "a mapping with per-second, the attempts allowed each second");
    }
    int perSecond = limit.integer("per-second", 1, 1_000_000_000, "an integer 1..1000000000");
    int burst = limit.has("burst") ? limit.integer("burst", 1, Integer.MAX_VALUE, "an integer >= 1") : perSecond;
    Duration maxWait = limit.has("max-wait") ? limit.duration("max-wait", false) : Duration.ZERO;
    return new RateLimitConfig(perSecond, burst, maxWait);
  }
}
