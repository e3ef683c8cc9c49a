package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.config.BlastwallConfig;
import dev.blastwall.config.ConfigNode;
import dev.blastwall.config.ConfigReader;
import dev.blastwall.context.Idempotency;
import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.registry.UpstreamRegistry;
import dev.blastwall.testing.FakeEnvironment;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The gRPC client policy built from the configuration model, as a YAML document would describe it. */
class GrpcClientPolicyFromConfigTest {

  private final FakeEnvironment fake = new FakeEnvironment();

  /**
   * The tree of:
   * <pre>
   * upstreams:
   *   echo: {timeout: 1s, retry: {max-attempts: 3}}
   *   sums: {timeout: 2s}
   * grpc:
   *   client:
   *     default-upstream: echo
   *     deadline-slack: {fraction: 0.2, max: 40ms}
   *     methods:
   *       blastwall.test.Echo/Echo: {idempotency: idempotent, attempt-timeout: 150ms}
   *       blastwall.test.Echo/Sum: {upstream: sums}
   *       blastwall.test.Echo/Chat: {idempotency: keyed}
   * </pre>
   */
  private static ConfigNode document() {
    return mapping("", Map.of(
        "upstreams", mapping("upstreams", ordered(
            "echo", mapping("upstreams.echo", ordered(
                "timeout", scalar("upstreams.echo.timeout", "1s"),
                "retry", mapping("upstreams.echo.retry",
                    Map.of("max-attempts", scalar("upstreams.echo.retry.max-attempts", "3"))))),
            "sums", mapping("upstreams.sums", Map.of("timeout", scalar("upstreams.sums.timeout", "2s"))))),
        "grpc", mapping("grpc", Map.of("client", mapping("grpc.client", ordered(
            "default-upstream", scalar("grpc.client.default-upstream", "echo"),
            "deadline-slack", mapping("grpc.client.deadline-slack", ordered(
                "fraction", scalar("grpc.client.deadline-slack.fraction", "0.2"),
                "max", scalar("grpc.client.deadline-slack.max", "40ms"))),
            "methods", mapping("grpc.client.methods", ordered(
                "blastwall.test.Echo/Echo", mapping("grpc.client.methods[\"blastwall.test.Echo/Echo\"]", ordered(
                    "idempotency", scalar("idempotency", "idempotent"),
                    "attempt-timeout", scalar("attempt-timeout", "150ms"))),
                "blastwall.test.Echo/Sum", mapping("grpc.client.methods[\"blastwall.test.Echo/Sum\"]",
                    Map.of("upstream", scalar("upstream", "sums"))),
                "blastwall.test.Echo/Chat", mapping("grpc.client.methods[\"blastwall.test.Echo/Chat\"]",
                    Map.of("idempotency", scalar("idempotency", "keyed")))))))))));
  }

  @Test
  void eachMethodGetsItsUpstreamsPipeline_idempotency_andAttemptTimeout_onTheRegistrysEnvironment() {
    BlastwallConfig config = ConfigReader.read(document());
    UpstreamRegistry upstreams = UpstreamRegistry.fromConfig(config, fake.environment());

    GrpcClientPolicy policy = GrpcClientPolicy.from(Objects.requireNonNull(config.grpcClient()), upstreams);

    assertThat(policy.environment()).isSameAs(fake.environment());
    MethodPlan echo = policy.plan(EchoGrpc.getEchoMethod());
    assertThat(echo.pipeline()).isSameAs(upstreams.pipeline("echo"));
    assertThat(echo.idempotency()).as("declared idempotent: retried").isEqualTo(Idempotency.IDEMPOTENT);
    assertThat(echo.attemptTimeoutNanos()).isEqualTo(Duration.ofMillis(150).toNanos());

    MethodPlan sum = policy.plan(EchoGrpc.getSumMethod());
    assertThat(sum.pipeline()).isSameAs(upstreams.pipeline("sums"));
    assertThat(sum.idempotency()).as("declared nothing: not retried once it may have run")
        .isEqualTo(Idempotency.NON_IDEMPOTENT);
    assertThat(sum.keyed()).isFalse();

    MethodPlan chat = policy.plan(EchoGrpc.getChatMethod());
    assertThat(chat.keyed()).isTrue();
    assertThat(chat.pipeline()).as("no upstream named: the default's").isSameAs(upstreams.pipeline("echo"));
  }

  private static ConfigNode.Mapping mapping(String path, Map<String, ConfigNode> entries) {
    return new ConfigNode.Mapping(path, entries);
  }

  private static ConfigNode.Scalar scalar(String path, String text) {
    return new ConfigNode.Scalar(path, text);
  }

  private static Map<String, ConfigNode> ordered(Object... keysAndNodes) {
    Map<String, ConfigNode> entries = new LinkedHashMap<>();
    for (int i = 0; i < keysAndNodes.length; i += 2) {
      entries.put((String) keysAndNodes[i], (ConfigNode) keysAndNodes[i + 1]);
    }
    return entries;
  }
}
