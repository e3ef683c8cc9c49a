package dev.blastwall.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.Criticality;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proof by simulation that admission control and the deadline-aware queue matter: the same server, the same
 * open-loop overload, with and without them (see {@link ServerSimulation} for the model). Each assertion message
 * carries the run's numbers, which are also published to the test report.
 */
class OverloadSimulationTest {

  private static final long SEED = 20_261_101L;

  @ParameterizedTest(name = "{0}x capacity")
  @ValueSource(doubles = {2.0, 4.0})
  void withAdmissionControlGoodputHoldsAndTheTopClassIsServed(double load, TestReporter report) {
    ServerSimulation.Result result = ServerSimulation.run(load, /* protect= */ true, SEED);
    report.publishEntry("simulation", result.toString());

    assertThat(result.goodputShare()).as("goodput share of capacity: %s", result).isGreaterThanOrEqualTo(0.9);
    assertThat(result.success(Criticality.CRITICAL_PLUS)).as("CRITICAL_PLUS on time: %s", result)
        .isGreaterThanOrEqualTo(0.99);
    assertThat(result.waitMillis(0.99)).as("p99 queue wait (ms) vs target %s: %s",
        ServerSimulation.TARGET_DELAY, result)
        .isLessThanOrEqualTo(ServerSimulation.TARGET_DELAY.toNanos() / 1e6);
    // Shedding went from the bottom: the lowest class lost the most, the top class the least.
    assertThat(result.success(Criticality.SHEDDABLE)).as("SHEDDABLE below CRITICAL: %s", result)
        .isLessThan(result.success(Criticality.CRITICAL));
  }

  @ParameterizedTest(name = "{0}x capacity")
  @ValueSource(doubles = {2.0, 4.0})
  void withoutAdmissionControlGoodputCollapses(double load, TestReporter report) {
    ServerSimulation.Result result = ServerSimulation.run(load, /* protect= */ false, SEED);
    report.publishEntry("simulation", result.toString());

    // The workers stay busy the whole time, but after the first tenth of a second every response comes too late.
    assertThat(result.goodputShare()).as("goodput share of capacity: %s", result).isLessThan(0.2);
    assertThat(result.success(Criticality.CRITICAL_PLUS)).as("CRITICAL_PLUS on time: %s", result)
        .isLessThan(0.2);
    assertThat(result.late).as("late responses: %s", result).isGreaterThan(9_000);
  }
}
