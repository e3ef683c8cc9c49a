package dev.blastwall.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.config.FlatConfig;
import dev.blastwall.failure.AttemptTimeoutException;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.ratelimit.RateLimiter;
import dev.blastwall.testing.FakeEnvironment;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.data.Offset;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The registry built from a configuration map: every key, its effect, and the message for every bad value. */
class UpstreamRegistryConfigTest {

  private static final long MS = 1_000_000L;

  private final FakeEnvironment fake = new FakeEnvironment();
  private final FakeTicker ticker = fake.ticker();
  private final FakeScheduler scheduler = fake.scheduler();
  private UpstreamRegistry fromConfig(Map<String, String> config) {
    return UpstreamRegistry.fromConfig(config, fake.environment());
  }

  /** {@code key=value} lines, keys relative to {@code upstreams.<upstream>.}. */
  private static Map<String, String> config(String upstream, String... lines) {
    Map<String, String> config = new HashMap<>();
    for (String line : lines) {
      int equals = line.indexOf('=');
      config.put("upstreams." + upstream + "." + line.substring(0, equals), line.substring(equals + 1));
    }
    return config;
  }

  private static String down() {
    throw new RemoteFailure(FailureKind.UNAVAILABLE, "down");
  }

  private static <T> T nonNull(@Nullable T value) {
    if (value == null) {
      throw new AssertionError("expected a value");
    }
    return value;
  }

  // --- the keys and what they set -------------------------------------------------------------------------------

