package dev.blastwall.lab.scenarios;

import static dev.blastwall.lab.scenarios.SmokeRuns.blastwall;
import static dev.blastwall.lab.scenarios.SmokeRuns.naive;
import static dev.blastwall.lab.scenarios.SmokeRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.scenario.ScenarioResult;
import org.junit.jupiter.api.Test;

/** A short run of the scenario in both modes: JSON shape and the direction of its results. */
class OverloadSmokeTest {

  @Test
  void overloadKeepsGoodputWithShedding() {
    ScenarioResult result = run("overload", 8, 100);
    assertThat(blastwall(result).figure("goodput_ratio_4x")).isGreaterThan(naive(result).figure("goodput_ratio_4x"));
  }
}
