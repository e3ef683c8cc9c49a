package dev.blastwall.lab.scenarios;

import static dev.blastwall.lab.scenarios.SmokeRuns.blastwall;
import static dev.blastwall.lab.scenarios.SmokeRuns.naive;
import static dev.blastwall.lab.scenarios.SmokeRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.scenario.ScenarioResult;
import org.junit.jupiter.api.Test;

/** A short run of the scenario in both modes: JSON shape and the direction of its results. */
class FanoutTailSmokeTest {

  @Test
  void fanoutTailIsCutByHedging() {
    ScenarioResult result = run("fanout-tail", 6, 30);
    assertThat(naive(result).figure("slow_share")).isBetween(0.05, 0.35);
    // The share of slow users, not a p99 of a few hundred requests: a steadier figure for a short run.
    assertThat(blastwall(result).figure("slow_share")).isLessThan(naive(result).figure("slow_share") / 2);
    assertThat(blastwall(result).figure("amplification")).isGreaterThanOrEqualTo(20);
  }
}
