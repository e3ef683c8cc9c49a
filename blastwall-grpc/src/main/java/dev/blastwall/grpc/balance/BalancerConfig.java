package dev.blastwall.grpc.balance;

import java.math.BigDecimal;
import java.time.Duration;
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

  static final BalancerConfig DEFAULTS = new BalancerConfig(Duration.ofSeconds(10), Duration.ofSeconds(30),
      Duration.ofSeconds(300), 10, 5, 1.9, 5, 100, 85, 5, 50, null, Duration.ofSeconds(5), Duration.ofSeconds(1));

  boolean healthChecking() {
    return healthCheckServiceName != null;
  }

  /** Parses the JSON object of the policy (numbers as doubles, durations as strings such as {@code "2.5s"}). */
  static BalancerConfig parse(Map<String, ?> raw) {
    Map<String, ?> outlier = object(raw, "outlierDetection");
    Map<String, ?> successRate = object(outlier, "successRateEjection");
    Map<String, ?> failurePercentage = object(outlier, "failurePercentageEjection");
    Map<String, ?> health = raw.containsKey("healthCheck") ? object(raw, "healthCheck") : null;
    BalancerConfig d = DEFAULTS;
    Duration base = duration(outlier, "baseEjectionTime", d.baseEjectionTime());
    return new BalancerConfig(
        duration(outlier, "interval", d.interval()),
        base,
        max(base, duration(outlier, "maxEjectionTime", d.maxEjectionTime())),
        integer(outlier, "maxEjectionPercent", d.maxEjectionPercent(), 0, 100),
        integer(outlier, "consecutiveFailures", d.consecutiveFailures(), 0, Integer.MAX_VALUE),
        integer(successRate, "stdevFactor", 1900, 0, Integer.MAX_VALUE) / 1000.0,
        integer(successRate, "minimumHosts", d.successRateMinimumHosts(), 1, Integer.MAX_VALUE),
        integer(successRate, "requestVolume", d.successRateRequestVolume(), 1, Integer.MAX_VALUE),
        integer(failurePercentage, "threshold", d.failurePercentageThreshold(), 0, 101),
        integer(failurePercentage, "minimumHosts", d.failurePercentageMinimumHosts(), 1, Integer.MAX_VALUE),
        integer(failurePercentage, "requestVolume", d.failurePercentageRequestVolume(), 1, Integer.MAX_VALUE),
        health == null ? null : string(health, "serviceName", ""),
        health == null ? d.healthCheckInterval() : duration(health, "interval", d.healthCheckInterval()),
        health == null ? d.healthCheckTimeout() : duration(health, "timeout", d.healthCheckTimeout()));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Map<String, ?> object(Map<String, ?> raw, String name) {
    Object value = raw.get(name);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(name + " is not an object: " + value);
    }
    for (Object key : map.keySet()) {
      if (!(key instanceof String)) {
        throw new IllegalArgumentException(name + " has a non-string key: " + key);
      }
    }
    @SuppressWarnings("unchecked") // keys checked above
    Map<String, ?> result = (Map<String, ?>) map;
    return result;
  }

  private static String string(Map<String, ?> raw, String name, String fallback) {
    Object value = raw.get(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException(name + " is not a string: " + value);
    }
    return s;
  }

  private static int integer(Map<String, ?> raw, String name, int fallback, int min, int max) {
    Object value = raw.get(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
        || number.doubleValue() < min || number.doubleValue() > max) {
      throw new IllegalArgumentException(name + " is not an integer in [" + min + ", " + max + "]: " + value);
    }
    return (int) number.doubleValue();
  }

  /** A protobuf JSON duration: decimal seconds followed by {@code s}, positive. */
  private static Duration duration(Map<String, ?> raw, String name, Duration fallback) {
    Object value = raw.get(name);
    if (value == null) {
      return fallback;
    }
    if (value instanceof String s && s.endsWith("s") && s.length() > 1) {
      try {
        BigDecimal seconds = new BigDecimal(s.substring(0, s.length() - 1));
        if (seconds.signum() > 0 && seconds.compareTo(BigDecimal.valueOf(9_000_000_000L)) <= 0) {
          return Duration.ofNanos(seconds.movePointRight(9).longValue());
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException(name + " is not a positive duration such as \"2.5s\": " + value);
  }
}
