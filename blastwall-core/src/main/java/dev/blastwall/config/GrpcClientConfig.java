package dev.blastwall.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A gRPC client's policy per service and method, as far as core can describe it (the adapter builds it).
 *
 * @param defaultUpstream the upstream whose pipeline guards methods that name none
 * @param slackFraction the share of a call's remaining time kept back from each attempt, 0..1 (exclusive)
 * @param maxSlack the most kept back
 * @param methods settings by service or full method name, in the order written
 */
public record GrpcClientConfig(
    String defaultUpstream, double slackFraction, Duration maxSlack, Map<String, MethodConfig> methods) {

  public GrpcClientConfig {
    methods = Collections.unmodifiableMap(new LinkedHashMap<>(methods));
  }
}
