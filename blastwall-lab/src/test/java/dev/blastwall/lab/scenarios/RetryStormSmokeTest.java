package dev.blastwall.lab.scenarios;

import static dev.blastwall.lab.scenarios.SmokeRuns.blastwall;
import static dev.blastwall.lab.scenarios.SmokeRuns.fault;
import static dev.blastwall.lab.scenarios.SmokeRuns.naive;
import static dev.blastwall.lab.scenarios.SmokeRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.within;

import dev.blastwall.lab.scenario.ScenarioParams;
import dev.blastwall.lab.scenario.ScenarioResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A short run of the scenario in both modes: JSON shape and the direction of its results. */
class RetryStormSmokeTest {

  @Test
  void retryStormAmplifiesNaiveLoadAndTheBudgetCapsIt() {
    ScenarioResult result = run("retry-storm", 6, 100);
    assertThat(fault(naive(result)).amplification()).isGreaterThan(1.5);
    assertThat(fault(blastwall(result)).amplification()).isLessThan(fault(naive(result)).amplification() - 0.4);
  }

  @Test
  void theBlastwallLimitCountsTheAllowanceSavedBeforeTheFaultAndEachRenewal() {
    // 20 s of fault at 200 rps: 3 bursts of (20 + 5) x 10 s over 4000 requests.
    ScenarioParams defaults = new ScenarioParams(Duration.ofSeconds(30), 200, ScenarioParams.DEFAULT_SEED);
    assertThat(RetryStorm.budgetBound(defaults)).isCloseTo(1 + 3 * 250 / 4000.0, within(1e-9));
    // A long fault approaches the steady state (1 + 10% + 5/s over 200 rps = 1.125) from above.
    ScenarioParams longRun = new ScenarioParams(Duration.ofMinutes(10), 200, ScenarioParams.DEFAULT_SEED);
    assertThat(RetryStorm.budgetBound(longRun)).isBetween(1.125, 1.15);
  }
}
