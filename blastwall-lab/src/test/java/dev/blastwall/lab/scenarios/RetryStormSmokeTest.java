package dev.blastwall.lab.scenarios;

import static dev.blastwall.lab.scenarios.SmokeRuns.blastwall;
import static dev.blastwall.lab.scenarios.SmokeRuns.fault;
import static dev.blastwall.lab.scenarios.SmokeRuns.naive;
import static dev.blastwall.lab.scenarios.SmokeRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.scenario.ScenarioResult;
import org.junit.jupiter.api.Test;

/** A short run of the scenario in both modes: JSON shape and the direction of its results. */
class RetryStormSmokeTest {

  @Test
  void retryStormAmplifiesNaiveLoadAndTheBudgetCapsIt() {
    ScenarioResult result = run("retry-storm", 6, 100);
    assertThat(fault(naive(result)).amplification()).isGreaterThan(1.5);
    assertThat(fault(blastwall(result)).amplification()).isLessThan(fault(naive(result)).amplification() - 0.4);
  }
}
