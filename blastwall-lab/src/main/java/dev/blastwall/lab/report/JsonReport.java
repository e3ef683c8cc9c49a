package dev.blastwall.lab.report;

import dev.blastwall.lab.internal.Args;
import dev.blastwall.lab.internal.JsonText;
import dev.blastwall.lab.run.BreakerChange;
import dev.blastwall.lab.run.LabHealth;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.FaultWindow;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.ScenarioResult;
import dev.blastwall.lab.scenario.SeriesPoint;
import dev.blastwall.lab.scenario.Summary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A scenario's results as the lab's JSON contract: {@code scenario}, {@code title}, {@code seed}, {@code valid},
 * {@code passed}, {@code duration_s}, {@code rate}, {@code slo_ms}, {@code fault_windows}, {@code modes} (one object
 * per mode that ran, keyed {@code naive} / {@code blastwall}) and {@code checks}. Each mode object holds its setup,
 * health, the overall summary flattened at its top level, {@code fault} (the same figures over the fault window, or
 * null), the per-second {@code series}, {@code arrivals_by_service}, {@code breaker_changes}, and the scenario's own
 * figures flattened at its top level too. Names are snake_case; NaN and infinities are written as null.
 */
public final class JsonReport {

  // Keys of a mode object that a scenario figure may not take, since readers rely on their shape.
  private static final Set<String> STRUCTURAL =
      Set.of("setup", "valid", "health", "fault", "series", "arrivals_by_service", "breaker_changes");

  private JsonReport() {}

  /**
   * {@code result} as one line of JSON.
   *
   * @throws IllegalArgumentException when a figure has a name the report uses for its structure (e.g. {@code
   *     series}) or a value that is not a number, string, boolean, or list or map of those
   */
  public static String toJson(ScenarioResult result) {
    Map<String, @Nullable Object> root = new LinkedHashMap<>();
    root.put("scenario", result.scenario());
    root.put("title", result.title());
    root.put("seed", result.seed());
    root.put("valid", result.valid());
    root.put("passed", result.passed());
    root.put("duration_s", result.duration().toNanos() / 1e9);
    root.put("rate", result.rate());
    root.put("slo_ms", result.sloMs());
    List<Object> windows = new ArrayList<>();
    for (FaultWindow window : result.faultWindows()) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("from_s", window.fromSeconds());
      object.put("to_s", window.toSeconds());
      object.put("label", window.label());
      windows.add(object);
    }
    root.put("fault_windows", windows);
    Map<String, Object> modes = new LinkedHashMap<>();
    result.modes().forEach((mode, modeResult) -> modes.put(mode.label(), mode(modeResult)));
    root.put("modes", modes);
    List<Object> checks = new ArrayList<>();
    for (Check check : result.checks()) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("mode", check.mode());
      object.put("figure", check.figure());
      object.put("expectation", check.expectation());
      object.put("theory", check.theory());
      object.put("measured", check.measured());
      object.put("passed", check.passed());
      checks.add(object);
    }
    root.put("checks", checks);
    return JsonText.write(root);
  }

  private static Map<String, @Nullable Object> mode(ModeResult result) {
    Map<String, @Nullable Object> object = new LinkedHashMap<>();
    object.put("setup", result.setup());
    object.put("valid", result.health().valid());
    object.put("health", health(result.health()));
    object.putAll(summary(result.overall()));
    Summary fault = result.fault();
    object.put("fault", fault == null ? null : summary(fault));
    List<Object> series = new ArrayList<>();
    for (SeriesPoint point : result.series()) {
      series.add(point(point));
    }
    object.put("series", series);
    object.put("arrivals_by_service", new TreeMap<>(result.arrivalsByService()));
    List<Object> changes = new ArrayList<>();
    for (BreakerChange change : result.breakerChanges()) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("caller", change.caller());
      item.put("upstream", change.upstream());
      item.put("at_s", change.atSeconds());
      item.put("from", change.from());
      item.put("to", change.to());
      changes.add(item);
    }
    object.put("breaker_changes", changes);
    // A figure named like a summary field (fanout-tail's p99_ms) is the scenario's own measure of it and replaces it.
    new TreeMap<>(result.figures()).forEach((name, value) -> {
      if (STRUCTURAL.contains(name)) {
        throw Args.invalid("figures", "\"" + name + "\"", "a name other than " + new TreeSet<>(STRUCTURAL));
      }
      object.put(name, figure(name, value));
    });
    return object;
  }

  private static Map<String, Object> health(LabHealth health) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("missed_sends", health.missedSends());
    object.put("offered", health.offered());
    object.put("max_cpu", health.maxCpu());
    object.put("max_sampler_lag_ms", health.maxSamplerLagMs());
    object.put("reasons", health.reasons());
    return object;
  }

  private static Map<String, Object> summary(Summary summary) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("user_requests", summary.userRequests());
    object.put("amplification", summary.amplification());
    object.put("success_rate", summary.successRate());
    object.put("goodput_rps", summary.goodputRps());
    object.put("degraded_rate", summary.degradedRate());
    object.put("p50_ms", summary.p50Ms());
    object.put("p90_ms", summary.p90Ms());
    object.put("p99_ms", summary.p99Ms());
    object.put("p999_ms", summary.p999Ms());
    object.put("max_ms", summary.maxMs());
    object.put("max_inflight", summary.maxInflight());
    object.put("errors_by_kind", new TreeMap<>(summary.errorsByKind()));
    return object;
  }

  private static Map<String, Object> point(SeriesPoint point) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("second", point.second());
    object.put("offered_rps", point.offeredRps());
    object.put("achieved_rps", point.achievedRps());
    object.put("goodput_rps", point.goodputRps());
    object.put("success_rate", point.successRate());
    object.put("p50_ms", point.p50Ms());
    object.put("p90_ms", point.p90Ms());
    object.put("p99_ms", point.p99Ms());
    object.put("p999_ms", point.p999Ms());
    object.put("max_ms", point.maxMs());
    object.put("amplification", point.amplification());
    object.put("inflight", point.inflight());
    object.put("retries", point.retries());
    object.put("hedges", point.hedges());
    object.put("shed", point.shed());
    object.put("open_breakers", point.openBreakers());
    object.put("arrivals", new TreeMap<>(point.arrivals()));
    object.put("max_queue", new TreeMap<>(point.maxQueue()));
    object.put("max_inflight_by_service", new TreeMap<>(point.maxInflight()));
    return object;
  }

  // Maps are sorted by key so the same results always give the same text.
  private static Object figure(String name, Object value) {
    return switch (value) {
      case Number number -> number;
      case String text -> text;
      case Boolean bool -> bool;
      case List<?> list -> {
        List<Object> copy = new ArrayList<>();
        for (Object item : list) {
          copy.add(figure(name, item));
        }
        yield copy;
      }
      case Map<?, ?> map -> {
        Map<String, Object> copy = new TreeMap<>();
        map.forEach((key, item) -> copy.put(String.valueOf(key), figure(name, item)));
        yield copy;
      }
      default -> throw Args.invalid("figures." + name, value.getClass().getName(),
          "a number, string, boolean, or a list or map of those");
    };
  }
}
