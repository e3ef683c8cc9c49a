package dev.blastwall.lab.scenarios;

import static dev.blastwall.lab.scenarios.SmokeRuns.naive;
import static dev.blastwall.lab.scenarios.SmokeRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.report.JsonReport;
import dev.blastwall.lab.scenario.ScenarioResult;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** A short sweep in both modes: the JSON carries the points, and time in system grows with utilization. */
class QueueingSmokeTest {

  @Test
  void timeInSystemGrowsWithUtilization() {
    ScenarioResult result = run("queueing", 17, 200);
    assertThat(JsonReport.toJson(result)).contains("\"points\":", "\"error_at_50\":", "\"error_at_80\":",
        "\"theory_mean_ms\":");
    List<?> list = (List<?>) Objects.requireNonNull(naive(result).figures().get("points"), "points");
    assertThat(list).hasSize(7);
    double at10 = mean(list.get(0));
    double at50 = mean(list.get(2));
    double at80 = mean(list.get(4));
    assertThat(at50).isGreaterThan(at10);
    assertThat(at80).isGreaterThan(at50);
  }

  private static double mean(Object point) {
    return ((Number) Objects.requireNonNull(((Map<?, ?>) point).get("mean_ms"), "mean_ms")).doubleValue();
  }
}
