package dev.blastwall.lab.scenarios;

import static dev.blastwall.lab.scenarios.SmokeRuns.blastwall;
import static dev.blastwall.lab.scenarios.SmokeRuns.fault;
import static dev.blastwall.lab.scenarios.SmokeRuns.naive;
import static dev.blastwall.lab.scenarios.SmokeRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.scenario.ScenarioResult;
import org.junit.jupiter.api.Test;

/** A short run of the scenario in both modes: JSON shape and the direction of its results. */
class OutageSmokeTest {

  @Test
  void outageFailsFastWithTheBreaker() {
    ScenarioResult result = run("outage", 6, 50);
    assertThat(fault(blastwall(result)).p99Ms()).isLessThan(fault(naive(result)).p99Ms() / 4);
  }
}
