package dev.blastwall.grpc.balance;

import dev.blastwall.balance.OutlierDetector;
import dev.blastwall.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The parsed config of a Blastwall policy. Outlier ejection follows gRPC's {@code outlier_detection} (A50) and
 * Envoy's defaults; health checking is off unless {@code healthCheck} is present.
 */
record BalancerConfig(
    Duration interval,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    int maxEjectionPercent,
    int consecutiveFailures,
    double successRateStdevFactor,
    int successRateMinimumHosts,
    int successRateRequestVolume,
    int failurePercentageThreshold,
    int failurePercentageMinimumHosts,
    int failurePercentageRequestVolume,
    @Nullable String healthCheckServiceName,
    Duration healthCheckInterval,
    Duration healthCheckTimeout) {

  // Lower bounds keep a timer from firing back to back (an interval of 0 evaluated outliers in a busy loop and sent
  // thousands of health checks a second); upper bounds keep every timer far from Duration.toNanos() overflow.
  /** The shortest outlier-detection interval: an evaluation is a pass over the endpoints' counters. */
  static final Duration MIN_INTERVAL = Duration.ofMillis(10);
  /** The shortest ejection time (base or max). */
  static final Duration MIN_EJECTION_TIME = Duration.ofMillis(10);
  /** The shortest health-check interval: at most 20 checks a second per endpoint and channel. */
  static final Duration MIN_HEALTH_CHECK_INTERVAL = Duration.ofMillis(50);
  /** The shortest health-check timeout. */
  static final Duration MIN_HEALTH_CHECK_TIMEOUT = Duration.ofMillis(10);
  /** The longest health-check timeout: a check in flight holds back the next one to its endpoint. */
  static final Duration MAX_HEALTH_CHECK_TIMEOUT = Duration.ofMinutes(1);
  /** The longest interval or ejection time. */
  static final Duration MAX_DURATION = Duration.ofDays(1);

  // After the bounds, which the constructor reads.
  static final BalancerConfig DEFAULTS = new BalancerConfig(Duration.ofSeconds(10), Duration.ofSeconds(30),
      Duration.ofSeconds(300), 10, 5, 1.9, 5, 100, 85, 5, 50, null, Duration.ofSeconds(5), Duration.ofSeconds(1));

  static final List<String> KEYS = List.of("outlierDetection", "healthCheck");
  static final List<String> OUTLIER_KEYS = List.of("interval", "baseEjectionTime", "maxEjectionTime",
      "maxEjectionPercent", "consecutiveFailures", "successRateEjection", "failurePercentageEjection");
  static final List<String> SUCCESS_RATE_KEYS = List.of("stdevFactor", "minimumHosts", "requestVolume");
  static final List<String> FAILURE_PERCENTAGE_KEYS = List.of("threshold", "minimumHosts", "requestVolume");
  static final List<String> HEALTH_CHECK_KEYS = List.of("serviceName", "interval", "timeout");

  private static final ConfigObject EMPTY = ConfigObject.root(Map.of(), List.of());

  /** Every timer's bounds again, so that no code path builds a config with a timer that spins or overflows. */
  BalancerConfig {
    Checks.checkRange("interval", interval, MIN_INTERVAL, MAX_DURATION);
    Checks.checkRange("baseEjectionTime", baseEjectionTime, MIN_EJECTION_TIME, MAX_DURATION);
    Checks.checkRange("maxEjectionTime", maxEjectionTime, baseEjectionTime, MAX_DURATION);
    Checks.checkRange("healthCheckInterval", healthCheckInterval, MIN_HEALTH_CHECK_INTERVAL, MAX_DURATION);
    Checks.checkRange("healthCheckTimeout", healthCheckTimeout, MIN_HEALTH_CHECK_TIMEOUT, MAX_HEALTH_CHECK_TIMEOUT);
  }

  boolean healthChecking() {
    return healthCheckServiceName != null;
  }

  /**
   * Parses the JSON object of the policy (numbers as doubles, durations as strings such as {@code "2.5s"}); the
   * keys and bounds are listed in docs/grpc.md.
   *
   * @throws IllegalArgumentException for an unknown key (naming the nearest known one), a value of the wrong type
   *     or out of bounds, as {@code outlierDetection.interval: "0s" (expected: a duration from 0.01s to ...)}
   */
  static BalancerConfig parse(Map<String, ?> raw) {
    ConfigObject root = ConfigObject.root(raw, KEYS);
    ConfigObject outlier = orEmpty(root.object("outlierDetection", OUTLIER_KEYS));
    ConfigObject successRate = orEmpty(outlier.object("successRateEjection", SUCCESS_RATE_KEYS));
    ConfigObject failurePercentage = orEmpty(outlier.object("failurePercentageEjection", FAILURE_PERCENTAGE_KEYS));
    ConfigObject health = root.object("healthCheck", HEALTH_CHECK_KEYS);
    BalancerConfig d = DEFAULTS;
    Duration base = or(outlier.duration("baseEjectionTime", MIN_EJECTION_TIME, MAX_DURATION), d.baseEjectionTime());
    Duration max = outlier.duration("maxEjectionTime", MIN_EJECTION_TIME, MAX_DURATION);
    if (max != null && max.compareTo(base) < 0) {
      throw outlier.invalid("maxEjectionTime",
          "at least " + outlier.name("baseEjectionTime") + ", " + ConfigObject.text(base));
    }
    return new BalancerConfig(
        or(outlier.duration("interval", MIN_INTERVAL, MAX_DURATION), d.interval()),
        base,
        // As in gRPC's outlier detection: without a maximum of its own, a long base time is its own maximum.
        max != null ? max : (base.compareTo(d.maxEjectionTime()) > 0 ? base : d.maxEjectionTime()),
        outlier.integer("maxEjectionPercent", d.maxEjectionPercent(), 0, 100),
        outlier.integer("consecutiveFailures", d.consecutiveFailures(), 0, Integer.MAX_VALUE),
        // In thousandths, as in gRPC's outlier detection: 1900 is 1.9 standard deviations.
        successRate.integer("stdevFactor", 1900, 0, Integer.MAX_VALUE) / 1000.0,
        successRate.integer("minimumHosts", d.successRateMinimumHosts(), 1, Integer.MAX_VALUE),
        successRate.integer("requestVolume", d.successRateRequestVolume(), 1, Integer.MAX_VALUE),
        failurePercentage.integer("threshold", d.failurePercentageThreshold(), 0, 100),
        failurePercentage.integer("minimumHosts", d.failurePercentageMinimumHosts(), 1, Integer.MAX_VALUE),
        failurePercentage.integer("requestVolume", d.failurePercentageRequestVolume(), 1, Integer.MAX_VALUE),
        health == null ? null : health.string("serviceName", ""),
        health == null ? d.healthCheckInterval()
            : or(health.duration("interval", MIN_HEALTH_CHECK_INTERVAL, MAX_DURATION), d.healthCheckInterval()),
        health == null ? d.healthCheckTimeout()
            : or(health.duration("timeout", MIN_HEALTH_CHECK_TIMEOUT, MAX_HEALTH_CHECK_TIMEOUT),
                d.healthCheckTimeout()));
  }

  private static ConfigObject orEmpty(@Nullable ConfigObject object) {
    return object == null ? EMPTY : object;
  }

  private static Duration or(@Nullable Duration value, Duration fallback) {
    return value == null ? fallback : value;
  }

  /** The outlier-ejection part, as core's detector takes it. */
  OutlierDetector.Settings outlierSettings() {
    return new OutlierDetector.Settings(baseEjectionTime, maxEjectionTime, maxEjectionPercent, consecutiveFailures,
        successRateStdevFactor, successRateMinimumHosts, successRateRequestVolume, failurePercentageThreshold,
        failurePercentageMinimumHosts, failurePercentageRequestVolume);
  }
}
