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
import dev.blastwall.event.CallObserver;
import dev.blastwall.event.CallOutcome;
import dev.blastwall.event.Subscription;
import dev.blastwall.hedge.LatencyTracker;
import dev.blastwall.limit.AdaptiveThrottle;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.ratelimit.RateLimiter;
import dev.blastwall.retry.RetryBudget;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.util.DoubleFormat;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one upstream, and the {@link CallObserver} that keeps their counts: a call adds to a
 * {@link LongAdder} or two (no event, no tag, no meter looked up) and every counter is a function counter that
 * reads them when scraped. One call in {@code timedEvery} is timed, into the duration timer's histogram and the
 * percentile window: timing a call costs a clock reading and two records, several times the rest of what an
 * observed call costs. Gauges read the pipeline's policies when scraped.
 */
public final class UpstreamMeters implements CallObserver {

  private static final double[] PERCENTILES = {0.5, 0.99};
  /** The percentiles' window: a minute in 6 slices, so a call counts for 50 to 60 seconds. */
  private static final Duration PERCENTILE_WINDOW = Duration.ofMinutes(1);

  private final OwnedMeters meters;
  private final Tags tags;
  /** {@code timedEvery - 1}: a call is timed when a random int's low bits under it are all 0. */
  private final int timedMask;
  // Filled in the constructor and only read after: an EnumMap lookup is an array index, no allocation.
  private final EnumMap<CallOutcome, LongAdder> calls = new EnumMap<>(CallOutcome.class);
  private final EnumMap<CallOutcome, AtomicReference<@Nullable Durations>> durations =
      new EnumMap<>(CallOutcome.class);
  /** Calls that ended before their first attempt was sent: every other call sent exactly one original. */
  private final LongAdder unsent = new LongAdder();
  /** Attempts after a call's first: retries, or hedges in a hedging pipeline. */
  private final LongAdder later = new LongAdder();
  private final LongAdder budgetRefusals = new LongAdder();
  private final LongAdder hedgesWon = new LongAdder();
  private final LongAdder breakerRejections = new LongAdder();
  private final LongAdder bulkheadRejections = new LongAdder();
  private final LongAdder rateLimiterRejections = new LongAdder();
  private final LongAdder throttleRejections = new LongAdder();

  private UpstreamMeters(Pipeline pipeline, OwnedMeters meters, int timedEvery) {
    this.meters = meters;
    this.tags = Tags.of(UPSTREAM, pipeline.upstream());
    this.timedMask = timedEvery - 1;
    boolean hedging = pipeline.hedgePolicy() != null;
    for (CallOutcome outcome : CallOutcome.values()) {
      LongAdder count = new LongAdder();
      calls.put(outcome, count);
      durations.put(outcome, new AtomicReference<>());
      meters.functionCounter(CALLS, "Calls that ended, by how they ended", tags.and(OUTCOME, tag(outcome)), count,
          LongAdder::sum);
    }
    String attemptsSent = "Attempts sent, by why they were sent";
    meters.functionCounter(ATTEMPTS, attemptsSent, tags.and(KIND, tag(AttemptKind.ORIGINAL)), this,
        UpstreamMeters::originals);
    meters.functionCounter(ATTEMPTS, attemptsSent, tags.and(KIND, tag(AttemptKind.RETRY)), later,
        hedging ? unused -> 0 : LongAdder::sum);
    meters.functionCounter(ATTEMPTS, attemptsSent, tags.and(KIND, tag(AttemptKind.HEDGE)), later,
        hedging ? LongAdder::sum : unused -> 0);
    RetryBudget budget = hedging ? pipeline.hedgeBudget() : pipeline.retryBudget();
    meters.gauge(hedging ? HEDGE_BUDGET_BALANCE : RETRY_BUDGET_BALANCE,
        hedging ? "Hedges the hedge budget allows right now" : "Retries the retry budget allows right now",
        tags, budget, RetryBudget::balance);
    meters.functionCounter(hedging ? HEDGE_BUDGET_REFUSALS : RETRY_BUDGET_REFUSALS,
        hedging ? "Hedges the hedge budget refused" : "Retries the retry budget refused", tags, budgetRefusals,
        LongAdder::sum);
    if (hedging) {
      meters.functionCounter(HEDGES_WON, "Calls answered by a hedge", tags, hedgesWon, LongAdder::sum);
    }

    if (pipeline.circuitBreaker() != null) {
      meters.functionCounter(BREAKER_REJECTIONS, "Attempts the circuit breaker refused", tags, breakerRejections,
          LongAdder::sum);
    }
    SemaphoreBulkhead bulkhead = pipeline.bulkhead();
    if (bulkhead != null) {
      bulkheadMeters(bulkhead);
    }
    RateLimiter limiter = pipeline.rateLimiter();
    if (limiter != null) {
      rateLimiterMeters(limiter);
    }
    AdaptiveThrottle throttle = pipeline.adaptiveThrottle();
    if (throttle != null) {
      throttleMeters(throttle);
    }
  }

