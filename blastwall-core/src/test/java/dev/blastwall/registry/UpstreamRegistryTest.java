package dev.blastwall.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.ratelimit.TokenBucketRateLimiter;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeEnvironment;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The registry built from code: lookup, registration rules, isolation between upstreams, and states. */
class UpstreamRegistryTest {

  private final FakeEnvironment fake = new FakeEnvironment();
  private final FakeTicker ticker = fake.ticker();

  private Pipeline.Builder pipeline(String upstream) {
    return Pipeline.builder(upstream).environment(fake.environment());
  }

  private static String fail() {
    throw new RemoteFailure(FailureKind.UNAVAILABLE, "down");
  }

  // --- lookup ---------------------------------------------------------------------------------------------------

  @Test
  void registeredPipelinesAreFoundByName() {
    Pipeline inventory = pipeline("inventory").build();
    Pipeline payments = pipeline("payments").build();
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment()).register("payments", payments).register("inventory", inventory);

    assertThat(registry.pipeline("inventory")).isSameAs(inventory);
    assertThat(registry.pipeline("payments")).isSameAs(payments);
    assertThat(registry.upstreams()).containsExactly("inventory", "payments");
    assertThat(registry.states()).extracting(UpstreamState::upstream).containsExactly("inventory", "payments");
    assertThat(registry).hasToString("UpstreamRegistry[inventory, payments]");
  }

  @Test
  void anUnknownUpstreamIsAnErrorThatListsTheKnownOnes() {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment());
    assertThatThrownBy(() -> registry.pipeline("inventory"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upstream: \"inventory\" (expected: a registered upstream; none is registered)");

    registry.register("payments", pipeline("payments").build()).register("inventory", pipeline("inventory").build());

    assertThatThrownBy(() -> registry.pipeline("invntory"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upstream: \"invntory\" (expected: a registered upstream, one of: inventory, payments)");
    assertThatThrownBy(() -> registry.state("invntory"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upstream: \"invntory\" (expected: a registered upstream, one of: inventory, payments)");
  }

  @Test
  void upstreamsIsASnapshot() {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment()).register("inventory", pipeline("inventory").build());
    var names = registry.upstreams();

    registry.register("payments", pipeline("payments").build());

    assertThat(names).containsExactly("inventory");
    assertThatThrownBy(() -> names.add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  // --- registration rules ---------------------------------------------------------------------------------------

  @Test
  void anUpstreamIsRegisteredOnce() {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment()).register("inventory", pipeline("inventory").build());

    assertThatThrownBy(() -> registry.register("inventory", pipeline("inventory").build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("upstream: \"inventory\" (expected: one pipeline per upstream; this one is registered already)");
  }

  @Test
  void aPipelineIsRegisteredUnderItsOwnName() {
    Pipeline payments = pipeline("payments").build();

    assertThatThrownBy(() -> new UpstreamRegistry(fake.environment()).register("inventory", payments))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pipeline: " + payments
            + " (expected: a pipeline built for upstream \"inventory\" (Pipeline.builder(\"inventory\")))");
    assertThatThrownBy(() -> new UpstreamRegistry(fake.environment()).register(" ", payments))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upstream: \" \" (expected: a non-blank name)");
  }

  @Test
  void upstreamsMayNotSharePolicies() {
    CircuitBreaker breaker = CircuitBreaker.builder("shared").ticker(ticker).build();
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("shared").build();
    TokenBucketRateLimiter limiter =
        TokenBucketRateLimiter.builder(10, 10, Duration.ofSeconds(1)).ticker(ticker).build();
    RetryBudget budget = RetryBudget.ratio().ticker(ticker).build();
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment()).register("inventory", pipeline("inventory")
        .circuitBreaker(breaker).bulkhead(bulkhead).rateLimiter(limiter, Duration.ZERO).retryBudget(budget)
        .build());

    assertShared(registry, pipeline("payments").circuitBreaker(breaker), "circuit breaker");
    assertShared(registry, pipeline("payments").bulkhead(bulkhead), "bulkhead");
    assertShared(registry, pipeline("payments").rateLimiter(limiter, Duration.ZERO), "rate limiter");
    assertShared(registry, pipeline("payments").retryBudget(budget), "retry budget");
    assertShared(registry, pipeline("payments").hedge(HedgePolicy.afterDelay(Duration.ofMillis(10)))
        .hedgeBudget(budget), "hedge budget");
    assertThat(registry.upstreams()).containsExactly("inventory");

    // The unlimited budget keeps no account, so sharing it shares nothing.
    registry.register("search", pipeline("search").retryBudget(RetryBudget.unlimited()).build())
        .register("payments", pipeline("payments").retryBudget(RetryBudget.unlimited()).build());
    assertThat(registry.upstreams()).containsExactly("inventory", "payments", "search");
  }

  private static void assertShared(UpstreamRegistry registry, Pipeline.Builder builder, String what) {
    assertThatThrownBy(() -> registry.register("payments", builder.build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pipeline: for \"payments\" (expected: its own " + what
            + ", not the one upstream \"inventory\" uses (one upstream's trouble must not reach another))");
  }

  // --- getOrCreate ----------------------------------------------------------------------------------------------

  @Test
  void getOrCreateCreatesOnceThenReturnsTheSamePipeline() {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment());
    AtomicInteger created = new AtomicInteger();

    Pipeline first = registry.getOrCreate("inventory", name -> {
      created.incrementAndGet();
      return pipeline(name).build();
    });
    Pipeline second = registry.getOrCreate("inventory", name -> {
      throw new AssertionError("not called again");
    });

    assertThat(second).isSameAs(first).isSameAs(registry.pipeline("inventory"));
    assertThat(created).hasValue(1);
  }

  @Test
  void concurrentGetOrCreateCreatesOnePipeline() throws Exception {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment());
    AtomicInteger created = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    int threads = 8;
    List<Future<Pipeline>> results = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          go.await();
          return registry.getOrCreate("inventory", name -> {
            created.incrementAndGet();
            return registry.pipelineBuilder(name).build();
          });
        }));
      }
      go.countDown();
      Pipeline winner = results.get(0).get(10, TimeUnit.SECONDS);
      for (Future<Pipeline> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isSameAs(winner);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(created).hasValue(1);
  }

  @Test
  void aCreatedPipelineThatBreaksTheRulesIsNotRegistered() {
    CircuitBreaker breaker = CircuitBreaker.builder("inventory").ticker(ticker).build();
    UpstreamRegistry registry =
        new UpstreamRegistry(fake.environment()).register("inventory", pipeline("inventory").circuitBreaker(breaker).build());

    assertThatThrownBy(() -> registry.getOrCreate("payments", name -> pipeline(name).circuitBreaker(breaker).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("its own circuit breaker");
    assertThatThrownBy(() -> registry.getOrCreate("search", name -> pipeline("other").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("built for upstream \"search\"");

    assertThat(registry.upstreams()).containsExactly("inventory");
  }

  // --- isolation ------------------------------------------------------------------------------------------------

  @Test
  void oneUpstreamsOpenBreakerAndFullBulkheadDoNotAffectAnothersCalls() throws Exception {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment());
    for (String upstream : List.of("inventory", "payments")) {
      registry.register(upstream, pipeline(upstream)
          .circuitBreaker(CircuitBreaker.builder(upstream).ticker(ticker).minimumCalls(3).build())
          .bulkhead(SemaphoreBulkhead.builder(upstream).maxConcurrentCalls(1).build())
          .build());
    }
    Pipeline inventory = registry.pipeline("inventory");
    Pipeline payments = registry.pipeline("payments");

    for (int call = 0; call < 3; call++) {
      assertThatThrownBy(() -> inventory.call(UpstreamRegistryTest::fail)).isInstanceOf(RemoteFailure.class);
    }
    assertThatThrownBy(() -> inventory.call(() -> "ok")).isInstanceOf(CallNotPermittedException.class);

    assertThat(payments.call(() -> "paid")).isEqualTo("paid");
    assertThat(breakerOf(registry.state("inventory")).state()).isEqualTo(CircuitBreaker.State.OPEN);
    CircuitBreaker.Snapshot healthy = breakerOf(registry.state("payments"));
    assertThat(healthy.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(healthy.calls()).isEqualTo(1);
    assertThat(healthy.failures()).isZero();

    // Payments' only slot taken by a call in flight: inventory is not affected (once it has recovered itself).
    ticker.advance(Duration.ofSeconds(10));
    CompletableFuture<String> slow = new CompletableFuture<>();
    CompletableFuture<String> paying = payments.callAsync(() -> slow);
    assertThatThrownBy(() -> payments.call(() -> "second")).isInstanceOf(BulkheadFullException.class);
    assertThat(inventory.call(() -> "in stock")).isEqualTo("in stock");
    slow.complete("paid");
    assertThat(paying).isCompletedWithValue("paid");
  }

  // --- states ---------------------------------------------------------------------------------------------------

  @Test
  void statesReflectWhatThePoliciesSaw() throws Exception {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment())
        .register("inventory", pipeline("inventory")
            .idempotency(Idempotency.IDEMPOTENT)
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
            // A reserve of 10 retries (1 per second over 10 s); each request adds 0.1.
            .retryBudget(RetryBudget.ratio().percentCanRetry(0.1).minRetriesPerSecond(1).ticker(ticker).build())
            .circuitBreaker(CircuitBreaker.builder("inventory").ticker(ticker).minimumCalls(20).build())
            .bulkhead(SemaphoreBulkhead.builder("inventory").maxConcurrentCalls(5).build())
            .build())
        .register("search", pipeline("search")
            .hedge(HedgePolicy.afterDelay(Duration.ofMillis(10)))
            .build());

    UpstreamState fresh = registry.state("inventory");
    assertThat(fresh.breaker()).isEqualTo(
        new CircuitBreaker.Snapshot(CircuitBreaker.State.CLOSED, 0, 0, 0, 0, 0, 0, 0, -1, 0));
    assertThat(fresh.bulkhead()).isEqualTo(new SemaphoreBulkhead.Snapshot(5, 0, 0, 0, 0));
    assertThat(fresh.retryBudgetBalance()).isEqualTo(10.0);

    // Two calls, each failing all three attempts: 6 attempts, 4 retries.
    for (int call = 0; call < 2; call++) {
      assertThatThrownBy(() -> registry.pipeline("inventory").call(UpstreamRegistryTest::fail))
          .hasMessageContaining("gave up after 3 attempts");
    }
    CompletableFuture<String> inFlight = registry.pipeline("inventory").callAsync(CompletableFuture::new);

    UpstreamState busy = registry.state("inventory");
    assertThat(breakerOf(busy).calls()).isEqualTo(6);
    assertThat(breakerOf(busy).failures()).isEqualTo(6);
    assertThat(breakerOf(busy).failureRate()).isEqualTo(100.0);
    assertThat(busy.bulkhead()).isEqualTo(new SemaphoreBulkhead.Snapshot(5, 1, 0, 0, 7));
    assertThat(busy.retryBudgetBalance()).as("10 + 3 requests * 0.1 - 4 retries").isCloseTo(6.3, within());
    inFlight.cancel(true);
    assertThat(registry.state("inventory").bulkhead()).extracting(SemaphoreBulkhead.Snapshot::inUse).isEqualTo(0);

    // The search pipeline hedges: its hedge budget (5% of requests by default) shows the requests it saw.
    for (int call = 0; call < 40; call++) {
      CompletableFuture<String> answer = registry.pipeline("search").callAsync(Idempotency.IDEMPOTENT,
          () -> CompletableFuture.completedFuture("found"));
      assertThat(answer).isCompletedWithValue("found");
    }
    UpstreamState search = registry.state("search");
    assertThat(search.breaker()).isNull();
    assertThat(search.bulkhead()).isNull();
    assertThat(search.hedgeBudgetBalance()).isCloseTo(10 + 2.0, within());
    assertThat(registry.states()).extracting(UpstreamState::upstream).containsExactly("inventory", "search");
  }

  @Test
  void settingsDescribeThePipeline() {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment())
        .register("inventory", pipeline("inventory")
            .timeout(Duration.ofMillis(300))
            .attemptTimeout(Duration.ofMillis(100))
            .idempotency(Idempotency.IDEMPOTENT)
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(20))).build())
            .retryBudget(RetryBudget.ratio().percentCanRetry(0.2).minRetriesPerSecond(5).ticker(ticker).build())
            .circuitBreaker(CircuitBreaker.builder("inventory").ticker(ticker).build())
            .rateLimiter(TokenBucketRateLimiter.builder(50, 100, Duration.ofSeconds(1)).ticker(ticker).build(),
                Duration.ofMillis(10))
            .bulkhead(SemaphoreBulkhead.builder("inventory").maxConcurrentCalls(25).maxWaiting(2)
                .maxWait(Duration.ofMillis(5)).build())
            .build())
        .register("search", pipeline("search").hedge(HedgePolicy.afterDelay(Duration.ofMillis(50)))
            .retryBudget(RetryBudget.unlimited()).build());

    assertThat(registry.state("inventory").settings()).isEqualTo("Pipeline[inventory, timeout=PT0.3S, "
        + "RetryPolicy[maxAttempts=3, backoff=ConstantBackoff[delay=PT0.02S]], attemptTimeout=PT0.1S], "
        + "idempotency=idempotent, "
        + "retryBudget=ratio[percentCanRetry=0.2, window=PT10S, minRetriesPerSecond=5], "
        + "hedgeBudget=ratio[percentCanRetry=0.05, window=PT10S, minRetriesPerSecond=1], "
        + "circuitBreaker=inventory, "
        + "rateLimiter=TokenBucketRateLimiter[capacity=50, refill=100 per PT1S], "
        + "bulkhead=[maxConcurrentCalls=25, maxWaiting=2, maxWait=PT0.005S]");
    assertThat(registry.state("search").settings()).isEqualTo("Pipeline[search, timeout=none, "
        + "HedgePolicy[after PT0.05S, maxExtraAttempts=1], attemptTimeout=none], idempotency=non-idempotent, "
        + "retryBudget=unlimited, hedgeBudget=ratio[percentCanRetry=0.05, window=PT10S, minRetriesPerSecond=1]");
  }

  @Test
  void aStateNeedsAName() {
    assertThatThrownBy(() -> new UpstreamState("", null, null, 0, 0, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upstream: \"\" (expected: a non-blank name)");
    assertThat(new UpstreamState("a", null, null, 1, 2, "s")).isEqualTo(new UpstreamState("a", null, null, 1, 2, "s"));
  }

  private static Offset<Double> within() {
    return Offset.offset(1e-9);
  }

  private static CircuitBreaker.Snapshot breakerOf(UpstreamState state) {
    CircuitBreaker.Snapshot snapshot = state.breaker();
    if (snapshot == null) {
      throw new AssertionError("no breaker in " + state);
    }
    return snapshot;
  }

  // --- watching registrations -----------------------------------------------------------------------------------

  @Test
  void forEachPipelineSeesEveryPipelineOnceNowAndLaterUntilClosed() {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment()).register("payments", pipeline("payments").build())
        .register("inventory", pipeline("inventory").build());
    List<String> seen = new ArrayList<>();

    var subscription = registry.forEachPipeline(pipeline -> seen.add(pipeline.upstream()));
    registry.getOrCreate("search", name -> pipeline(name).build());
    registry.getOrCreate("search", name -> pipeline(name).build());
    subscription.close();
    registry.register("ads", pipeline("ads").build());

    assertThat(seen).containsExactly("inventory", "payments", "search");
  }

  @Test
  void aWatcherThatThrowsFailsTheRegistrationItWasToldOfWhichStaysRegistered() {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment());
    registry.forEachPipeline(pipeline -> {
      throw new IllegalStateException("watcher broke on " + pipeline.upstream());
    });

    assertThatThrownBy(() -> registry.register("ads", pipeline("ads").build()))
        .isInstanceOf(IllegalStateException.class).hasMessage("watcher broke on ads");
    assertThat(registry.upstreams()).containsExactly("ads");
  }
}
