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
import dev.blastwall.lab.scenario.Summary;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Short runs of each built-in scenario in both modes: the JSON has the promised shape and each result points the
 * way the scenario claims. Absolute figures are for the full-length runs of the demo, not for these.
 */
class ScenarioSmokeTest {

  private static ScenarioResult run(String name, int seconds, double rate) {
    Scenario scenario = BuiltInScenarios.byName(name);
    ScenarioParams params = new ScenarioParams(Duration.ofSeconds(seconds), rate, ScenarioParams.DEFAULT_SEED);
    ScenarioResult result = new ScenarioRunner(LabRunner::run)
        .run(scenario, params, EnumSet.allOf(Mode.class), mode -> RunProgress.NONE);
    assertJsonShape(result);
    return result;
  }

  private static void assertJsonShape(ScenarioResult result) {
    String json = JsonReport.toJson(result);
    assertThat(json).contains("\"scenario\":", "\"seed\":", "\"valid\":", "\"modes\":", "\"naive\":",
        "\"blastwall\":", "\"user_requests\":", "\"amplification\":", "\"success_rate\":", "\"goodput_rps\":",
        "\"degraded_rate\":", "\"p50_ms\":", "\"p99_ms\":", "\"p999_ms\":", "\"max_inflight\":", "\"series\":",
        "\"fault\":");
    for (ModeResult mode : result.modes().values()) {
      assertThat(mode.series()).hasSize((int) result.duration().toSeconds());
      assertThat(mode.overall().userRequests()).isPositive();
    }
  }

  private static ModeResult naive(ScenarioResult result) {
    return Objects.requireNonNull(result.modes().get(Mode.NAIVE), "naive");
  }

  private static ModeResult blastwall(ScenarioResult result) {
    return Objects.requireNonNull(result.modes().get(Mode.BLASTWALL), "blastwall");
  }

  private static Summary fault(ModeResult mode) {
    return Objects.requireNonNull(mode.fault(), "fault window");
  }

  @Test
  void retryStormAmplifiesNaiveLoadAndTheBudgetCapsIt() {
    ScenarioResult result = run("retry-storm", 6, 100);
    assertThat(fault(naive(result)).amplification()).isGreaterThan(1.5);
    assertThat(fault(blastwall(result)).amplification()).isLessThan(fault(naive(result)).amplification() - 0.4);
  }

  @Test
  void slowDependencyStallsNaiveAndBlastwallAnswersWithinTheDeadline() {
    ScenarioResult result = run("slow-dependency", 6, 30);
    assertThat(fault(naive(result)).p99Ms()).isGreaterThan(2000);
    assertThat(fault(blastwall(result)).p99Ms()).isLessThan(fault(naive(result)).p99Ms() / 4);
    assertThat(fault(blastwall(result)).successRate()).isGreaterThan(fault(naive(result)).successRate() - 0.05);
  }

  @Test
  void fanoutTailIsCutByHedging() {
    ScenarioResult result = run("fanout-tail", 6, 30);
    assertThat(naive(result).figure("slow_share")).isBetween(0.05, 0.35);
    assertThat(blastwall(result).figure("p99_ms")).isLessThan(naive(result).figure("p99_ms"));
    assertThat(blastwall(result).figure("amplification")).isGreaterThanOrEqualTo(20);
  }

  @Test
  void overloadKeepsGoodputWithShedding() {
    ScenarioResult result = run("overload", 8, 100);
    assertThat(blastwall(result).figure("goodput_ratio_4x")).isGreaterThan(naive(result).figure("goodput_ratio_4x"));
  }

  @Test
  void outageFailsFastWithTheBreaker() {
    ScenarioResult result = run("outage", 6, 50);
    assertThat(fault(blastwall(result)).p99Ms()).isLessThan(fault(naive(result)).p99Ms() / 4);
  }
}