  /**
   * Registers the meters of {@code pipeline} (and of its breaker) in {@code meters} and starts keeping them, timing
   * one call in {@code timedEvery} (a power of two), until the subscription returned is closed; the meters stay
   * until {@code meters} removes them.
   */
  public static Subscription bind(Pipeline pipeline, OwnedMeters meters, int timedEvery) {
    UpstreamMeters upstream = new UpstreamMeters(pipeline, meters, timedEvery);
    CircuitBreaker circuitBreaker = pipeline.circuitBreaker();
    // The observers go on only once every meter they feed is there.
    Subscription breaker = circuitBreaker == null ? () -> {}
        : BreakerMeters.bind(circuitBreaker, upstream.tags, meters);
    Subscription calls = pipeline.addObserver(upstream);
    return () -> {
      calls.close();
      breaker.close();
    };
  }

  @Override
  public boolean timesCall() {
    return timedMask == 0 || (ThreadLocalRandom.current().nextInt() & timedMask) == 0;
  }

  @Override
  public void onCallEnded(CallOutcome outcome, int attempts, long durationNanos) {
    LongAdder count = calls.get(outcome);
    if (count != null) { // every outcome has one
      count.increment();
    }
    if (attempts != 1) {
      if (attempts == 0) {
        unsent.increment();
      } else {
        later.add(attempts - 1L);
      }
    }
    if (durationNanos != NOT_TIMED) {
      durations(outcome).record(durationNanos);
    }
  }

  @Override
  public void onAttemptRejected(String policy) {
    switch (policy) {
      case "circuit-breaker" -> breakerRejections.increment();
      case "bulkhead" -> bulkheadRejections.increment();
      case "rate-limiter" -> rateLimiterRejections.increment();
      case "client-throttle" -> throttleRejections.increment();
      default -> {
        // No other policy refuses attempts in a pipeline.
      }
    }
  }

  @Override
  public void onBudgetRefused() {
    budgetRefusals.increment();
  }

  @Override
  public void onHedgeWon() {
    hedgesWon.increment();
  }

  /** Original attempts: one per call that sent any. */
  private double originals() {
    long all = 0;
    for (LongAdder count : calls.values()) {
      all += count.sum();
    }
    return all - unsent.sum();
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
        .description("How long calls took, retries and waits included (the calls timed: one in every few)")
        .tags(tagged).publishPercentileHistogram().register(meters.registry()));
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

  private void bulkheadMeters(SemaphoreBulkhead bulkhead) {
    meters.gauge(BULKHEAD_IN_USE, "Bulkhead slots taken", tags, bulkhead, slots -> slots.snapshot().inUse());
    meters.gauge(BULKHEAD_QUEUED, "Attempts waiting for a bulkhead slot", tags, bulkhead,
        slots -> slots.snapshot().waiting());
    meters.gauge(BULKHEAD_MAX, "Bulkhead slots", tags, bulkhead, SemaphoreBulkhead::maxConcurrentCalls);
    meters.functionCounter(BULKHEAD_REJECTIONS, "Attempts the bulkhead refused", tags, bulkheadRejections,
        LongAdder::sum);
  }

  private void rateLimiterMeters(RateLimiter limiter) {
    meters.gauge(RATE_LIMITER_AVAILABLE, "Permits the rate limiter could grant now", tags, limiter,
        RateLimiter::availablePermits);
    meters.functionCounter(RATE_LIMITER_REJECTIONS, "Attempts the rate limiter refused", tags,
        rateLimiterRejections, LongAdder::sum);
  }

  private void throttleMeters(AdaptiveThrottle throttle) {
    meters.gauge(THROTTLE_PROBABILITY, "Probability the client-side throttle refuses an attempt now", tags,
        throttle, AdaptiveThrottle::rejectionProbability);
    meters.functionCounter(THROTTLE_REJECTIONS, "Attempts the client-side throttle refused", tags,
        throttleRejections, LongAdder::sum);
  }

  /** An enum constant as a tag value: lower case, as Micrometer's own tags are. */
  static String tag(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
