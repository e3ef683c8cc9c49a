package dev.blastwall.grpc.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The service config of the Blastwall policies: keys, types and bounds, refused with clear messages. */
class BalancerConfigTest {

  private final BlastwallLoadBalancerProvider provider = new BlastwallLoadBalancerProvider.P2c();

  /** The config error's description, or {@code null} if {@code raw} was accepted. */
  private @Nullable String error(Map<String, ?> raw) {
    ConfigOrError parsed = provider.parseLoadBalancingPolicyConfig(raw);
    Status status = parsed.getError();
    if (status == null) {
      return null;
    }
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    return status.getDescription();
  }

  private static BalancerConfig parse(Map<String, ?> raw) {
    return BalancerConfig.parse(raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"outlierDetection.interval", "outlierDetection.baseEjectionTime",
      "outlierDetection.maxEjectionTime", "healthCheck.interval", "healthCheck.timeout"})
  void everyDuration_refusesZeroSubNanosecondNegativeHugeAndNonNumeric(String key) {
    String[] path = key.split("\\.", -1);
    for (Object bad : List.of("1e-10s", "0s", "0.000000001s", "0.0000000001s", "-1s", "-0.5s", "99999999999999s",
        "9000000000s", "1e3s", "ten seconds", "2.5", "2.5S", " 1s", "s", "", 10.0, true)) {
      String description = error(Map.of(path[0], Map.of(path[1], bad)));
      assertThat(description).as("%s = %s", key, bad)
          .startsWith("invalid blastwall_p2c config: " + key + ": ")
          .contains("(expected: a duration from ");
    }
  }

  @Test
  void issueValues_haveMessagesNamingTheKeyTheValueAndTheBounds() {
    assertThat(error(Map.of("outlierDetection", Map.of("interval", "1e-10s")))).isEqualTo(
        "invalid blastwall_p2c config: outlierDetection.interval: \"1e-10s\" "
            + "(expected: a duration from 0.01s to 86400s, like \"2.5s\")");
    assertThat(error(Map.of("healthCheck", Map.of("interval", "0s")))).isEqualTo(
        "invalid blastwall_p2c config: healthCheck.interval: \"0s\" "
            + "(expected: a duration from 0.05s to 86400s, like \"2.5s\")");
    assertThat(error(Map.of("healthCheck", Map.of("timeout", "3600s")))).isEqualTo(
        "invalid blastwall_p2c config: healthCheck.timeout: \"3600s\" "
            + "(expected: a duration from 0.01s to 60s, like \"2.5s\")");
    assertThat(error(Map.of("outlierDetection", Map.of("baseEjectionTime", 30.0)))).isEqualTo(
        "invalid blastwall_p2c config: outlierDetection.baseEjectionTime: 30 "
            + "(expected: a duration from 0.01s to 86400s, like \"2.5s\")");
  }

