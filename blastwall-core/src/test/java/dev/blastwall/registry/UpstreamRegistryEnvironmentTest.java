package dev.blastwall.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.testing.FakeEnvironment;
import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.Environment;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** A registry given one environment: every pipeline and policy it builds runs on that one ticker and scheduler. */
class UpstreamRegistryEnvironmentTest {

  private final FakeEnvironment fake = new FakeEnvironment();

  private static String down() {
    throw new RemoteFailure(FailureKind.UNAVAILABLE, "down");
  }

  private static void put(Map<String, String> config, String upstream, String... lines) {
    for (String line : lines) {
      int equals = line.indexOf('=');
      config.put("upstreams." + upstream + "." + line.substring(0, equals), line.substring(equals + 1));
    }
  }

  @Test
  void oneAdvanceOfTheEnvironmentMovesTheBreakerBudgetHedgeAndDeadlineOfEveryPipeline() throws Exception {
    Map<String, String> config = new HashMap<>();
    put(config, "inventory", "idempotent=true", "retry.max-attempts=2", "retry.backoff=none",
        "retry.budget.percent=10", "retry.budget.min-per-second=2", "retry.budget.window=1s",
        "breaker.minimum-calls=2", "breaker.window=2", "breaker.open=1s");
    put(config, "search", "idempotent=true", "hedge.percentile=95", "hedge.min-delay=100ms", "timeout=500ms");
    UpstreamRegistry registry = UpstreamRegistry.fromConfig(config, fake.environment());
    Pipeline inventory = registry.pipeline("inventory");
    Pipeline search = registry.pipeline("search");
    assertThat(registry.environment()).isSameAs(fake.environment());
    assertThat(inventory.environment()).isSameAs(fake.environment());
    assertThat(search.environment()).isSameAs(fake.environment());

    // Inventory: two failed attempts (the retry spends the budget) open the breaker.
    assertThatThrownBy(() -> inventory.call(UpstreamRegistryEnvironmentTest::down))
        .isInstanceOf(RetriesExhaustedException.class);
    assertThatThrownBy(() -> inventory.call(() -> "ok")).isInstanceOf(CallNotPermittedException.class);
    // The reserve is 2 retries (2 per second over 1 s); the retry took one, the two requests gave back 0.2.
    assertThat(registry.state("inventory").retryBudgetBalance()).isCloseTo(1.2, Offset.offset(1e-9));
    // Search: an attempt that never answers; the hedge is due after 100 ms, the deadline after 500 ms.
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> searching = search.callAsync(() -> {
      attempts.incrementAndGet();
      return new CompletableFuture<>();
    });
    assertThat(attempts).hasValue(1);

    fake.advance(Duration.ofMillis(1_100));

    // The scheduler ran the hedge and the deadline on the same clock...
    assertThat(attempts).as("hedged once, by the environment's scheduler").hasValue(2);
    assertThatThrownBy(searching::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(DeadlineExceededException.class);
    // ...that ended the breaker's open time and let the budget's window pass.
    assertThat(registry.state("inventory").retryBudgetBalance()).isCloseTo(2.0, Offset.offset(1e-9));
    assertThat(inventory.call(() -> "ok")).as("the breaker lets a probe through").isEqualTo("ok");
  }

  @Test
  void pipelineBuilder_startsOnTheRegistrysEnvironment() {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment());

    Pipeline search = registry.pipelineBuilder("search").build();
    registry.register("search", search);

    assertThat(search.environment()).isSameAs(fake.environment());
    assertThat(new UpstreamRegistry().environment()).isSameAs(Environment.system());
  }

  @Test
  void aPipelineOnAnotherTicker_isRefused() {
    UpstreamRegistry registry = new UpstreamRegistry(fake.environment());
    Pipeline elsewhere = Pipeline.builder("search").ticker(new FakeTicker()).build();

    assertThatThrownBy(() -> registry.register("search", elsewhere))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pipeline: for \"search\" on FakeTicker[0 ns] (expected: a pipeline on the registry's ticker"
            + " (FakeTicker[0 ns]): build it with pipelineBuilder(\"search\") or Pipeline.builder(...).environment(...))");
    assertThatThrownBy(() -> registry.getOrCreate("search", name -> Pipeline.builder(name).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("pipeline: for \"search\" on ");
    assertThat(registry.upstreams()).isEmpty();
  }

  @Test
  void aNullEnvironment_isAnErrorInTheProjectsFormat() {
    assertThatThrownBy(() -> new UpstreamRegistry(nullEnvironment()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("environment: null (expected: an Environment, e.g. Environment.system())");
    assertThatThrownBy(() -> UpstreamRegistry.fromConfig(Map.of(), nullEnvironment()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("environment: null (expected: ");
  }

  @SuppressWarnings("NullAway") // The point: a caller outside the null-checked build passes null.
  private static Environment nullEnvironment() {
    return null;
  }
}
