package dev.blastwall.micrometer.internal;

import static dev.blastwall.micrometer.MeterNames.ATTEMPTS;
import static dev.blastwall.micrometer.MeterNames.BREAKER_REJECTIONS;
import static dev.blastwall.micrometer.MeterNames.BULKHEAD_IN_USE;
import static dev.blastwall.micrometer.MeterNames.BULKHEAD_MAX;
import static dev.blastwall.micrometer.MeterNames.BULKHEAD_QUEUED;
import static dev.blastwall.micrometer.MeterNames.BULKHEAD_REJECTIONS;
import static dev.blastwall.micrometer.MeterNames.CALLS;
import static dev.blastwall.micrometer.MeterNames.CALL_DURATION;
import static dev.blastwall.micrometer.MeterNames.CALL_DURATION_PERCENTILE;
import static dev.blastwall.micrometer.MeterNames.HEDGES_WON;
import static dev.blastwall.micrometer.MeterNames.HEDGE_BUDGET_BALANCE;
import static dev.blastwall.micrometer.MeterNames.HEDGE_BUDGET_REFUSALS;
import static dev.blastwall.micrometer.MeterNames.KIND;
import static dev.blastwall.micrometer.MeterNames.OUTCOME;
import static dev.blastwall.micrometer.MeterNames.PHI;
import static dev.blastwall.micrometer.MeterNames.RATE_LIMITER_AVAILABLE;
import static dev.blastwall.micrometer.MeterNames.RATE_LIMITER_REJECTIONS;
import static dev.blastwall.micrometer.MeterNames.RETRY_BUDGET_BALANCE;
import static dev.blastwall.micrometer.MeterNames.RETRY_BUDGET_REFUSALS;
import static dev.blastwall.micrometer.MeterNames.THROTTLE_PROBABILITY;
import static dev.blastwall.micrometer.MeterNames.THROTTLE_REJECTIONS;
import static dev.blastwall.micrometer.MeterNames.UPSTREAM;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.context.AttemptKind;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.BlastwallEvent.AttemptStarted;
import dev.blastwall.event.BlastwallEvent.AttemptSucceeded;
import dev.blastwall.event.BlastwallEvent.CallCompleted;
import dev.blastwall.event.BlastwallEvent.CallRejected;
import dev.blastwall.event.BlastwallEvent.RetryBudgetExhausted;
import dev.blastwall.event.CallOutcome;
import dev.blastwall.event.EventListener;
import dev.blastwall.event.Subscription;
import dev.blastwall.hedge.LatencyTracker;
import dev.blastwall.limit.AdaptiveThrottle;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.ratelimit.RateLimiter;
import dev.blastwall.retry.RetryBudget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.util.DoubleFormat;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one upstream, and the listener that keeps them: every meter an event feeds is registered up front
 * (or, for a duration timer, once per outcome), so an event costs a counter increment or a timer record and never
 * builds tags or looks a meter up. Gauges read the pipeline's policies when scraped.
 */
public final class UpstreamMeters implements EventListener {

  private static final double[] PERCENTILES = {0.5, 0.99};
  /** The percentiles' window: a minute in 6 slices, so a call counts for 50 to 60 seconds. */
  private static final Duration PERCENTILE_WINDOW = Duration.ofMinutes(1);

  private final OwnedMeters meters;
  private final Tags tags;
  private final boolean hedging;
  // Filled in the constructor and only read after: an EnumMap lookup is an array index, no allocation.
  private final EnumMap<CallOutcome, Counter> calls = new EnumMap<>(CallOutcome.class);
  private final EnumMap<CallOutcome, AtomicReference<@Nullable Durations>> durations =
      new EnumMap<>(CallOutcome.class);
  private final EnumMap<AttemptKind, Counter> attempts = new EnumMap<>(AttemptKind.class);
  private final Counter budgetRefusals;
  private final @Nullable Counter hedgesWon;
  private final @Nullable Counter breakerRejections;
  private final @Nullable Counter bulkheadRejections;
  private final @Nullable Counter rateLimiterRejections;
  private final @Nullable Counter throttleRejections;

