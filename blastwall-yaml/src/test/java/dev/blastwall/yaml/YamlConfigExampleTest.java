package dev.blastwall.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.config.AdmissionConfig;
import dev.blastwall.config.BlastwallConfig;
import dev.blastwall.config.BreakerConfig;
import dev.blastwall.config.BulkheadConfig;
import dev.blastwall.config.ConfigReader;
import dev.blastwall.config.FlatConfig;
import dev.blastwall.config.GrpcClientConfig;
import dev.blastwall.config.HedgeConfig;
import dev.blastwall.config.MethodConfig;
import dev.blastwall.config.MethodConfig.MethodIdempotency;
import dev.blastwall.config.PipelineConfig;
import dev.blastwall.config.RateLimitConfig;
import dev.blastwall.config.RetryBudgetConfig;
import dev.blastwall.config.RetryConfig;
import dev.blastwall.context.Criticality;
import dev.blastwall.overload.AdmissionController;
import dev.blastwall.registry.UpstreamRegistry;
import dev.blastwall.testing.FakeEnvironment;
import dev.blastwall.testing.FakeTicker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The example of docs/configuration.md: the file the docs show, what it reads to, and what it builds. */
class YamlConfigExampleTest {

  private static final String RESOURCE = "blastwall.yaml";

  private static String example() throws IOException {
    try (InputStream in = Objects.requireNonNull(YamlConfigExampleTest.class.getResourceAsStream(RESOURCE))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theDocsShowThisFile() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
    assertThat(docs).contains("```yaml\n" + example() + "```");
  }

  @Test
  void theExampleReadsToTheModel() throws IOException {
    BlastwallConfig config = YamlConfig.read(example(), RESOURCE);

    assertThat(config.upstreams()).containsOnlyKeys("inventory", "search", "payments");
    assertThat(config.upstreams().get("inventory")).isEqualTo(new PipelineConfig(Duration.ofMillis(300),
        Duration.ofMillis(100), true, RetryConfig.DEFAULT, null, null, BreakerConfig.DEFAULT, BulkheadConfig.DEFAULT,
        null));
    assertThat(config.upstreams().get("search")).isEqualTo(new PipelineConfig(Duration.ofSeconds(1), null, true,
        null, null, new HedgeConfig(null, 0.95, Duration.ofMillis(20), 1), null, null, null));
    assertThat(config.upstreams().get("payments")).isEqualTo(new PipelineConfig(Duration.ofSeconds(2), null, null,
        null, new RetryBudgetConfig(0.05, 2, Duration.ofSeconds(10)), null, null, null,
        new RateLimitConfig(200, 50, Duration.ZERO)));
    assertThat(config.grpcClient()).isEqualTo(new GrpcClientConfig("inventory", 0.1, Duration.ofMillis(50), Map.of(
        "shop.Inventory", new MethodConfig("inventory", MethodIdempotency.IDEMPOTENT, null),
        "shop.Search/Query", new MethodConfig("search", MethodIdempotency.IDEMPOTENT, Duration.ofMillis(200)),
        "shop.Payments/Charge", new MethodConfig("payments", MethodIdempotency.KEYED, null))));
    assertThat(config.admission()).isEqualTo(new AdmissionConfig(200,
        Map.of(Criticality.CRITICAL_PLUS, 0.1, Criticality.CRITICAL, 0.2), Duration.ofMillis(10)));
  }

  @Test
  void thePropertiesOfTheDocsAreTheSameUpstreamsAsTheYaml() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
    int start = docs.indexOf("```properties\n") + "```properties\n".length();
    Map<String, String> flat = new HashMap<>();
    for (String line : docs.substring(start, docs.indexOf("```", start)).split("\n", -1)) {
      if (!line.isBlank()) {
        flat.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    BlastwallConfig fromYaml = YamlConfig.read(example(), RESOURCE);

    BlastwallConfig fromProperties = ConfigReader.read(FlatConfig.tree(flat));

    assertThat(fromProperties.upstreams()).containsOnlyKeys("inventory", "search");
    assertThat(fromProperties.upstreams().get("inventory")).isEqualTo(fromYaml.upstreams().get("inventory"));
    assertThat(fromProperties.upstreams().get("search")).isEqualTo(fromYaml.upstreams().get("search"));
  }

  @Test
  void theExampleBuildsIsolatedPipelinesAndAnAdmissionController() throws Exception {
    FakeEnvironment fake = new FakeEnvironment();
    FakeTicker ticker = fake.ticker();
    BlastwallConfig config = YamlConfig.read(example(), RESOURCE);

    UpstreamRegistry registry = UpstreamRegistry.fromConfig(config, fake.environment());

    assertThat(registry.upstreams()).containsExactly("inventory", "payments", "search");
    assertThat(registry.pipeline("inventory").call(() -> "item")).isEqualTo("item");
    assertThat(registry.state("inventory").settings()).contains("timeout=PT0.3S").contains("circuitBreaker=inventory")
        .contains("bulkhead=[maxConcurrentCalls=25, maxWaiting=0, maxWait=PT0S]");
    assertThat(registry.state("payments").settings())
        .contains("rateLimiter=TokenBucketRateLimiter[capacity=50, refill=200 per PT1S]")
        .contains("retryBudget=ratio[percentCanRetry=0.05, window=PT10S, minRetriesPerSecond=2]");
    AdmissionController admission = Objects.requireNonNull(config.admission()).toController("shop", ticker);
    assertThat(admission.capacity()).isEqualTo(200);
    assertThat(admission.reserved(Criticality.CRITICAL_PLUS)).isEqualTo(20);
    assertThat(admission.reserved(Criticality.CRITICAL)).isEqualTo(40);
  }
}
