package dev.blastwall.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.failure.RetryBudgetExhaustedException;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.limit.ConcurrencyLimiter;
import dev.blastwall.limit.Limit;
import dev.blastwall.limit.Listener;
import dev.blastwall.overload.AdmissionController;
import dev.blastwall.overload.BoundedWorkQueue;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.ratelimit.TokenBucketRateLimiter;
import dev.blastwall.registry.UpstreamRegistry;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.Environment;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A known sequence of calls through real pipelines on fake time, then the text a real Prometheus registry serves:
 * every meter's line, with its exact value.
 */
class PrometheusScrapeTest {

  private final FakeTicker ticker = new FakeTicker(Duration.ofSeconds(100).toNanos());
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @AfterEach
  void closeRegistry() {
    prometheus.close();
  }

  private Pipeline.Builder pipeline(String upstream) {
    return Pipeline.builder(upstream).ticker(ticker).scheduler(scheduler).random(() -> 0.5)
        .idempotency(Idempotency.IDEMPOTENT);
  }

  /** The scraped lines of the meters named {@code prefix...}, without their HELP lines, in scrape order. */
  private List<String> scraped(String prefix) {
    return Stream.of(prometheus.scrape().split("\n"))
        .filter(line -> line.startsWith(prefix) || line.startsWith("# TYPE " + prefix))
        .toList();
  }

  /** Runs the whole known sequence; see each step for what it must leave in the meters. */
  private void runTheSequence(UpstreamRegistry upstreams) throws Exception {
    Remote remote = new Remote(scheduler);

    // inventory (blocking, 3 attempts, a budget of 50% of requests and no floor): a success; a failure retried
    // into a success (the budget: 2 requests, 1 retry); a failure whose retry the budget refuses (3 requests,
    // 1.5 - 1 retries left); a failure that is not retried (invalid). Budget left: 4 * 0.5 - 1 = 1.
    Pipeline inventory = upstreams.pipeline("inventory");
    remote.answers(10).fails(10, FailureKind.UNAVAILABLE).answers(10).fails(10, FailureKind.UNAVAILABLE)
        .fails(10, FailureKind.INVALID);
    inventory.call(remote::call);
    inventory.call(remote::call);
    assertThatThrownBy(() -> inventory.call(remote::call)).isInstanceOf(RetryBudgetExhaustedException.class);
    assertThatThrownBy(() -> inventory.call(remote::call)).isInstanceOf(RemoteFailure.class);
    assertThat(scraped("blastwall_retry_budget_balance{upstream=\"inventory\"")).containsExactly(
        "blastwall_retry_budget_balance{upstream=\"inventory\"} 1.0");

    // payments (blocking, no retry, a breaker that trips on 2 failures of 2): two failures open it; the next call
    // is refused without an attempt; 10 s later one probe succeeds and closes it.
    Pipeline payments = upstreams.pipeline("payments");
    remote.fails(10, FailureKind.UNAVAILABLE).fails(10, FailureKind.UNAVAILABLE).answers(10);
    assertThatThrownBy(() -> payments.call(remote::call)).isInstanceOf(RemoteFailure.class);
    assertThatThrownBy(() -> payments.call(remote::call)).isInstanceOf(RemoteFailure.class);
    assertThatThrownBy(() -> payments.call(remote::call)).isInstanceOf(CallNotPermittedException.class);
    scheduler.advance(Duration.ofSeconds(10));
    payments.call(remote::call);

    // search (async, a bulkhead of one slot and no queue), registered after binding: a call holds the slot, a
    // second one is refused; the slot is in use until the first answers.
    Pipeline search = upstreams.getOrCreate("search", name -> pipeline(name)
        .bulkhead(SemaphoreBulkhead.builder(name).maxConcurrentCalls(1).build()).build());
    remote.answers(100);
    CompletableFuture<String> holding = search.callAsync(remote::callAsync);
    assertThat(search.callAsync(remote::callAsync)).isCompletedExceptionally();
    assertThat(scraped("blastwall_bulkhead_in_use")).containsExactly(
        "# TYPE blastwall_bulkhead_in_use gauge",
        "blastwall_bulkhead_in_use{upstream=\"search\"} 1.0");
    scheduler.advance(Duration.ofMillis(100));
    assertThat(holding).isCompletedWithValue("ok");

    // recommendations (async, a hedge after 20 ms, a hedge budget of 50% and no floor): a fast answer (no hedge);
    // a slow original raced by a hedge that answers first (2 requests: 1 hedge allowed); a slow original whose
    // hedge the budget refuses (3 requests, 1.5 - 1 left). Budget left: 0.5.
    Pipeline recommendations = upstreams.getOrCreate("recommendations", name -> pipeline(name)
        .hedge(HedgePolicy.afterDelay(Duration.ofMillis(20)))
        .hedgeBudget(RetryBudget.ratio().percentCanRetry(0.5).minRetriesPerSecond(0).ticker(ticker).build())
        .build());
    remote.answers(10).answers(100).answers(10).answers(100);
    for (int call = 0; call < 3; call++) {
      CompletableFuture<String> answer = recommendations.callAsync(remote::callAsync);
      scheduler.advance(Duration.ofMillis(100));
      assertThat(answer).isCompletedWithValue("ok");
    }

    // ads (blocking, one permit a second and no wait): one call goes, the next is refused; no permit left.
    Pipeline ads = upstreams.getOrCreate("ads", name -> pipeline(name).rateLimiter(
        TokenBucketRateLimiter.builder(1, 1, Duration.ofSeconds(1)).ticker(ticker).build(), Duration.ZERO).build());
    remote.answers(10);
    ads.call(remote::call);
    assertThatThrownBy(() -> ads.call(remote::call)).isInstanceOf(RateLimitedException.class);
  }

