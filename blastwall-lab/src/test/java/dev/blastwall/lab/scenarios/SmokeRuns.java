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
import dev.blastwall.lab.scenario.ModeRunner;
import dev.blastwall.lab.scenario.ScenarioRunner;
import dev.blastwall.lab.topology.Protocol;
import dev.blastwall.lab.scenario.Summary;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;

/**
 * Short runs of a built-in scenario in both modes, for the smoke tests: the JSON has the promised shape; the tests
 * then check that each result points the way the scenario claims. Absolute figures are for the full-length runs of
 * the demo, not for these.
 */
final class SmokeRuns {

  private SmokeRuns() {}

  static ScenarioResult run(String name, int seconds, double rate) {
    return run(name, seconds, rate, LabRunner::run);
  }

  /** The same run with every service speaking {@code protocol}, as {@code --protocol} makes it. */
  static ScenarioResult run(String name, int seconds, double rate, Protocol protocol) {
    return run(name, seconds, rate,
        (plan, mode, seed, progress) -> LabRunner.run(plan.withProtocol(protocol), mode, seed, progress));
  }

  private static ScenarioResult run(String name, int seconds, double rate, ModeRunner runner) {
    Scenario scenario = BuiltInScenarios.byName(name);
    ScenarioParams params = new ScenarioParams(Duration.ofSeconds(seconds), rate, ScenarioParams.DEFAULT_SEED);
    ScenarioResult result = new ScenarioRunner(runner)
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

  static ModeResult naive(ScenarioResult result) {
    return Objects.requireNonNull(result.modes().get(Mode.NAIVE), "naive");
  }

  static ModeResult blastwall(ScenarioResult result) {
    return Objects.requireNonNull(result.modes().get(Mode.BLASTWALL), "blastwall");
  }

  static Summary fault(ModeResult mode) {
    return Objects.requireNonNull(mode.fault(), "fault window");
  }
}
