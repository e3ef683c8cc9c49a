package dev.blastwall.lab.yaml;

import dev.blastwall.lab.topology.Durations;
import dev.blastwall.lab.topology.ServiceTime;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Service times in a lab file: {@code 2ms} (fixed), {@code {fixed: 2ms}}, {@code {exponential: 10ms}},
 * {@code {lognormal: {p50: 20ms, p99: 120ms}}}, {@code {slow_tail: {base: 5ms, probability: 0.01, slow: 200ms}}}.
 */
final class ServiceTimes {

  private static final List<String> KINDS = List.of("fixed", "exponential", "lognormal", "slow_tail");

  private ServiceTimes() {}

  static ServiceTime read(Value value) {
    if (value.isString()) {
      return ServiceTime.fixed(value.duration());
    }
    if (!value.isMap()) {
      throw InvalidValue.of(value.path(), value.raw(), "a duration such as 2ms, or a mapping of one of " + KINDS);
    }
    Fields fields = value.fields(Set.copyOf(KINDS));
    String kind = fields.exactlyOne(KINDS, "service time");
    Value body = fields.required(kind, kind);
    return switch (kind) {
      case "fixed" -> ServiceTime.fixed(body.duration());
      case "exponential" -> ServiceTime.exponential(body.positiveDuration());
      case "lognormal" -> logNormal(body.fields(Set.of("p50", "p99")));
      default -> slowTail(body.fields(Set.of("base", "probability", "slow")));
    };
  }

  private static ServiceTime logNormal(Fields fields) {
    Duration p50 = fields.required("p50", "the median, a duration above zero").positiveDuration();
    Value p99Value = fields.required("p99", "the 99th percentile, a duration of at least p50");
    Duration p99 = p99Value.duration();
    if (p99.compareTo(p50) < 0) {
      throw InvalidValue.of(p99Value.path(), p99Value.raw(), "at least p50 " + Durations.text(p50));
    }
    return ServiceTime.logNormal(p50, p99);
  }

  private static ServiceTime slowTail(Fields fields) {
    ServiceTime base = read(fields.required("base", "the usual service time"));
    double probability = fields.required("probability", "a number between 0 and 1").number(0, 1);
    Duration slow = fields.required("slow", "the slow requests' duration").duration();
    return ServiceTime.slowTail(base, probability, slow);
  }

  /** The shortest form that reads back as {@code time}. */
  static Object write(ServiceTime time) {
    return switch (time) {
      case ServiceTime.Fixed fixed -> Durations.text(fixed.value());
      case ServiceTime.Exponential exponential -> Map.of("exponential", Durations.text(exponential.mean()));
      case ServiceTime.LogNormal logNormal -> {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("p50", Durations.text(logNormal.p50()));
        body.put("p99", Durations.text(logNormal.p99()));
        yield Map.of("lognormal", body);
      }
      case ServiceTime.SlowTail slowTail -> {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("base", write(slowTail.base()));
        body.put("probability", slowTail.probability());
        body.put("slow", Durations.text(slowTail.slow()));
        yield Map.of("slow_tail", body);
      }
    };
  }
}
