package dev.blastwall.lab.scenarios;

import static dev.blastwall.lab.scenarios.SmokeRuns.blastwall;
import static dev.blastwall.lab.scenarios.SmokeRuns.fault;
import static dev.blastwall.lab.scenarios.SmokeRuns.naive;
import static dev.blastwall.lab.scenarios.SmokeRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.scenario.ScenarioResult;
import dev.blastwall.lab.topology.Protocol;
import org.junit.jupiter.api.Test;

/**
 * The five scenarios of the HTTP lab, each a short run with every service on HTTP/1.1 (the JDK server with
 * blastwall-http's filter, the JDK client bare or through BlastwallHttpClient): the same JSON shape and the same
 * directions as their gRPC smoke tests.
 */
class HttpScenariosSmokeTest {

  @Test
  void retryStormOverHttpAmplifiesNaiveLoadAndTheBudgetCapsIt() {
    ScenarioResult result = run("retry-storm", 6, 100, Protocol.HTTP);
    assertThat(fault(naive(result)).amplification()).isGreaterThan(1.5);
    assertThat(fault(blastwall(result)).amplification()).isLessThan(fault(naive(result)).amplification() - 0.4);
  }

  @Test
  void duplicateRequestOverHttpIsChargedOnceWithKeyedRetries() {
    ScenarioResult result = run("duplicate-request", 4, 30, Protocol.HTTP);
    assertThat(naive(result).figure("lost_responses")).isPositive();
    assertThat(naive(result).figure("duplicates")).isGreaterThan(0.8 * naive(result).figure("lost_responses"));
    assertThat(blastwall(result).figure("lost_responses")).isPositive();
    assertThat(blastwall(result).figure("duplicates")).isZero();
    assertThat(blastwall(result).figure("confirmed_exactly_once")).isEqualTo(1);
  }

  @Test
  void slowDependencyOverHttpStallsNaiveAndBlastwallAnswersWithinTheDeadline() {
    ScenarioResult result = run("slow-dependency", 6, 30, Protocol.HTTP);
    assertThat(fault(naive(result)).p99Ms()).isGreaterThan(2000);
    assertThat(fault(blastwall(result)).p99Ms()).isLessThan(fault(naive(result)).p99Ms() / 4);
  }

  @Test
  void overloadOverHttpKeepsGoodputWithShedding() {
    ScenarioResult result = run("overload", 8, 100, Protocol.HTTP);
    assertThat(blastwall(result).figure("goodput_ratio_4x")).isGreaterThan(naive(result).figure("goodput_ratio_4x"));
  }

  @Test
  void outageOverHttpFailsFastWithTheBreaker() {
    ScenarioResult result = run("outage", 6, 50, Protocol.HTTP);
    assertThat(fault(blastwall(result)).p99Ms()).isLessThan(fault(naive(result)).p99Ms() / 4);
  }
}
