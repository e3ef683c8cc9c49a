package dev.blastwall.config;

import static dev.blastwall.config.ConfigTrees.map;
import static dev.blastwall.config.ConfigTrees.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The reader's rules one by one, on trees as any format hands them over. */
class ConfigReaderTest {

  private static final String DURATION = "a duration > 0 with a unit of ns, us, ms, s or m, like 300ms";

  private static PipelineConfig upstream(Object settings) {
    return on(ConfigReader.read(tree(map("upstreams", map("inventory", settings)))).upstreams().get("inventory"));
  }

  /** A setting the test expects to be there. */
  private static <T> T on(@Nullable T value) {
    return Objects.requireNonNull(value);
  }

  private static void assertRefused(Object settings, String message) {
    assertThatThrownBy(() -> upstream(settings)).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void anUnknownKeyIsNamedWithTheNearestValidOne() {
    assertRefused(map("retry", map("max-atempts", "3")), "upstreams.inventory.retry.max-atempts: unknown key "
        + "(expected: one of max-attempts, backoff, base, cap, budget; did you mean max-attempts?)");
    assertRefused(map("timout", "1s"), "upstreams.inventory.timout: unknown key (expected: one of timeout, "
        + "attempt-timeout, idempotent, retry, hedge, breaker, bulkhead, rate-limit; did you mean timeout?)");
    assertThatThrownBy(() -> ConfigReader.read(tree(map("severs", map()))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("severs: unknown key (expected: one of upstreams, grpc, server; did you mean server?)");
    // Nothing near: the known keys alone.
    assertRefused(map("zzzzzzzzzzzz", "1"), "upstreams.inventory.zzzzzzzzzzzz: unknown key (expected: one of "
        + "timeout, attempt-timeout, idempotent, retry, hedge, breaker, bulkhead, rate-limit)");
  }

  @Test
  void aValueOfTheWrongTypeNamesWhatWasGiven() {
    assertRefused(map("timeout", map("ms", "300")), "upstreams.inventory.timeout: a mapping (expected: " + DURATION + ")");
    assertRefused(map("timeout", List.of("1s")), "upstreams.inventory.timeout: a list (expected: " + DURATION + ")");
    assertRefused(map("retry", "3"), "upstreams.inventory.retry: \"3\" (expected: a mapping of settings)");
    assertRefused(map("idempotent", "yes"), "upstreams.inventory.idempotent: \"yes\" (expected: true or false)");
    assertRefused(map("retry", map("max-attempts", "three")), "upstreams.inventory.retry.max-attempts: \"three\" "
        + "(expected: an integer 1.." + RetryPolicy.MAX_ATTEMPTS_LIMIT + ")");
    assertRefused(map("retry", map("backoff", "sideways")), "upstreams.inventory.retry.backoff: \"sideways\" "
        + "(expected: one of full-jitter, equal-jitter, decorrelated, constant, none)");
  }

  @Test
  void aValueOutOfRangeNamesTheRange() {
    assertRefused(map("retry", map("max-attempts", "0")), "upstreams.inventory.retry.max-attempts: \"0\" "
        + "(expected: an integer 1.." + RetryPolicy.MAX_ATTEMPTS_LIMIT + ")");
    assertRefused(map("retry", map("max-attempts", "99999999999999999999")),
        "upstreams.inventory.retry.max-attempts: \"99999999999999999999\" (expected: an integer 1.."
            + RetryPolicy.MAX_ATTEMPTS_LIMIT + ")");
    assertRefused(map("bulkhead", map("max-concurrent", "-1")),
        "upstreams.inventory.bulkhead.max-concurrent: \"-1\" (expected: an integer >= 1)");
    assertRefused(map("retry", map("budget", map("window", "61s"))), "upstreams.inventory.retry.budget.window: "
        + "\"61s\" (expected: a duration 1s..60s with a unit of ns, us, ms, s or m, like 300ms)");
  }

  @Test
  void sharesRatesAndPercentilesAreFractionsOfOne() {
    assertThat(on(upstream(map("breaker", map("failure-rate", "0.5"))).breaker()).failureRate()).isEqualTo(0.5);
    assertThat(on(upstream(map("breaker", map("failure-rate", "1"))).breaker()).failureRate()).isEqualTo(1.0);
    assertThat(on(upstream(map("hedge", map("percentile", "0.95"))).hedge()).percentile()).isEqualTo(0.95);
    assertThat(on(upstream(map("retry", map("budget", map("ratio", "0.1")))).retryBudget()).ratio()).isEqualTo(0.1);
    // A percent where a fraction belongs is refused, not read as 50 times the calls.
    assertRefused(map("breaker", map("failure-rate", "50")), "upstreams.inventory.breaker.failure-rate: \"50\" "
        + "(expected: a fraction > 0 and <= 1 (0.5 is half the calls))");
    assertRefused(map("breaker", map("failure-rate", "0")), "upstreams.inventory.breaker.failure-rate: \"0\" "
        + "(expected: a fraction > 0 and <= 1 (0.5 is half the calls))");
    assertRefused(map("hedge", map("percentile", "95")), "upstreams.inventory.hedge.percentile: \"95\" "
        + "(expected: a fraction 0.5..0.9999 (0.95 is p95))");
    assertRefused(map("breaker", map("failure-rate", "5e-1")), "upstreams.inventory.breaker.failure-rate: \"5e-1\" "
        + "(expected: a fraction > 0 and <= 1 (0.5 is half the calls))");
  }

  @Test
  void theThreeLegacyPercentKeysOfTheFlatMapBecomeFractions() {
    PipelineConfig flat = on(ConfigReader.read(FlatConfig.tree(Map.of(
        "upstreams.inventory.breaker.failure-rate", "50",
        "upstreams.inventory.retry.budget.percent", "10",
        "upstreams.search.hedge.percentile", "99.9"))).upstreams().get("inventory"));
    assertThat(on(flat.breaker()).failureRate()).isEqualTo(0.5);
    assertThat(on(flat.retryBudget()).ratio()).isEqualTo(0.1);
    assertThat(on(on(ConfigReader.read(FlatConfig.tree(Map.of("upstreams.search.hedge.percentile", "99.9")))
        .upstreams().get("search")).hedge()).percentile()).isEqualTo(0.999);
    // Checked on the scale they were written in, and quoted as written.
    assertThatThrownBy(() -> FlatConfig.tree(Map.of("upstreams.inventory.breaker.failure-rate", "0.5x")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("upstreams.inventory.breaker.failure-rate: \"0.5x\" (expected: a number > 0 and <= 100)");
    assertThatThrownBy(() -> FlatConfig.tree(Map.of("upstreams.inventory.hedge.percentile", "99.999")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("upstreams.inventory.hedge.percentile: \"99.999\" (expected: a number 50..99.99)");
    assertThatThrownBy(() -> FlatConfig.tree(Map.of("upstreams.inventory.retry.budget.percent", "1001")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("upstreams.inventory.retry.budget.percent: \"1001\" (expected: a number 0..1000 (percent))");
    // The fraction key of the tree is not a flat key: the flat map keeps its one name for it.
    assertThatThrownBy(() -> FlatConfig.tree(Map.of("upstreams.inventory.retry.budget.ratio", "0.1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("upstreams.inventory.retry.budget.ratio: \"0.1\" (expected: a setting of upstream "
            + "\"inventory\": one of ");
  }

  @Test
  void durationsTakeAWholeNumberAndAUnit() {
    assertThat(upstream(map("timeout", "300ms")).timeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(upstream(map("timeout", " 2s ")).timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(upstream(map("timeout", "1m")).timeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(upstream(map("attempt-timeout", "500us")).attemptTimeout()).isEqualTo(Duration.ofNanos(500_000));
    for (String bad : List.of("300", "1.5s", "-1s", "0s", "5h", "1 s")) {
      assertRefused(map("timeout", bad), "upstreams.inventory.timeout: \"" + bad + "\" (expected: " + DURATION + ")");
    }
    // Zero is a wait of none where waiting is optional.
    assertThat(on(upstream(map("hedge", map("delay", "0ms"))).hedge()).delay()).isEqualTo(Duration.ZERO);
  }

  @Test
  void keysLeftOutKeepThePolicysDefaults() {
    assertThat(upstream(map())).isEqualTo(PipelineConfig.EMPTY);
    BreakerConfig breaker = upstream(map("breaker", map("open", "5s"))).breaker();
    assertThat(breaker).isEqualTo(new BreakerConfig(BreakerConfig.DEFAULT.failureRate(),
        BreakerConfig.DEFAULT.minimumCalls(), BreakerConfig.DEFAULT.windowCalls(), null, Duration.ofSeconds(5),
        BreakerConfig.DEFAULT.halfOpenProbes()));
    assertThat(upstream(map("retry", map("max-attempts", "5"))).retry())
        .isEqualTo(new RetryConfig(5, RetryConfig.DEFAULT.backoff(), RetryConfig.DEFAULT.base(),
            RetryConfig.DEFAULT.cap()));
    assertThat(upstream(map("hedge", map())).hedge()).isEqualTo(HedgeConfig.DEFAULT);
    assertThat(upstream(map("bulkhead", map())).bulkhead()).isEqualTo(BulkheadConfig.DEFAULT);
    // A retry section with a budget only sets the budget: retries stay the pipeline's own.
    PipelineConfig budgetOnly = upstream(map("retry", map("budget", map())));
    assertThat(budgetOnly.retry()).isNull();
    assertThat(budgetOnly.retryBudget()).isEqualTo(RetryBudgetConfig.DEFAULT);
    // The rate limit's burst defaults to its rate.
    assertThat(upstream(map("rate-limit", map("per-second", "200"))).rateLimit())
        .isEqualTo(new RateLimitConfig(200, 200, Duration.ZERO));
  }
}
