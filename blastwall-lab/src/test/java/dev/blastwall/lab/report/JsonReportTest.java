package dev.blastwall.lab.report;

import static dev.blastwall.lab.report.MiniJson.array;
import static dev.blastwall.lab.report.MiniJson.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.ScenarioResult;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class JsonReportTest {

  private static final List<String> SUMMARY_KEYS = List.of("user_requests", "amplification", "success_rate",
      "goodput_rps", "degraded_rate", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "max_inflight",
      "errors_by_kind");

  private static Map<String, @Nullable Object> parse(ScenarioResult result) {
    return object(MiniJson.parse(JsonReport.toJson(result)));
  }

  @Test
  void topLevel_hasTheContractsKeysInOrder() {
    Map<String, @Nullable Object> json = parse(Results.retryStorm());
    assertThat(json).containsOnlyKeys("scenario", "title", "seed", "valid", "passed", "duration_s", "rate",
        "slo_ms", "fault_windows", "modes", "checks");
    assertThat(List.copyOf(json.keySet())).containsExactly("scenario", "title", "seed", "valid", "passed",
        "duration_s", "rate", "slo_ms", "fault_windows", "modes", "checks");
    assertThat(json.get("scenario")).isEqualTo("retry-storm");
    assertThat(json.get("seed")).isEqualTo(new BigDecimal("42"));
    assertThat(json.get("valid")).isEqualTo(true);
    assertThat(json.get("passed")).isEqualTo(false);
    assertThat(json.get("duration_s")).isEqualTo(new BigDecimal("30"));
    assertThat(json.get("slo_ms")).isEqualTo(new BigDecimal("300"));
    List<@Nullable Object> windows = array(json.get("fault_windows"));
    assertThat(windows).hasSize(2);
    assertThat(object(windows.get(0))).isEqualTo(Map.of(
        "from_s", new BigDecimal("10"), "to_s", new BigDecimal("20"), "label", "backend: errors 50% UNAVAILABLE"));
  }

  @Test
  void eachMode_hasEveryRequiredKey_andTheFaultWindowFigures() {
    Map<String, @Nullable Object> modes = object(parse(Results.retryStorm()).get("modes"));
    assertThat(List.copyOf(modes.keySet())).containsExactly("naive", "blastwall");
    for (String name : List.of("naive", "blastwall")) {
      Map<String, @Nullable Object> mode = object(modes.get(name));
      assertThat(mode).containsKeys("setup", "valid", "health", "fault", "series", "arrivals_by_service",
          "breaker_changes");
      assertThat(mode).containsKeys(SUMMARY_KEYS.toArray(String[]::new));
      assertThat(object(mode.get("health"))).containsOnlyKeys("missed_sends", "offered", "max_cpu",
          "max_sampler_lag_ms", "reasons");
      Map<String, @Nullable Object> fault = object(mode.get("fault"));
      assertThat(fault).containsOnlyKeys(SUMMARY_KEYS.toArray(String[]::new));
      assertThat(fault.get("user_requests")).isEqualTo(new BigDecimal("2000"));
      assertThat(array(mode.get("breaker_changes"))).singleElement().satisfies(change ->
          assertThat(object(change)).containsOnlyKeys("caller", "upstream", "at_s", "from", "to"));
      assertThat(object(mode.get("arrivals_by_service"))).containsEntry("backend", new BigDecimal("7800"));
    }
    assertThat(object(object(modes.get("naive")).get("fault")).get("amplification")).isEqualTo(new BigDecimal("1.9"));
    assertThat(object(object(modes.get("blastwall")).get("fault")).get("amplification"))
        .isEqualTo(new BigDecimal("1.05"));
    assertThat(object(object(modes.get("naive")).get("errors_by_kind")))
        .isEqualTo(Map.of("TIMEOUT", new BigDecimal("3"), "UNAVAILABLE", new BigDecimal("120")));
  }

  @Test
  void series_hasOnePointPerSecond_withEveryFieldInSnakeCase() {
    Map<String, @Nullable Object> naive = object(object(parse(Results.retryStorm()).get("modes")).get("naive"));
    List<@Nullable Object> series = array(naive.get("series"));
    assertThat(series).hasSize(Results.SECONDS);
    for (Object point : series) {
      assertThat(List.copyOf(object(point).keySet())).containsExactly("second", "offered_rps", "achieved_rps",
          "goodput_rps", "success_rate", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "amplification",
          "inflight", "retries", "hedges", "shed", "open_breakers", "arrivals", "max_queue", "max_inflight_by_service");
    }
    assertThat(object(series.get(12)).get("p99_ms")).isEqualTo(new BigDecimal("400"));
    assertThat(object(object(series.get(12)).get("max_queue"))).containsEntry("backend", new BigDecimal("3"));
  }

  @Test
  void nonFiniteNumbers_becomeNull() {
    ScenarioResult result = Results.scenario("retry-storm", "t", Results.both(true),
        List.of(new Check("naive", "slow_share", "0.18 +- 0.04", "", Double.NaN, false),
            new Check("naive", "x", "<= 1", "", Double.POSITIVE_INFINITY, false)));
    Map<String, @Nullable Object> json = parse(result);
    Map<String, @Nullable Object> naive = object(object(json.get("modes")).get("naive"));
    assertThat(object(naive.get("fault"))).containsEntry("p999_ms", null);
    assertThat(object(array(naive.get("series")).get(5))).containsEntry("p999_ms", null);
    assertThat(array(json.get("checks")))
        .allSatisfy(check -> assertThat(object(check)).containsEntry("measured", null));
  }

  @Test
  void strings_areEscaped_andReadBackUnchanged() {
    String title = "quote \" backslash \\ newline \n tab \t bell \u0007 unicode \u00e9\u2603 separator \u2028";
    ScenarioResult result = Results.scenario("retry-storm", title, Results.both(true), List.of());
    String text = JsonReport.toJson(result);
    assertThat(text).doesNotContain("\n").doesNotContain("\u0007").contains("\\u0007").contains("\\\"");
    assertThat(object(MiniJson.parse(text)).get("title")).isEqualTo(title);
    Map<String, @Nullable Object> naive = object(object(object(MiniJson.parse(text)).get("modes")).get("naive"));
    assertThat(naive.get("setup")).isEqualTo("naive setup: 3 retries \"everywhere\"");
  }

  @Test
  void scenarioFigures_areFlattenedIntoTheModeObject() {
    Map<String, @Nullable Object> naive = object(object(parse(Results.retryStorm()).get("modes")).get("naive"));
    assertThat(naive.get("slow_share")).isEqualTo(new BigDecimal("0.18"));
    assertThat(naive.get("recovered")).isEqualTo(true);
    assertThat(naive.get("note")).isEqualTo("steady");
    List<@Nullable Object> points = array(naive.get("points"));
    assertThat(points).hasSize(2);
    assertThat(object(points.get(1))).isEqualTo(
        Map.of("mean_ms", new BigDecimal("5.2"), "utilization", new BigDecimal("0.8")));
  }

  @Test
  void onlyTheModesThatRan_arePresent() {
    Map<String, @Nullable Object> modes = object(parse(Results.naiveOnly()).get("modes"));
    assertThat(modes).containsOnlyKeys("naive");
  }

  @Test
  void checks_carryModeFigureExpectationTheoryMeasuredAndVerdict() {
    List<@Nullable Object> checks = array(parse(Results.retryStorm()).get("checks"));
    assertThat(checks).hasSize(2);
    assertThat(object(checks.get(0))).isEqualTo(Map.of("mode", "naive",
        "figure", "fault.amplification", "expectation", ">= 1.8", "theory", "1.875 = 1 + 0.5 + 0.25 + 0.125",
        "measured", new BigDecimal("1.9"), "passed", true));
    assertThat(object(checks.get(1))).containsEntry("passed", false);
  }

  @Test
  void invalidRun_isMarkedInvalid_withItsReasons() {
    Map<String, @Nullable Object> json = parse(Results.invalid("slow-dependency"));
    assertThat(json.get("valid")).isEqualTo(false);
    Map<String, @Nullable Object> naive = object(object(json.get("modes")).get("naive"));
    assertThat(naive.get("valid")).isEqualTo(false);
    assertThat(array(object(naive.get("health")).get("reasons")))
        .containsExactly("missed 150 of 6000 sends", "CPU at 99%");
  }

  @Test
  void figureNamedLikeAStructuralKey_orOfAnUnknownType_isRejected() {
    assertThatThrownBy(() -> JsonReport.toJson(withFigure("series", 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("figures: \"series\" (expected: ");
    assertThatThrownBy(() -> JsonReport.toJson(withFigure("when", java.time.Duration.ZERO)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("figures.when: java.time.Duration");
  }

  private static ScenarioResult withFigure(String name, Object value) {
    ModeResult base = Results.mode(Mode.NAIVE, true, 1.9, Map.of());
    ModeResult mode = new ModeResult(Mode.NAIVE, base.setup(), base.health(), base.overall(), base.fault(),
        base.series(), Map.of(name, value), base.arrivalsByService(), base.breakerChanges());
    return Results.scenario("retry-storm", "t", Map.of(Mode.NAIVE, mode), List.of());
  }
}