  @Test
  void zeroIntervals_canNoLongerBeConfigured_noTimerOfThePolicyCanFireBackToBack() {
    for (String zero : List.of("0s", "0.0s", "0.000000000s", "1e-10s", "0.000000001s", "0.009999999s")) {
      assertThat(error(Map.of("outlierDetection", Map.of("interval", zero)))).as(zero).isNotNull();
      assertThat(error(Map.of("healthCheck", Map.of("interval", zero)))).as(zero).isNotNull();
    }
    // Not through the channel either: a default service config with it is refused when the channel is built.
    assertThatThrownBy(() -> Grpc.newChannelBuilder("blastwall-static:///127.0.0.1:1",
                InsecureChannelCredentials.create())
            .defaultServiceConfig(Map.of("loadBalancingConfig",
                List.of(Map.of("blastwall_p2c", Map.of("healthCheck", Map.of("interval", "0s"))))))
            .build())
        .hasMessageContaining("healthCheck.interval: \"0s\" (expected: a duration from 0.05s to 86400s");
    // And not by code inside the package: the record refuses it.
    BalancerConfig d = BalancerConfig.DEFAULTS;
    assertThatThrownBy(() -> new BalancerConfig(Duration.ZERO, d.baseEjectionTime(), d.maxEjectionTime(),
        d.maxEjectionPercent(), d.consecutiveFailures(), d.successRateStdevFactor(), d.successRateMinimumHosts(),
        d.successRateRequestVolume(), d.failurePercentageThreshold(), d.failurePercentageMinimumHosts(),
        d.failurePercentageRequestVolume(), null, d.healthCheckInterval(), d.healthCheckTimeout()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("interval: PT0S (expected: ");
  }

  @Test
  void durationsAtTheBounds_areAccepted_exactly() {
    BalancerConfig low = parse(Map.of(
        "outlierDetection", Map.of("interval", "0.01s", "baseEjectionTime", "0.010s", "maxEjectionTime", "0.01s"),
        "healthCheck", Map.of("interval", "0.05s", "timeout", "0.01s")));
    assertThat(List.of(low.interval(), low.baseEjectionTime(), low.maxEjectionTime(), low.healthCheckTimeout()))
        .containsOnly(Duration.ofMillis(10));
    assertThat(low.healthCheckInterval()).isEqualTo(Duration.ofMillis(50));

    BalancerConfig high = parse(Map.of(
        "outlierDetection", Map.of("interval", "86400s", "baseEjectionTime", "86400.000000000s",
            "maxEjectionTime", "86400s"),
        "healthCheck", Map.of("interval", "86400s", "timeout", "60s")));
    assertThat(List.of(high.interval(), high.baseEjectionTime(), high.maxEjectionTime(), high.healthCheckInterval()))
        .containsOnly(Duration.ofDays(1));
    assertThat(high.healthCheckTimeout()).isEqualTo(Duration.ofMinutes(1));

    assertThat(parse(Map.of("outlierDetection", Map.of("interval", "2.5s"))).interval())
        .isEqualTo(Duration.ofMillis(2500));
    assertThat(parse(Map.of("outlierDetection", Map.of("interval", "1.000000001s"))).interval())
        .isEqualTo(Duration.ofSeconds(1, 1));
    assertThat(error(Map.of("outlierDetection", Map.of("interval", "86400.000000001s")))).isNotNull();
    assertThat(error(Map.of("healthCheck", Map.of("interval", "0.049999999s")))).isNotNull();
  }

  @Test
  void maxEjectionTime_belowTheBase_isRefused_andDefaultsToTheLargerOfTheBaseAnd300s() {
    assertThat(error(Map.of("outlierDetection", Map.of("baseEjectionTime", "60s", "maxEjectionTime", "10s"))))
        .isEqualTo("invalid blastwall_p2c config: outlierDetection.maxEjectionTime: \"10s\" "
            + "(expected: at least outlierDetection.baseEjectionTime, 60s)");
    assertThat(error(Map.of("outlierDetection", Map.of("maxEjectionTime", "10s"))))
        .contains("(expected: at least outlierDetection.baseEjectionTime, 30s)");
    assertThat(parse(Map.of("outlierDetection", Map.of("baseEjectionTime", "600s"))).maxEjectionTime())
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(parse(Map.of("outlierDetection", Map.of("baseEjectionTime", "1s"))).maxEjectionTime())
        .isEqualTo(Duration.ofMinutes(5));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      outlierDetecton    |                    | outlierDetecton: unknown key (expected: one of outlierDetection, healthCheck; did you mean outlierDetection?)
      healthcheck        |                    | healthcheck: unknown key (expected: one of outlierDetection, healthCheck; did you mean healthCheck?)
      loadBalancing      |                    | loadBalancing: unknown key (expected: one of outlierDetection, healthCheck)
      outlierDetection   | consecutiveFailure | outlierDetection.consecutiveFailure: unknown key (expected: one of interval, baseEjectionTime, maxEjectionTime, maxEjectionPercent, consecutiveFailures, successRateEjection, failurePercentageEjection; did you mean consecutiveFailures?)
      outlierDetection   | intervall          | outlierDetection.intervall: unknown key (expected: one of interval, baseEjectionTime, maxEjectionTime, maxEjectionPercent, consecutiveFailures, successRateEjection, failurePercentageEjection; did you mean interval?)
      healthCheck        | service_name       | healthCheck.service_name: unknown key (expected: one of serviceName, interval, timeout; did you mean serviceName?)
      healthCheck        | timout             | healthCheck.timout: unknown key (expected: one of serviceName, interval, timeout; did you mean timeout?)
      """)
  void unknownKeys_areRefused_namingTheNearestKnownKey(String key, @Nullable String inner, String message) {
    Map<String, ?> raw = inner == null ? Map.of(key, Map.of()) : Map.of(key, Map.of(inner, 1.0));
    assertThat(error(raw)).isEqualTo("invalid blastwall_p2c config: " + message);
  }

  @Test
  void unknownKeysInTheEjectionObjects_areRefused_namingTheNearestKnownKey() {
    assertThat(error(Map.of("outlierDetection", Map.of("successRateEjection", Map.of("stdevFacter", 1900.0)))))
        .isEqualTo("invalid blastwall_p2c config: outlierDetection.successRateEjection.stdevFacter: unknown key "
            + "(expected: one of stdevFactor, minimumHosts, requestVolume; did you mean stdevFactor?)");
    assertThat(error(Map.of("outlierDetection", Map.of("failurePercentageEjection", Map.of("treshold", 90.0)))))
        .isEqualTo("invalid blastwall_p2c config: outlierDetection.failurePercentageEjection.treshold: unknown key "
            + "(expected: one of threshold, minimumHosts, requestVolume; did you mean threshold?)");
    // gRPC's enforcementPercentage is not implemented: refused rather than silently ignored.
    assertThat(error(Map.of("outlierDetection", Map.of("successRateEjection",
        Map.of("enforcementPercentage", 100.0))))).contains("enforcementPercentage: unknown key");
  }

  @Test
  void keysAndValuesFromTheConfig_areQuotedBoundedAndEscaped() {
    String huge = "x".repeat(100_000);
    assertThat(error(Map.of(huge, 1.0))).hasSizeLessThan(300)
        .startsWith("invalid blastwall_p2c config: \"" + "x".repeat(64) + "\"... (100000 chars): unknown key");
    assertThat(error(Map.of("healthCheck", Map.of("interval", "1s\u0000\n\u001b[31m" + huge))))
        .hasSizeLessThan(300).contains("healthCheck.interval: \"1s\\x00\\x0a\\x1b[31m").doesNotContain("\n");
    assertThat(error(Map.of("outlier\nDetection", 1.0))).startsWith(
        "invalid blastwall_p2c config: \"outlier\\x0aDetection\": unknown key");
  }

  @Test
  void integers_areWholeNumbersWithinTheirRange() {
    assertThat(error(Map.of("outlierDetection", Map.of("consecutiveFailures", 2.5)))).isEqualTo(
        "invalid blastwall_p2c config: outlierDetection.consecutiveFailures: 2.5 "
            + "(expected: an integer from 0 to 2147483647)");
    assertThat(error(Map.of("outlierDetection", Map.of("maxEjectionPercent", 101.0)))).isEqualTo(
        "invalid blastwall_p2c config: outlierDetection.maxEjectionPercent: 101 (expected: an integer from 0 to 100)");
    for (Object bad : List.of(-1.0, Double.NaN, Double.POSITIVE_INFINITY, 1e300, "5", true, List.of(), Map.of())) {
      assertThat(error(Map.of("outlierDetection", Map.of("consecutiveFailures", bad)))).as("%s", bad)
          .contains("outlierDetection.consecutiveFailures: ").contains("(expected: an integer from 0 to ");
    }
    assertThat(parse(Map.of("outlierDetection", Map.of("consecutiveFailures", 7.0))).consecutiveFailures())
        .isEqualTo(7);
    assertThat(parse(Map.of("outlierDetection", Map.of("successRateEjection", Map.of("stdevFactor", 2500.0))))
        .successRateStdevFactor()).isEqualTo(2.5);
  }

  @Test
  void objectsAndStrings_haveTheirTypes_andJsonNullIsAbsent() {
    assertThat(error(Map.of("outlierDetection", "fast"))).isEqualTo(
        "invalid blastwall_p2c config: outlierDetection: \"fast\" (expected: an object)");
    assertThat(error(Map.of("healthCheck", Map.of("serviceName", 5.0)))).isEqualTo(
        "invalid blastwall_p2c config: healthCheck.serviceName: 5 (expected: a string)");
    java.util.HashMap<String, Object> withNull = new java.util.HashMap<>();
    withNull.put("healthCheck", null);
    assertThat(parse(withNull).healthChecking()).isFalse();
    assertThat(parse(Map.of("healthCheck", Map.of())).healthCheckServiceName()).isEmpty();
    assertThat(parse(Map.of())).isEqualTo(BalancerConfig.DEFAULTS);
  }
}