  @Test
  void timeoutsRetriesAndIdempotencyShapeTheCalls() throws Exception {
    Pipeline inventory = fromConfig(config("inventory", "timeout=300ms", "attempt-timeout=100ms",
        "idempotent=true", "retry.max-attempts=3", "retry.backoff=constant", "retry.base=20ms"))
        .pipeline("inventory");
    List<Long> starts = new ArrayList<>();

    long begin = ticker.nanos();
    assertThatThrownBy(() -> inventory.call(() -> {
      starts.add(ticker.nanos() - begin);
      scheduler.sleep(1000 * MS);
      return "late";
    })).isInstanceOf(DeadlineExceededException.class);

    // Attempts of 100 ms each, 20 ms apart, the last one cut off by the 300 ms deadline.
    assertThat(starts).containsExactly(0L, 120 * MS, 240 * MS);
    assertThat(ticker.nanos() - begin).isEqualTo(300 * MS);

    starts.clear();
    long again = ticker.nanos();
    assertThatThrownBy(() -> inventory.call(() -> {
      starts.add(ticker.nanos() - again);
      return down();
    })).isInstanceOf(RetriesExhaustedException.class).hasMessageContaining("gave up after 3 attempts");
    assertThat(starts).containsExactly(0L, 20 * MS, 40 * MS);

    Pipeline once = fromConfig(config("payments", "idempotent=false", "attempt-timeout=50ms",
        "retry.max-attempts=3")).pipeline("payments");
    assertThatThrownBy(() -> once.call(() -> {
      scheduler.sleep(1000 * MS);
      return "late";
    })).isInstanceOfSatisfying(AttemptTimeoutException.class,
        timedOut -> assertThat(timedOut.attempts()).as("a non-idempotent call is not retried").isEqualTo(1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "retry.backoff=full-jitter | retry.base=50ms  | retry.cap=2s   | FullJitterBackoff[base=PT0.05S, cap=PT2S]",
      "retry.backoff=equal-jitter| retry.base=50ms  | retry.cap=2s   | EqualJitterBackoff[base=PT0.05S, cap=PT2S]",
      "retry.backoff=decorrelated| retry.base=100us | retry.cap=1m   | DecorrelatedJitterBackoff[base=PT0.0001S, cap=PT1M]",
      "retry.backoff=constant    | retry.base=500ns | idempotent=true| ConstantBackoff[delay=PT0.0000005S]",
      "retry.backoff=none        | idempotent=true  | timeout=1s     | ConstantBackoff[none]",
      "retry.backoff=FULL-JITTER | idempotent=true  | timeout=1s     | FullJitterBackoff[base=PT0.1S, cap=PT10S]",
      "retry.max-attempts=2      | idempotent=true  | timeout=1s     | FullJitterBackoff[base=PT0.1S, cap=PT10S]",
  })
  void everyBackoffCanBeChosen(String first, String second, String third, String backoff) {
    UpstreamRegistry registry = fromConfig(config("inventory", first.strip(), second.strip(), third.strip()));

    assertThat(registry.state("inventory").settings()).contains("backoff=" + backoff + "]");
  }

  @Test
  void theRetryBudgetIsTheUpstreamsOwn() throws Exception {
    UpstreamRegistry registry = fromConfig(config("inventory", "idempotent=true", "retry.max-attempts=2",
        "retry.backoff=none", "retry.budget.percent=10", "retry.budget.min-per-second=2",
        "retry.budget.window=5s"));

    assertThat(registry.state("inventory").settings())
        .contains("retryBudget=ratio[percentCanRetry=0.1, window=PT5S, minRetriesPerSecond=2]");
    // The reserve: 2 per second over 5 s. Each request adds 0.1, each retry takes 1.
    assertThat(registry.state("inventory").retryBudgetBalance()).isEqualTo(10.0);
    assertThatThrownBy(() -> registry.pipeline("inventory").call(UpstreamRegistryConfigTest::down))
        .isInstanceOf(RetriesExhaustedException.class);
    assertThat(registry.state("inventory").retryBudgetBalance()).isCloseTo(9.1, Offset.offset(1e-9));
  }

  @Test
  void hedgingAfterAFixedDelayOrALearnedPercentile() {
    UpstreamRegistry registry = fromConfig(merge(
        config("search", "hedge.percentile=99", "hedge.min-delay=50ms", "hedge.max-extra=2", "idempotent=true"),
        config("catalog", "hedge.delay=30ms", "idempotent=true")));

    assertThat(registry.state("search").settings())
        .contains("HedgePolicy[after p99.0 (at least PT0.05S), maxExtraAttempts=2]");
    assertThat(registry.state("catalog").settings()).contains("HedgePolicy[after PT0.03S, maxExtraAttempts=1]");

    // The fixed delay, end to end. The hedge budget (5% of requests, no floor) first needs 20 requests.
    for (int call = 0; call < 20; call++) {
      assertThat(registry.pipeline("catalog").callAsync(() -> CompletableFuture.completedFuture("cached")))
          .isCompletedWithValue("cached");
    }
    long begin = ticker.nanos();
    List<Long> starts = new ArrayList<>();
    CompletableFuture<String> answer = registry.pipeline("catalog").callAsync(() -> {
      starts.add(ticker.nanos() - begin);
      CompletableFuture<String> reply = new CompletableFuture<>();
      scheduler.schedule(() -> reply.complete("found"), (starts.size() == 1 ? 500 : 10) * MS);
      return reply;
    });
    scheduler.runAll(100);
    assertThat(answer).isCompletedWithValue("found");
    assertThat(starts).as("raced by a hedge 30 ms in").containsExactly(0L, 30 * MS);
    assertThat(registry.state("catalog").hedgeBudgetBalance()).as("a floor of 10, plus 21 requests at 5%, less the hedge")
        .isCloseTo(10.05, Offset.offset(1e-9));
  }

  @Test
  void theBreakerTripsAtTheConfiguredRateOverTheConfiguredWindow() throws Exception {
    Map<String, String> settings = config("inventory", "breaker.failure-rate=50", "breaker.minimum-calls=4",
        "breaker.window=8", "breaker.open=10s", "breaker.half-open-probes=2");

    // Below the minimum of 4 calls nothing trips, however bad.
    UpstreamRegistry fewCalls = fromConfig(settings);
    for (int call = 0; call < 3; call++) {
      assertThatThrownBy(() -> fewCalls.pipeline("inventory").call(UpstreamRegistryConfigTest::down));
    }
    assertThat(breaker(fewCalls).state()).isEqualTo(CircuitBreaker.State.CLOSED);

    // Over the last 8 calls: 8 successes then 3 failures is 37.5%; the 4th failure makes it 50%.
    UpstreamRegistry registry = fromConfig(settings);
    Pipeline inventory = registry.pipeline("inventory");
    for (int call = 0; call < 8; call++) {
      inventory.call(() -> "ok");
    }
    for (int call = 0; call < 3; call++) {
      assertThatThrownBy(() -> inventory.call(UpstreamRegistryConfigTest::down));
    }
    assertThat(breaker(registry).state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker(registry).failureRate()).isEqualTo(37.5);
    assertThatThrownBy(() -> inventory.call(UpstreamRegistryConfigTest::down));
    CircuitBreaker.Snapshot open = breaker(registry);
    assertThat(open.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(open.failures()).isEqualTo(4);
    assertThat(open.calls()).isEqualTo(8);
    assertThat(open.nanosUntilHalfOpen()).isEqualTo(Duration.ofSeconds(10).toNanos());

    // After 10 s, two probes at a time.
    ticker.advance(Duration.ofSeconds(10));
    CompletableFuture<String> first = inventory.callAsync(CompletableFuture::new);
    CompletableFuture<String> second = inventory.callAsync(CompletableFuture::new);
    assertThat(breaker(registry).probesInFlight()).isEqualTo(2);
    assertThatThrownBy(() -> inventory.call(() -> "third")).isInstanceOf(CallNotPermittedException.class);
    first.cancel(true);
    second.cancel(true);
  }

  @Test
  void aTimeWindowForgetsOldOutcomes() throws Exception {
    UpstreamRegistry registry = fromConfig(config("inventory", "breaker.window=20s"));
    for (int call = 0; call < 3; call++) {
      assertThatThrownBy(() -> registry.pipeline("inventory").call(UpstreamRegistryConfigTest::down));
    }
    assertThat(breaker(registry).calls()).isEqualTo(3);

    ticker.advance(Duration.ofSeconds(21));

    assertThat(breaker(registry).calls()).isZero();
  }

  @Test
  void theBulkheadAndTheRateLimiter() throws Exception {
    UpstreamRegistry registry = fromConfig(config("inventory", "bulkhead.max-concurrent=2",
        "bulkhead.max-waiting=3", "bulkhead.max-wait=5ms", "rate-limit.per-second=100", "rate-limit.burst=50",
        "rate-limit.max-wait=10ms"));
    Pipeline inventory = registry.pipeline("inventory");

    SemaphoreBulkhead bulkhead = nonNull(inventory.bulkhead());
    assertThat(bulkhead.maxConcurrentCalls()).isEqualTo(2);
    assertThat(bulkhead.maxWaiting()).isEqualTo(3);
    assertThat(bulkhead.maxWait()).isEqualTo(Duration.ofMillis(5));
    assertThat(registry.state("inventory").bulkhead()).isEqualTo(new SemaphoreBulkhead.Snapshot(2, 0, 0, 0, 0));
    RateLimiter limiter = nonNull(inventory.rateLimiter());
    assertThat(limiter.limit()).isEqualTo(50);
    assertThat(registry.state("inventory").settings())
        .contains("rateLimiter=TokenBucketRateLimiter[capacity=50, refill=100 per PT1S]")
        .contains("bulkhead=[maxConcurrentCalls=2, maxWaiting=3, maxWait=PT0.005S]");

    // A burst of 50, then one permit every 10 ms, and no caller waits more than 10 ms for one.
    for (int call = 0; call < 50; call++) {
      inventory.call(() -> "ok");
    }
    long before = ticker.nanos();
    List<Long> started = new ArrayList<>();
    CompletableFuture<Boolean> paced = inventory.callAsync(
        () -> CompletableFuture.completedFuture(started.add(ticker.nanos() - before)));
    assertThatThrownBy(() -> inventory.call(() -> "needs 20 ms")).isInstanceOfSatisfying(
        RateLimitedException.class, limited -> assertThat(limited.retryAfterNanos()).isEqualTo(20 * MS));
    scheduler.runAll(10);
    assertThat(paced).isCompletedWithValue(true);
    assertThat(started).containsExactly(10 * MS);
  }

  @Test
  void valuesMayCarrySurroundingBlanksAndUpstreamsAreSeparate() throws Exception {
    Map<String, String> config = merge(config("inventory", "timeout= 250ms ", "breaker.minimum-calls=1"),
        config("payments", "breaker.minimum-calls=1"));
    UpstreamRegistry registry = fromConfig(config);

    assertThat(registry.upstreams()).containsExactly("inventory", "payments");
    assertThat(registry.state("inventory").settings()).startsWith("Pipeline[inventory, timeout=PT0.25S,");
    assertThatThrownBy(() -> registry.pipeline("inventory").call(UpstreamRegistryConfigTest::down));
    assertThat(breaker(registry).state()).isEqualTo(CircuitBreaker.State.OPEN);

    assertThat(registry.pipeline("payments").call(() -> "paid")).isEqualTo("paid");
    assertThat(nonNull(registry.state("payments").breaker()).state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(UpstreamRegistry.fromConfig(Map.of(), fake.environment()).upstreams()).isEmpty();
  }

  @Test
  void everySettingIsDocumented() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
    for (String setting : FlatConfig.SETTINGS) {
      assertThat(docs).as(setting).contains("| `" + setting + "` |");
    }
  }

  // --- bad keys and values --------------------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      // key shape and unknown settings
      "inventory.timeout=1s | inventory.timeout: \"1s\" (expected: a key upstreams.<name>.<setting>)",
      "upstreams.inventory=1s | upstreams.inventory: \"1s\" (expected: a key upstreams.<name>.<setting>)",
      "upstreams..timeout=1s | upstreams..timeout: \"1s\" (expected: a key upstreams.<name>.<setting>)",
      // durations
      "upstreams.inventory.timeout=300 | upstreams.inventory.timeout: \"300\" (expected: a duration > 0 with a unit of ns, us, ms, s or m, like 300ms)",
      "upstreams.inventory.timeout=0ms | upstreams.inventory.timeout: \"0ms\" (expected: a duration > 0 with a unit of ns, us, ms, s or m, like 300ms)",
      "upstreams.inventory.timeout=5h | upstreams.inventory.timeout: \"5h\" (expected: a duration > 0 with a unit of ns, us, ms, s or m, like 300ms)",
      "upstreams.inventory.timeout=99999999999999999999ms | upstreams.inventory.timeout: \"99999999999999999999ms\" (expected: a duration > 0 with a unit of ns, us, ms, s or m, like 300ms)",
      "upstreams.inventory.attempt-timeout=-1s | upstreams.inventory.attempt-timeout: \"-1s\" (expected: a duration > 0 with a unit of ns, us, ms, s or m, like 300ms)",
      "upstreams.inventory.breaker.open=0s | upstreams.inventory.breaker.open: \"0s\" (expected: a duration > 0 with a unit of ns, us, ms, s or m, like 300ms)",
      "upstreams.inventory.hedge.delay=soon | upstreams.inventory.hedge.delay: \"soon\" (expected: a duration >= 0 with a unit of ns, us, ms, s or m, like 300ms)",
      // booleans and choices
      "upstreams.inventory.idempotent=yes | upstreams.inventory.idempotent: \"yes\" (expected: true or false)",
      "upstreams.inventory.retry.backoff=linear | upstreams.inventory.retry.backoff: \"linear\" (expected: one of full-jitter, equal-jitter, decorrelated, constant, none)",
      // integers
      "upstreams.inventory.retry.max-attempts=abc | upstreams.inventory.retry.max-attempts: \"abc\" (expected: an integer 1..10)",
      "upstreams.inventory.retry.max-attempts=11 | upstreams.inventory.retry.max-attempts: \"11\" (expected: an integer 1..10)",
      "upstreams.inventory.retry.max-attempts=0 | upstreams.inventory.retry.max-attempts: \"0\" (expected: an integer 1..10)",
      "upstreams.inventory.retry.budget.min-per-second=-1 | upstreams.inventory.retry.budget.min-per-second: \"-1\" (expected: an integer >= 0)",
      "upstreams.inventory.hedge.max-extra=5 | upstreams.inventory.hedge.max-extra: \"5\" (expected: an integer 1..4)",
      "upstreams.inventory.breaker.minimum-calls=0 | upstreams.inventory.breaker.minimum-calls: \"0\" (expected: an integer 1..100000)",
      "upstreams.inventory.breaker.half-open-probes=0 | upstreams.inventory.breaker.half-open-probes: \"0\" (expected: an integer 1..1000)",
      "upstreams.inventory.bulkhead.max-concurrent=0 | upstreams.inventory.bulkhead.max-concurrent: \"0\" (expected: an integer >= 1)",
      "upstreams.inventory.bulkhead.max-concurrent=99999999999 | upstreams.inventory.bulkhead.max-concurrent: \"99999999999\" (expected: an integer >= 1)",
      "upstreams.inventory.bulkhead.max-waiting=x | upstreams.inventory.bulkhead.max-waiting: \"x\" (expected: an integer >= 0)",
      "upstreams.inventory.rate-limit.per-second=0 | upstreams.inventory.rate-limit.per-second: \"0\" (expected: an integer 1..1000000000)",
      // numbers
      "upstreams.inventory.breaker.failure-rate=0 | upstreams.inventory.breaker.failure-rate: \"0\" (expected: a number > 0 and <= 100)",
      "upstreams.inventory.breaker.failure-rate=100.5 | upstreams.inventory.breaker.failure-rate: \"100.5\" (expected: a number > 0 and <= 100)",
      "upstreams.inventory.breaker.failure-rate=NaN | upstreams.inventory.breaker.failure-rate: \"NaN\" (expected: a number > 0 and <= 100)",
      "upstreams.inventory.retry.budget.percent=1e2 | upstreams.inventory.retry.budget.percent: \"1e2\" (expected: a number 0..1000 (percent))",
      "upstreams.inventory.hedge.percentile=40 | upstreams.inventory.hedge.percentile: \"40\" (expected: a number 50..99.99)",
      // windows
      "upstreams.inventory.retry.budget.window=90s | upstreams.inventory.retry.budget.window: \"90s\" (expected: a duration 1s..60s with a unit of ns, us, ms, s or m, like 300ms)",
      "upstreams.inventory.breaker.window=0 | upstreams.inventory.breaker.window: \"0\" (expected: a number of calls 1..100000, or a duration > 0 with a unit of ns, us, ms, s or m, like 300ms)",
      "upstreams.inventory.breaker.window=5ns | upstreams.inventory.breaker.window: \"5ns\" (expected: a number of calls 1..100000, or a duration > 0 with a unit of ns, us, ms, s or m, like 300ms)",
  })
  void aBadEntryNamesItsKeyAndWhatWasExpected(String entry, String message) {
    int equals = entry.indexOf('=');
    Map<String, String> config = Map.of(entry.substring(0, equals).strip(), entry.substring(equals + 1).strip());

    assertThatThrownBy(() -> UpstreamRegistry.fromConfig(config, fake.environment()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message.strip());
  }

  @Test
  void anUnknownSettingListsTheKnownOnes() {
    assertThatThrownBy(() -> UpstreamRegistry.fromConfig(
        Map.of("upstreams.inventory.retry.max-atempts", "3"), fake.environment()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upstreams.inventory.retry.max-atempts: \"3\" (expected: a setting of upstream \"inventory\": "
            + "one of " + String.join(", ", FlatConfig.SETTINGS) + "; did you mean retry.max-attempts?)");
  }

  @Test
  void settingsThatDoNotFitTogether() {
    assertBad(config("inventory", "retry.base=100ms", "retry.cap=50ms"),
        "upstreams.inventory.retry.cap: \"50ms\" (expected: >= retry.base (100ms))");
    assertBad(config("inventory", "retry.base=20s"),
        "upstreams.inventory.retry.base: \"20s\" (expected: <= retry.cap (10s, the default))");
    assertBad(config("inventory", "retry.backoff=none", "retry.base=1s"),
        "upstreams.inventory.retry.base: \"1s\" (expected: no retry.base with retry.backoff=none)");
    assertBad(config("inventory", "retry.backoff=constant", "retry.cap=1s"),
        "upstreams.inventory.retry.cap: \"1s\" (expected: no retry.cap with retry.backoff=constant)");
    assertBad(config("inventory", "hedge.delay=10ms", "retry.max-attempts=3"),
        "upstreams.inventory.retry.max-attempts: \"3\" (expected: no retry setting when hedging: a hedge already "
            + "repeats the call (set retry.* or hedge.*, not both))");
    assertBad(config("inventory", "hedge.delay=10ms", "hedge.percentile=95"),
        "upstreams.inventory.hedge.percentile: \"95\" (expected: not with hedge.delay (a fixed delay or a "
            + "learned percentile, not both))");
    assertBad(config("inventory", "breaker.window=10", "breaker.minimum-calls=20"),
        "upstreams.inventory.breaker.minimum-calls: \"20\" (expected: <= breaker.window (10 calls))");
    assertBad(config("inventory", "breaker.minimum-calls=200"),
        "upstreams.inventory.breaker.minimum-calls: \"200\" (expected: <= breaker.window (100 calls))");
    assertBad(config("inventory", "bulkhead.max-waiting=5"),
        "upstreams.inventory.bulkhead.max-waiting: \"5\" (expected: 0 unless bulkhead.max-wait is set above 0)");
    assertBad(config("inventory", "bulkhead.max-waiting=5", "bulkhead.max-wait=0ms"),
        "upstreams.inventory.bulkhead.max-wait: \"0ms\" (expected: > 0 when bulkhead.max-waiting is 5)");
    assertBad(config("inventory", "bulkhead.max-wait=10ms"),
        "upstreams.inventory.bulkhead.max-wait: \"10ms\" (expected: 0 unless bulkhead.max-waiting is set above 0)");
    assertBad(config("inventory", "rate-limit.burst=10"),
        "upstreams.inventory.rate-limit.burst: \"10\" (expected: set together with rate-limit.per-second)");
    assertBad(config("inventory", "rate-limit.per-second=10", "rate-limit.max-wait=later"),
        "upstreams.inventory.rate-limit.max-wait: \"later\" (expected: a duration >= 0 with a unit of ns, us, ms, "
            + "s or m, like 300ms)");
  }

  private void assertBad(Map<String, String> config, String message) {
    assertThatThrownBy(() -> UpstreamRegistry.fromConfig(config, fake.environment()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  private static CircuitBreaker.Snapshot breaker(UpstreamRegistry registry) {
    return nonNull(registry.state("inventory").breaker());
  }

  @SafeVarargs
  private static Map<String, String> merge(Map<String, String>... configs) {
    Map<String, String> merged = new HashMap<>();
    for (Map<String, String> config : configs) {
      merged.putAll(config);
    }
    return merged;
  }
}