  private UpstreamMeters(Pipeline pipeline, OwnedMeters meters) {
    this.meters = meters;
    this.tags = Tags.of(UPSTREAM, pipeline.upstream());
    this.hedging = pipeline.hedgePolicy() != null;
    for (CallOutcome outcome : CallOutcome.values()) {
      calls.put(outcome, meters.counter(CALLS, "Calls that ended, by how they ended",
          tags.and(OUTCOME, tag(outcome))));
      durations.put(outcome, new AtomicReference<>());
    }
    for (AttemptKind kind : AttemptKind.values()) {
      attempts.put(kind, meters.counter(ATTEMPTS, "Attempts sent, by why they were sent",
          tags.and(KIND, tag(kind))));
    }
    RetryBudget budget = hedging ? pipeline.hedgeBudget() : pipeline.retryBudget();
    meters.gauge(hedging ? HEDGE_BUDGET_BALANCE : RETRY_BUDGET_BALANCE,
        hedging ? "Hedges the hedge budget allows right now" : "Retries the retry budget allows right now",
        tags, budget, RetryBudget::balance);
    this.budgetRefusals = meters.counter(hedging ? HEDGE_BUDGET_REFUSALS : RETRY_BUDGET_REFUSALS,
        hedging ? "Hedges the hedge budget refused" : "Retries the retry budget refused", tags);
    this.hedgesWon = hedging ? meters.counter(HEDGES_WON, "Calls answered by a hedge", tags) : null;

    CircuitBreaker circuitBreaker = pipeline.circuitBreaker();
    this.breakerRejections = circuitBreaker == null ? null
        : meters.counter(BREAKER_REJECTIONS, "Attempts the circuit breaker refused", tags);
    SemaphoreBulkhead bulkhead = pipeline.bulkhead();
    this.bulkheadRejections = bulkhead == null ? null : bulkheadMeters(bulkhead);
    RateLimiter limiter = pipeline.rateLimiter();
    this.rateLimiterRejections = limiter == null ? null : rateLimiterMeters(limiter);
    AdaptiveThrottle throttle = pipeline.adaptiveThrottle();
    this.throttleRejections = throttle == null ? null : throttleMeters(throttle);
  }

  /**
   * Registers the meters of {@code pipeline} (and of its breaker) in {@code meters} and starts keeping them, until
   * the subscription returned is closed; the meters stay until {@code meters} removes them.
   */
  public static Subscription bind(Pipeline pipeline, OwnedMeters meters) {
    UpstreamMeters upstream = new UpstreamMeters(pipeline, meters);
    CircuitBreaker circuitBreaker = pipeline.circuitBreaker();
    // The listeners go on only once every meter they feed is there.
    Subscription breaker = circuitBreaker == null ? () -> {}
        : BreakerMeters.bind(circuitBreaker, upstream.tags, meters);
    Subscription events = pipeline.addListener(upstream);
    return () -> {
      events.close();
      breaker.close();
    };
  }

  @Override
  public void onEvent(BlastwallEvent event) {
    switch (event) {
      case CallCompleted completed -> {
        increment(calls.get(completed.outcome()));
        durations(completed.outcome()).record(completed.durationNanos());
      }
      case AttemptStarted started -> increment(attempts.get(started.kind()));
      case AttemptSucceeded succeeded -> {
        // A hedged call's original is attempt 1 and every later attempt a hedge, so a later one answering won.
        if (hedgesWon != null && succeeded.attempt() > 1) {
          hedgesWon.increment();
        }
      }
      // In a hedging pipeline the only budget asked is the hedge budget.
      case RetryBudgetExhausted refused -> budgetRefusals.increment();
      case CallRejected rejected -> rejected(rejected.policy());
      default -> {
        // Retries scheduled and exhausted, attempt failures and time-outs, deadlines: counted by the outcome of
        // the call they end, or by the attempt that follows them.
      }
    }
  }

