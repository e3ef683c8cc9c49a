package dev.blastwall.micrometer;

/**
 * The names and tags of every meter {@link BlastwallMetrics} registers, in Micrometer's dot-separated form (a
 * Prometheus registry writes {@code blastwall.calls} as {@code blastwall_calls_total}). Each is described in
 * {@code docs/observability.md}; other modules (the lab's reports, the dashboard) use these constants so that a
 * number found in one place can be found in the others.
 */
public final class MeterNames {

  // --- tags ----------------------------------------------------------------------------------------------------

  /** The upstream (pipeline name) a client-side meter is about. */
  public static final String UPSTREAM = "upstream";
  /** How a call ended: {@code success}, {@code failure}, {@code timeout}, ... (a {@code CallOutcome}, lower case). */
  public static final String OUTCOME = "outcome";
  /** Why an attempt was sent: {@code original}, {@code retry}, {@code hedge}. */
  public static final String KIND = "kind";
  /** A circuit breaker state, lower case: {@code closed}, {@code open}, {@code half_open}, ... */
  public static final String STATE = "state";
  /** A request's criticality, lower case: {@code critical_plus}, {@code critical}, ... */
  public static final String CRITICALITY = "criticality";
  /** A percentile of {@link #CALL_DURATION_PERCENTILE}: {@code 0.5}, {@code 0.99} (Micrometer's own tag for it). */
  public static final String PHI = "phi";
  /** Why a queue dropped a request: {@code full}, {@code deadline}, {@code expired}, {@code stale}. */
  public static final String REASON = "reason";
  /** The name of a server-side admission controller, concurrency limiter or queue. */
  public static final String NAME = "name";

  // --- per upstream (client side) ------------------------------------------------------------------------------

  /** Counter: logical calls that ended, by {@link #OUTCOME}. */
  public static final String CALLS = "blastwall.calls";
  /**
   * Timer: how long a logical call took in the pipeline, retries and waits included, by {@link #OUTCOME}; with a
   * percentile histogram (Prometheus: {@code histogram_quantile}, which aggregates across instances).
   */
  public static final String CALL_DURATION = "blastwall.call.duration";
  /**
   * Gauge: the p50 and p99 of {@link #CALL_DURATION} over the last minute, by {@link #PHI}, in seconds; NaN while
   * the minute saw no call. Micrometer's own name for a timer's client-side percentiles, which the binder computes
   * itself (Blastwall's {@code LatencyTracker}, at a fraction of the cost of Micrometer's, and exported by every
   * registry: Prometheus drops a timer's own percentiles when it has a histogram).
   */
  public static final String CALL_DURATION_PERCENTILE = "blastwall.call.duration.percentile";
  /** Counter: attempts sent, by {@link #KIND}. */
  public static final String ATTEMPTS = "blastwall.attempts";
  /** Gauge: what the retry budget allows right now (for a ratio budget, the retries left). */
  public static final String RETRY_BUDGET_BALANCE = "blastwall.retry.budget.balance";
  /** Counter: retries the retry budget refused. */
  public static final String RETRY_BUDGET_REFUSALS = "blastwall.retry.budget.refusals";
  /** Gauge: what the hedge budget allows right now. */
  public static final String HEDGE_BUDGET_BALANCE = "blastwall.hedge.budget.balance";
  /** Counter: hedges the hedge budget refused. */
  public static final String HEDGE_BUDGET_REFUSALS = "blastwall.hedge.budget.refusals";
  /** Counter: calls whose answer came from a hedge rather than the original attempt. */
  public static final String HEDGES_WON = "blastwall.hedges.won";
  /** Gauge: 1 for the circuit breaker's current {@link #STATE}, 0 for the others. */
  public static final String BREAKER_STATE = "blastwall.breaker.state";
  /** Counter: state changes of the circuit breaker, by the {@link #STATE} entered. */
  public static final String BREAKER_TRANSITIONS = "blastwall.breaker.transitions";
  /** Gauge: the breaker's failure rate over its window, in percent. */
  public static final String BREAKER_FAILURE_RATE = "blastwall.breaker.failure.rate";
  /** Counter: attempts the circuit breaker refused. */
  public static final String BREAKER_REJECTIONS = "blastwall.breaker.rejections";
  /** Gauge: bulkhead slots taken. */
  public static final String BULKHEAD_IN_USE = "blastwall.bulkhead.in.use";
  /** Gauge: attempts waiting for a bulkhead slot. */
  public static final String BULKHEAD_QUEUED = "blastwall.bulkhead.queued";
  /** Gauge: the bulkhead's slots. */
  public static final String BULKHEAD_MAX = "blastwall.bulkhead.max.concurrent";
  /** Counter: attempts the bulkhead refused. */
  public static final String BULKHEAD_REJECTIONS = "blastwall.bulkhead.rejections";
  /** Gauge: permits the rate limiter could grant right now. */
  public static final String RATE_LIMITER_AVAILABLE = "blastwall.ratelimiter.available";
  /** Counter: attempts the rate limiter refused. */
  public static final String RATE_LIMITER_REJECTIONS = "blastwall.ratelimiter.rejections";
  /** Gauge: the probability with which the client-side throttle refuses an attempt now. */
  public static final String THROTTLE_PROBABILITY = "blastwall.throttle.rejection.probability";
  /** Counter: attempts the client-side throttle refused. */
  public static final String THROTTLE_REJECTIONS = "blastwall.throttle.rejections";

  // --- server side ---------------------------------------------------------------------------------------------

  /** Gauge: requests an admission controller holds now, health checks included. */
  public static final String ADMISSION_IN_FLIGHT = "blastwall.admission.in.flight";
  /** Gauge: the most requests an admission controller holds at once, health checks aside. */
  public static final String ADMISSION_CAPACITY = "blastwall.admission.capacity";
  /** Counter: requests admitted, by {@link #CRITICALITY}. */
  public static final String ADMISSION_ADMITTED = "blastwall.admission.admitted";
  /** Counter: requests shed, by {@link #CRITICALITY}. */
  public static final String ADMISSION_SHED = "blastwall.admission.shed";
  /** Gauge: a concurrency limiter's current (adaptive) limit. */
  public static final String CONCURRENCY_LIMIT = "blastwall.concurrency.limit";
  /** Gauge: requests a concurrency limiter holds now. */
  public static final String CONCURRENCY_IN_FLIGHT = "blastwall.concurrency.in.flight";
  /** Gauge: requests waiting in a work queue. */
  public static final String QUEUE_SIZE = "blastwall.queue.size";
  /** Gauge: the most requests a work queue holds. */
  public static final String QUEUE_CAPACITY = "blastwall.queue.capacity";
  /** Counter: requests a work queue accepted. */
  public static final String QUEUE_ACCEPTED = "blastwall.queue.accepted";
  /** Counter: requests a work queue handed to a worker. */
  public static final String QUEUE_SERVED = "blastwall.queue.served";
  /** Counter: requests a work queue refused or dropped, by {@link #REASON}. */
  public static final String QUEUE_SHED = "blastwall.queue.shed";

  private MeterNames() {}
}
