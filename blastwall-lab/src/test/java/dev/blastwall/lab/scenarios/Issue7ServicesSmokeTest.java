package dev.blastwall.lab.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.report.JsonReport;
import dev.blastwall.lab.run.LabRunner;
import dev.blastwall.lab.run.RunProgress;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Scenario;
import dev.blastwall.lab.scenario.ScenarioParams;
import dev.blastwall.lab.scenario.ScenarioResult;
import dev.blastwall.lab.scenario.ScenarioRunner;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Short runs of the duplicate-request, bulkhead and fanout-availability scenarios in both modes: their figures are
 * in the JSON and point the way the scenarios claim. Absolute figures are for the full-length runs.
 */
class Issue7ServicesSmokeTest {

  private static ScenarioResult run(String name, int seconds, double rate, String... figures) {
    Scenario scenario = BuiltInScenarios.byName(name);
    ScenarioParams params = new ScenarioParams(Duration.ofSeconds(seconds), rate, ScenarioParams.DEFAULT_SEED);
    ScenarioResult result = new ScenarioRunner(LabRunner::run)
        .run(scenario, params, EnumSet.allOf(Mode.class), mode -> RunProgress.NONE);
    String json = JsonReport.toJson(result);
    assertThat(json).contains("\"scenario\":\"" + name + "\"", "\"naive\":", "\"blastwall\":", "\"series\":",
        "\"fault\":", "\"p99_ms\":");
    for (String figure : figures) {
      assertThat(json).contains("\"" + figure + "\":");
    }
    for (ModeResult mode : result.modes().values()) {
      assertThat(mode.series()).hasSize(seconds);
      assertThat(mode.overall().userRequests()).isPositive();
    }
    return result;
  }

  private static ModeResult naive(ScenarioResult result) {
    return Objects.requireNonNull(result.modes().get(Mode.NAIVE), "naive");
  }

  private static ModeResult blastwall(ScenarioResult result) {
    return Objects.requireNonNull(result.modes().get(Mode.BLASTWALL), "blastwall");
  }

  @Test
  void keyedRetriesChargeOnceWhereUnkeyedRetriesChargeAgain() {
    ScenarioResult result = run("duplicate-request", 4, 30, "lost_responses", "duplicates",
        "confirmed_exactly_once");
    assertThat(naive(result).figure("lost_responses")).isPositive();
    assertThat(naive(result).figure("duplicates")).isGreaterThan(0.8 * naive(result).figure("lost_responses"));
    assertThat(naive(result).figure("confirmed_exactly_once")).isLessThan(1);
    assertThat(blastwall(result).figure("lost_responses")).isPositive();
    assertThat(blastwall(result).figure("duplicates")).isZero();
    assertThat(blastwall(result).figure("confirmed_exactly_once")).isEqualTo(1);
  }

  @Test
  void bulkheadsKeepTheHealthyUpstreamFastWhereASharedPoolDoesNot() {
    ScenarioResult result = run("bulkhead", 5, 40, "b_p99_ratio");
    assertThat(naive(result).figure("b_p99_ratio")).isGreaterThan(3);
    assertThat(blastwall(result).figure("b_p99_ratio")).isLessThan(naive(result).figure("b_p99_ratio") / 3);
  }

  @Test
  void requiredPartsMultiplyDowntimeAndOptionalPartsDoNot() {
    ScenarioResult result = run("fanout-availability", 9, 100, "availability_3_required",
        "availability_10_required", "availability_optional");
    // Immediate retries fall in the same downtime: naive sees the parts' failures.
    assertThat(naive(result).figure("availability_10_required")).isLessThan(1);
    for (ModeResult mode : result.modes().values()) {
      double three = mode.figure("availability_3_required");
      double ten = mode.figure("availability_10_required");
      assertThat(ten).isLessThanOrEqualTo(three).isGreaterThan(0.95);
      assertThat(three).isLessThanOrEqualTo(mode.figure("availability_1_required"));
      assertThat(mode.figure("availability_optional")).isGreaterThanOrEqualTo(ten).isGreaterThan(0.99);
    }
  }
}
