package dev.blastwall.lab.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.Criticality;
import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.Step;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabFileDefaultsTest {

  private static final String TWO_SERVICES = """
      entry: gateway
      services:
        gateway: {calls: [backend]}
        backend: {}
      """;

  @Test
  void services_takeTheBuilderDefaults() {
    LabPlan plan = LabFile.parse(TWO_SERVICES, "t.yaml");

    assertThat(plan.topology()).isEqualTo(Topology.of(
        ServiceSpec.builder("gateway").call(Dependency.required("backend")).build(),
        ServiceSpec.builder("backend").build()));
    ServiceSpec backend = plan.topology().service("backend");
    assertThat(backend.replicas()).isEqualTo(1);
    assertThat(backend.workers()).isEqualTo(16);
    assertThat(backend.queue()).isEqualTo(64);
    assertThat(backend.serviceTime().meanNanos()).isEqualTo(10_000_000.0);
    assertThat(backend.errorRate()).isZero();
    assertThat(backend.errorStatus()).isEqualTo("UNAVAILABLE");
  }

  @Test
  void load_defaultsTo100PerSecondPoissonFor30sWithA300msSloAllCritical() {
    LabPlan plan = LabFile.parse(TWO_SERVICES, "t.yaml");

    assertThat(plan.load().profile().baseRatePerSecond()).isEqualTo(100.0);
    assertThat(plan.load().poisson()).isTrue();
    assertThat(plan.load().duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(plan.load().slo()).isEqualTo(Duration.ofMillis(300));
    assertThat(plan.load().mix()).isEqualTo(Map.of(Criticality.CRITICAL, 1));
  }

  @Test
  void load_keysLeftOutKeepTheirDefaults_andStepsMultiplyTheRate() {
    LabPlan plan = LabFile.parse(TWO_SERVICES + """
        load:
          rate: 50
          arrivals: constant
          steps: [{for: 8s, x: 0.5}, {for: 2s, x: 4}]
        """, "t.yaml");

    assertThat(plan.load().poisson()).isFalse();
    assertThat(plan.load().slo()).isEqualTo(Duration.ofMillis(300));
    assertThat(plan.load().profile().ratePerSecondAt(1_000_000_000L)).isEqualTo(25.0);
    assertThat(plan.load().profile().ratePerSecondAt(9_000_000_000L)).isEqualTo(200.0);
    assertThat(plan.load().profile().ratePerSecondAt(11_000_000_000L)).isEqualTo(50.0);
  }

  @Test
  void faultsAndModes_defaultToNoneAndTheSetupsDefaults() {
    LabPlan plan = LabFile.parse(TWO_SERVICES, "t.yaml");

    assertThat(plan.faults()).isEmpty();
    assertThat(plan.naive()).isEqualTo(NaiveSetup.defaults());
    assertThat(plan.blastwall()).isEqualTo(BlastwallSetup.defaults());
  }

  @Test
  void modes_overrideOnlyTheKeysWritten() {
    LabPlan plan = LabFile.parse(TWO_SERVICES + """
        modes:
          naive: {retries: 1}
          blastwall: {backoff: {max: 1s}, breaker: {minimum_calls: 5}, shed_by_criticality: false}
        """, "t.yaml");

    assertThat(plan.naive()).isEqualTo(new NaiveSetup(
        Duration.ofSeconds(10), 1, Set.of("UNAVAILABLE"), Duration.ofSeconds(30)));
    BlastwallSetup defaults = BlastwallSetup.defaults();
    assertThat(plan.blastwall()).isEqualTo(new BlastwallSetup(
        defaults.maxAttempts(), defaults.backoffBase(), Duration.ofSeconds(1), defaults.retryBudgetRatio(),
        defaults.retryBudgetMinPerSecond(), defaults.breakerFailureRate(), 5, defaults.breakerOpenFor(),
        defaults.breakerMaxOpenFor(), Map.of(), Set.of(), Map.of(), false));
  }

  @Test
  void calls_defaultToRequiredAndIdempotent_andParallelGroupsKeepTheirOrder() {
    Topology topology = LabFile.parseTopology("""
        entry: gateway
        services:
          gateway:
            calls:
              - a
              - {service: b, optional: true}
              - parallel: [c, {service: d, optional: true, idempotent: false}]
          a: {}
          b: {}
          c: {}
          d: {}
        """, "t.yaml");

    assertThat(topology.service("gateway").steps()).containsExactly(
        Step.serial(new Dependency("a", true, true)),
        Step.serial(new Dependency("b", false, true)),
        Step.parallel(List.of(new Dependency("c", true, true), new Dependency("d", false, false))));
  }
}