  private void rejected(String policy) {
    increment(switch (policy) {
      case "circuit-breaker" -> breakerRejections;
      case "bulkhead" -> bulkheadRejections;
      case "rate-limiter" -> rateLimiterRejections;
      case "client-throttle" -> throttleRejections;
      default -> null;
    });
  }

  /** Every counter an event names is registered; null only for a slot the pipeline does not have. */
  private static void increment(@Nullable Counter counter) {
    if (counter != null) {
      counter.increment();
    }
  }

  /** What a call's duration goes into: the timer with its histogram, and the window its percentiles come from. */
  private record Durations(Timer timer, LatencyTracker recent) {
    void record(long nanos) {
      timer.record(nanos, TimeUnit.NANOSECONDS);
      recent.record(nanos);
    }
  }

  /**
   * The duration meters of {@code outcome}, registered on its first call: a histogram is dozens of series, so an
   * upstream gets one only for the outcomes it has seen. Racing first calls get the same meters from the registry
   * (and their samples go to whichever tracker won).
   */
  private Durations durations(CallOutcome outcome) {
    AtomicReference<@Nullable Durations> slot = durations.get(outcome);
    Durations current = slot == null ? null : slot.get();
    if (current != null) {
      return current;
    }
    Tags tagged = tags.and(OUTCOME, tag(outcome));
    Timer timer = meters.own(Timer.builder(CALL_DURATION)
        .description("How long calls took, retries and waits included").tags(tagged).publishPercentileHistogram()
        .register(meters.registry()));
    // Micrometer's own percentiles cost several times a histogram's record on every call; this window costs one
    // clock reading and one increment, and a scan of its buckets only when scraped.
    LatencyTracker recent = LatencyTracker.builder().window(PERCENTILE_WINDOW).minSamples(1).build();
    Durations created = new Durations(timer, recent);
    if (slot == null || slot.compareAndSet(null, created)) {
      for (double percentile : PERCENTILES) {
        meters.gauge(CALL_DURATION_PERCENTILE, "Percentiles of how long calls took, over the last minute",
            tagged.and(PHI, DoubleFormat.decimalOrNan(percentile)), recent, window -> seconds(window, percentile));
      }
      return created;
    }
    Durations winner = slot.get();
    return winner != null ? winner : created;
  }

  /** The window's {@code percentile} (0 to 1) in seconds; NaN while the window holds no call. */
  private static double seconds(LatencyTracker window, double percentile) {
    long nanos = window.percentileNanos(percentile * 100);
    return nanos < 0 ? Double.NaN : nanos / 1e9;
  }

  private Counter bulkheadMeters(SemaphoreBulkhead bulkhead) {
    meters.gauge(BULKHEAD_IN_USE, "Bulkhead slots taken", tags, bulkhead, slots -> slots.snapshot().inUse());
    meters.gauge(BULKHEAD_QUEUED, "Attempts waiting for a bulkhead slot", tags, bulkhead,
        slots -> slots.snapshot().waiting());
    meters.gauge(BULKHEAD_MAX, "Bulkhead slots", tags, bulkhead, SemaphoreBulkhead::maxConcurrentCalls);
    return meters.counter(BULKHEAD_REJECTIONS, "Attempts the bulkhead refused", tags);
  }

  private Counter rateLimiterMeters(RateLimiter limiter) {
    meters.gauge(RATE_LIMITER_AVAILABLE, "Permits the rate limiter could grant now", tags, limiter,
        RateLimiter::availablePermits);
    return meters.counter(RATE_LIMITER_REJECTIONS, "Attempts the rate limiter refused", tags);
  }

  private Counter throttleMeters(AdaptiveThrottle throttle) {
    meters.gauge(THROTTLE_PROBABILITY, "Probability the client-side throttle refuses an attempt now", tags,
        throttle, AdaptiveThrottle::rejectionProbability);
    return meters.counter(THROTTLE_REJECTIONS, "Attempts the client-side throttle refused", tags);
  }

  /** An enum constant as a tag value: lower case, as Micrometer's own tags are. */
  static String tag(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