  private UpstreamRegistry upstreams() {
    return new UpstreamRegistry(Environment.system().withTicker(ticker))
        .register("inventory", pipeline("inventory")
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(10))).build())
            .retryBudget(RetryBudget.ratio().percentCanRetry(0.5).minRetriesPerSecond(0).ticker(ticker).build())
            .build())
        .register("payments", pipeline("payments").circuitBreaker(CircuitBreaker.builder("payments").ticker(ticker)
            .countWindow(2).minimumCalls(2).openDuration(Duration.ofSeconds(10)).halfOpenProbes(1)
            .halfOpenSuccessesToClose(1).build()).build());
  }

  @Test
  void theScrapeHoldsEveryMeterWithTheValuesTheSequenceLeft() throws Exception {
    UpstreamRegistry upstreams = upstreams();
    BlastwallMetrics.bind(upstreams, prometheus, 1);
    runTheSequence(upstreams);
    serverSide();

    // Every line but the histogram buckets (below): a value is what the sequence above says it must be. By the
    // end, inventory's budget is back to 0: its requests are older than the budget's 10 s window (it was 1
    // right after its calls, checked there); payments, search and ads keep the default budget's floor of 100.
    // Percentiles are the upper bounds of the tracker's buckets (at most 1/64 above): 0.010111 for 10 ms.
    assertThat(scraped("blastwall_").stream().filter(line -> !line.contains("_bucket{")).toList())
        .containsExactlyElementsOf(lines("""
        # TYPE blastwall_admission_admitted_total counter
        blastwall_admission_admitted_total{criticality="critical",name="api"} 1.0
        blastwall_admission_admitted_total{criticality="critical_plus",name="api"} 1.0
        blastwall_admission_admitted_total{criticality="sheddable",name="api"} 0.0
        blastwall_admission_admitted_total{criticality="sheddable_plus",name="api"} 0.0
        # TYPE blastwall_admission_capacity gauge
        blastwall_admission_capacity{name="api"} 2.0
        # TYPE blastwall_admission_in_flight gauge
        blastwall_admission_in_flight{name="api"} 2.0
        # TYPE blastwall_admission_shed_total counter
        blastwall_admission_shed_total{criticality="critical",name="api"} 0.0
        blastwall_admission_shed_total{criticality="critical_plus",name="api"} 0.0
        blastwall_admission_shed_total{criticality="sheddable",name="api"} 1.0
        blastwall_admission_shed_total{criticality="sheddable_plus",name="api"} 0.0
        # TYPE blastwall_attempts_total counter
        blastwall_attempts_total{kind="hedge",upstream="ads"} 0.0
        blastwall_attempts_total{kind="hedge",upstream="inventory"} 0.0
        blastwall_attempts_total{kind="hedge",upstream="payments"} 0.0
        blastwall_attempts_total{kind="hedge",upstream="recommendations"} 1.0
        blastwall_attempts_total{kind="hedge",upstream="search"} 0.0
        blastwall_attempts_total{kind="original",upstream="ads"} 1.0
        blastwall_attempts_total{kind="original",upstream="inventory"} 4.0
        blastwall_attempts_total{kind="original",upstream="payments"} 3.0
        blastwall_attempts_total{kind="original",upstream="recommendations"} 3.0
        blastwall_attempts_total{kind="original",upstream="search"} 1.0
        blastwall_attempts_total{kind="retry",upstream="ads"} 0.0
        blastwall_attempts_total{kind="retry",upstream="inventory"} 1.0
        blastwall_attempts_total{kind="retry",upstream="payments"} 0.0
        blastwall_attempts_total{kind="retry",upstream="recommendations"} 0.0
        blastwall_attempts_total{kind="retry",upstream="search"} 0.0
        # TYPE blastwall_breaker_failure_rate gauge
        blastwall_breaker_failure_rate{upstream="payments"} 0.0
        # TYPE blastwall_breaker_rejections_total counter
        blastwall_breaker_rejections_total{upstream="payments"} 1.0
        # TYPE blastwall_breaker_state gauge
        blastwall_breaker_state{state="closed",upstream="payments"} 1.0
        blastwall_breaker_state{state="disabled",upstream="payments"} 0.0
        blastwall_breaker_state{state="forced_closed",upstream="payments"} 0.0
        blastwall_breaker_state{state="forced_open",upstream="payments"} 0.0
        blastwall_breaker_state{state="half_open",upstream="payments"} 0.0
        blastwall_breaker_state{state="open",upstream="payments"} 0.0
        # TYPE blastwall_breaker_transitions_total counter
        blastwall_breaker_transitions_total{state="closed",upstream="payments"} 1.0
        blastwall_breaker_transitions_total{state="disabled",upstream="payments"} 0.0
        blastwall_breaker_transitions_total{state="forced_closed",upstream="payments"} 0.0
        blastwall_breaker_transitions_total{state="forced_open",upstream="payments"} 0.0
        blastwall_breaker_transitions_total{state="half_open",upstream="payments"} 1.0
        blastwall_breaker_transitions_total{state="open",upstream="payments"} 1.0
        # TYPE blastwall_bulkhead_in_use gauge
        blastwall_bulkhead_in_use{upstream="search"} 0.0
        # TYPE blastwall_bulkhead_max_concurrent gauge
        blastwall_bulkhead_max_concurrent{upstream="search"} 1.0
        # TYPE blastwall_bulkhead_queued gauge
        blastwall_bulkhead_queued{upstream="search"} 0.0
        # TYPE blastwall_bulkhead_rejections_total counter
        blastwall_bulkhead_rejections_total{upstream="search"} 1.0
        # TYPE blastwall_call_duration_percentile gauge
        blastwall_call_duration_percentile{outcome="budget_exhausted",phi="0.5",upstream="inventory"} 0.010111
        blastwall_call_duration_percentile{outcome="budget_exhausted",phi="0.99",upstream="inventory"} 0.010111
        blastwall_call_duration_percentile{outcome="failure",phi="0.5",upstream="inventory"} 0.010111
        blastwall_call_duration_percentile{outcome="failure",phi="0.5",upstream="payments"} 0.010111
        blastwall_call_duration_percentile{outcome="failure",phi="0.99",upstream="inventory"} 0.010111
        blastwall_call_duration_percentile{outcome="failure",phi="0.99",upstream="payments"} 0.010111
        blastwall_call_duration_percentile{outcome="rejected",phi="0.5",upstream="ads"} 0.0
        blastwall_call_duration_percentile{outcome="rejected",phi="0.5",upstream="payments"} 0.0
        blastwall_call_duration_percentile{outcome="rejected",phi="0.5",upstream="search"} 0.0
        blastwall_call_duration_percentile{outcome="rejected",phi="0.99",upstream="ads"} 0.0
        blastwall_call_duration_percentile{outcome="rejected",phi="0.99",upstream="payments"} 0.0
        blastwall_call_duration_percentile{outcome="rejected",phi="0.99",upstream="search"} 0.0
        blastwall_call_duration_percentile{outcome="success",phi="0.5",upstream="ads"} 0.010111
        blastwall_call_duration_percentile{outcome="success",phi="0.5",upstream="inventory"} 0.010111
        blastwall_call_duration_percentile{outcome="success",phi="0.5",upstream="payments"} 0.010111
        blastwall_call_duration_percentile{outcome="success",phi="0.5",upstream="recommendations"} 0.030207
        blastwall_call_duration_percentile{outcome="success",phi="0.5",upstream="search"} 0.100351
        blastwall_call_duration_percentile{outcome="success",phi="0.99",upstream="ads"} 0.010111
        blastwall_call_duration_percentile{outcome="success",phi="0.99",upstream="inventory"} 0.030207
        blastwall_call_duration_percentile{outcome="success",phi="0.99",upstream="payments"} 0.010111
        blastwall_call_duration_percentile{outcome="success",phi="0.99",upstream="recommendations"} 0.100351
        blastwall_call_duration_percentile{outcome="success",phi="0.99",upstream="search"} 0.100351
        # TYPE blastwall_call_duration_seconds histogram
        blastwall_call_duration_seconds_count{outcome="budget_exhausted",upstream="inventory"} 1
        blastwall_call_duration_seconds_sum{outcome="budget_exhausted",upstream="inventory"} 0.01
        blastwall_call_duration_seconds_count{outcome="failure",upstream="inventory"} 1
        blastwall_call_duration_seconds_sum{outcome="failure",upstream="inventory"} 0.01
        blastwall_call_duration_seconds_count{outcome="failure",upstream="payments"} 2
        blastwall_call_duration_seconds_sum{outcome="failure",upstream="payments"} 0.02
        blastwall_call_duration_seconds_count{outcome="rejected",upstream="ads"} 1
        blastwall_call_duration_seconds_sum{outcome="rejected",upstream="ads"} 0.0
        blastwall_call_duration_seconds_count{outcome="rejected",upstream="payments"} 1
        blastwall_call_duration_seconds_sum{outcome="rejected",upstream="payments"} 0.0
        blastwall_call_duration_seconds_count{outcome="rejected",upstream="search"} 1
        blastwall_call_duration_seconds_sum{outcome="rejected",upstream="search"} 0.0
        blastwall_call_duration_seconds_count{outcome="success",upstream="ads"} 1
        blastwall_call_duration_seconds_sum{outcome="success",upstream="ads"} 0.01
        blastwall_call_duration_seconds_count{outcome="success",upstream="inventory"} 2
        blastwall_call_duration_seconds_sum{outcome="success",upstream="inventory"} 0.04
        blastwall_call_duration_seconds_count{outcome="success",upstream="payments"} 1
        blastwall_call_duration_seconds_sum{outcome="success",upstream="payments"} 0.01
        blastwall_call_duration_seconds_count{outcome="success",upstream="recommendations"} 3
        blastwall_call_duration_seconds_sum{outcome="success",upstream="recommendations"} 0.14
        blastwall_call_duration_seconds_count{outcome="success",upstream="search"} 1
        blastwall_call_duration_seconds_sum{outcome="success",upstream="search"} 0.1
        # TYPE blastwall_call_duration_seconds_max gauge
        blastwall_call_duration_seconds_max{outcome="budget_exhausted",upstream="inventory"} 0.01
        blastwall_call_duration_seconds_max{outcome="failure",upstream="inventory"} 0.01
        blastwall_call_duration_seconds_max{outcome="failure",upstream="payments"} 0.01
        blastwall_call_duration_seconds_max{outcome="rejected",upstream="ads"} 0.0
        blastwall_call_duration_seconds_max{outcome="rejected",upstream="payments"} 0.0
        blastwall_call_duration_seconds_max{outcome="rejected",upstream="search"} 0.0
        blastwall_call_duration_seconds_max{outcome="success",upstream="ads"} 0.01
        blastwall_call_duration_seconds_max{outcome="success",upstream="inventory"} 0.03
        blastwall_call_duration_seconds_max{outcome="success",upstream="payments"} 0.01
        blastwall_call_duration_seconds_max{outcome="success",upstream="recommendations"} 0.1
        blastwall_call_duration_seconds_max{outcome="success",upstream="search"} 0.1
        # TYPE blastwall_calls_total counter
        blastwall_calls_total{outcome="budget_exhausted",upstream="ads"} 0.0
        blastwall_calls_total{outcome="budget_exhausted",upstream="inventory"} 1.0
        blastwall_calls_total{outcome="budget_exhausted",upstream="payments"} 0.0
        blastwall_calls_total{outcome="budget_exhausted",upstream="recommendations"} 0.0
        blastwall_calls_total{outcome="budget_exhausted",upstream="search"} 0.0
        blastwall_calls_total{outcome="cancelled",upstream="ads"} 0.0
        blastwall_calls_total{outcome="cancelled",upstream="inventory"} 0.0
        blastwall_calls_total{outcome="cancelled",upstream="payments"} 0.0
        blastwall_calls_total{outcome="cancelled",upstream="recommendations"} 0.0
        blastwall_calls_total{outcome="cancelled",upstream="search"} 0.0
        blastwall_calls_total{outcome="deadline_exceeded",upstream="ads"} 0.0
        blastwall_calls_total{outcome="deadline_exceeded",upstream="inventory"} 0.0
        blastwall_calls_total{outcome="deadline_exceeded",upstream="payments"} 0.0
        blastwall_calls_total{outcome="deadline_exceeded",upstream="recommendations"} 0.0
        blastwall_calls_total{outcome="deadline_exceeded",upstream="search"} 0.0
        blastwall_calls_total{outcome="failure",upstream="ads"} 0.0
        blastwall_calls_total{outcome="failure",upstream="inventory"} 1.0
        blastwall_calls_total{outcome="failure",upstream="payments"} 2.0
        blastwall_calls_total{outcome="failure",upstream="recommendations"} 0.0
        blastwall_calls_total{outcome="failure",upstream="search"} 0.0
        blastwall_calls_total{outcome="rejected",upstream="ads"} 1.0
        blastwall_calls_total{outcome="rejected",upstream="inventory"} 0.0
        blastwall_calls_total{outcome="rejected",upstream="payments"} 1.0
        blastwall_calls_total{outcome="rejected",upstream="recommendations"} 0.0
        blastwall_calls_total{outcome="rejected",upstream="search"} 1.0
        blastwall_calls_total{outcome="retries_exhausted",upstream="ads"} 0.0
        blastwall_calls_total{outcome="retries_exhausted",upstream="inventory"} 0.0
        blastwall_calls_total{outcome="retries_exhausted",upstream="payments"} 0.0
        blastwall_calls_total{outcome="retries_exhausted",upstream="recommendations"} 0.0
        blastwall_calls_total{outcome="retries_exhausted",upstream="search"} 0.0
        blastwall_calls_total{outcome="success",upstream="ads"} 1.0
        blastwall_calls_total{outcome="success",upstream="inventory"} 2.0
        blastwall_calls_total{outcome="success",upstream="payments"} 1.0
        blastwall_calls_total{outcome="success",upstream="recommendations"} 3.0
        blastwall_calls_total{outcome="success",upstream="search"} 1.0
        blastwall_calls_total{outcome="timeout",upstream="ads"} 0.0
        blastwall_calls_total{outcome="timeout",upstream="inventory"} 0.0
        blastwall_calls_total{outcome="timeout",upstream="payments"} 0.0
        blastwall_calls_total{outcome="timeout",upstream="recommendations"} 0.0
        blastwall_calls_total{outcome="timeout",upstream="search"} 0.0
        # TYPE blastwall_concurrency_in_flight gauge
        blastwall_concurrency_in_flight{name="api"} 2.0
        # TYPE blastwall_concurrency_limit gauge
        blastwall_concurrency_limit{name="api"} 3.0
        # TYPE blastwall_hedge_budget_balance gauge
        blastwall_hedge_budget_balance{upstream="recommendations"} 0.5
        # TYPE blastwall_hedge_budget_refusals_total counter
        blastwall_hedge_budget_refusals_total{upstream="recommendations"} 1.0
        # TYPE blastwall_hedges_won_total counter
        blastwall_hedges_won_total{upstream="recommendations"} 1.0
        # TYPE blastwall_queue_accepted_total counter
        blastwall_queue_accepted_total{name="api"} 1.0
        # TYPE blastwall_queue_capacity gauge
        blastwall_queue_capacity{name="api"} 1.0
        # TYPE blastwall_queue_served_total counter
        blastwall_queue_served_total{name="api"} 0.0
        # TYPE blastwall_queue_shed_total counter
        blastwall_queue_shed_total{name="api",reason="deadline"} 0.0
        blastwall_queue_shed_total{name="api",reason="expired"} 0.0
        blastwall_queue_shed_total{name="api",reason="full"} 1.0
        blastwall_queue_shed_total{name="api",reason="stale"} 0.0
        # TYPE blastwall_queue_size gauge
        blastwall_queue_size{name="api"} 1.0
        # TYPE blastwall_ratelimiter_available gauge
        blastwall_ratelimiter_available{upstream="ads"} 0.0
        # TYPE blastwall_ratelimiter_rejections_total counter
        blastwall_ratelimiter_rejections_total{upstream="ads"} 1.0
        # TYPE blastwall_retry_budget_balance gauge
        blastwall_retry_budget_balance{upstream="ads"} 100.0
        blastwall_retry_budget_balance{upstream="inventory"} 0.0
        blastwall_retry_budget_balance{upstream="payments"} 100.0
        blastwall_retry_budget_balance{upstream="search"} 100.0
        # TYPE blastwall_retry_budget_refusals_total counter
        blastwall_retry_budget_refusals_total{upstream="ads"} 0.0
        blastwall_retry_budget_refusals_total{upstream="inventory"} 1.0
        blastwall_retry_budget_refusals_total{upstream="payments"} 0.0
        blastwall_retry_budget_refusals_total{upstream="search"} 0.0
        """));
  }

  @Test
  void theDurationHistogramCountsEachCallInTheBucketOfItsLatency() throws Exception {
    UpstreamRegistry upstreams = upstreams();
    BlastwallMetrics.bind(upstreams, prometheus, 1);
    runTheSequence(upstreams);

    // recommendations answered in 10, 30 (a hedge won) and 100 ms.
    List<String> buckets = scraped("blastwall_call_duration_seconds_bucket{outcome=\"success\","
        + "upstream=\"recommendations\"");
    assertThat(buckets).contains(
        bucket("0.009786708", 0), bucket("0.011184809", 1), bucket("0.027962026", 1), bucket("0.033554431", 2),
        bucket("0.089478485", 2), bucket("0.111848106", 3), bucket("30.0", 3), bucket("+Inf", 3));
    assertThat(buckets).hasSize(69);
  }

  private static String bucket(String le, int count) {
    return "blastwall_call_duration_seconds_bucket{outcome=\"success\",upstream=\"recommendations\",le=\""
        + le + "\"} " + count;
  }

  private static List<String> lines(String block) {
    return block.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }

  private void serverSide() {
    // Two slots, one kept for CRITICAL_PLUS: a CRITICAL request is admitted, a SHEDDABLE one shed (its limit is
    // the one slot left), a CRITICAL_PLUS one admitted into the reserved slot.
    AdmissionController admission = AdmissionController.builder("api", 2).reserve(Criticality.CRITICAL_PLUS, 0.5)
        .build();
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder("api", Limit.fixed(3)).ticker(ticker).build();
    BoundedWorkQueue<String> queue = BoundedWorkQueue.<String>builder("api", 1, (item, refusal) -> {})
        .ticker(ticker).build();
    BlastwallMetrics.bind(admission, prometheus);
    BlastwallMetrics.bind(limiter, prometheus);
    BlastwallMetrics.bind(queue, prometheus);

    assertThat(admission.tryAdmit(Criticality.CRITICAL)).isTrue();
    assertThat(admission.tryAdmit(Criticality.SHEDDABLE)).isFalse();
    assertThat(admission.tryAdmit(Criticality.CRITICAL_PLUS)).isTrue();
    Listener first = limiter.acquire();
    Listener second = limiter.acquire();
    queue.submit("first", CallContext.ROOT);
    assertThatThrownBy(() -> queue.submit("second", CallContext.ROOT)).isInstanceOf(OverloadedException.class);
    assertThat(List.of(first, second)).hasSize(2);
  }
}
