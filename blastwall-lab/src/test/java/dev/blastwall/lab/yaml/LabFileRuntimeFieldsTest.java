package dev.blastwall.lab.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The keys of the runtime's second round: per-replica faults, contention, the naive pool, the ejection time. */
class LabFileRuntimeFieldsTest {

  private static final String FILE = """
      entry: gateway
      services:
        gateway: {calls: [b], contention: 0.5}
        b: {replicas: 4}
      faults:
        - {service: b, replica: 2, start: 1s, duration: 5s, errors: {rate: 1}}
        - {service: b, start: 1s, duration: 5s, hang: true}
      modes:
        naive: {outbound_pool: 8}
        blastwall: {ejection_time: 2.5s}
      """;

  @Test
  void readsTheNewKeys() {
    LabPlan plan = LabFile.parse(FILE, "runtime.yaml");

    assertThat(plan.topology().service("gateway").contention()).isEqualTo(0.5);
    assertThat(plan.topology().service("b").contention()).isZero();
    assertThat(plan.faults().get(0).replica()).isEqualTo(2);
    assertThat(plan.faults().get(1).allReplicas()).isTrue();
    assertThat(plan.naive().outboundPool()).isEqualTo(8);
    assertThat(plan.naive().boundedPool()).isTrue();
    assertThat(plan.blastwall().ejectionTime()).isEqualTo(Duration.ofMillis(2_500));
  }

  @Test
  void absentKeysKeepTheDefaults() {
    LabPlan plan = LabFile.parse("entry: a\nservices:\n  a: {}\n", "defaults.yaml");

    assertThat(plan.naive().outboundPool()).isEqualTo(NaiveSetup.UNBOUNDED_POOL);
    assertThat(plan.blastwall().ejectionTime()).isEqualTo(BlastwallSetup.DEFAULT_EJECTION_TIME);
    assertThat(plan.topology().service("a").contention()).isZero();
  }

  @Test
  void badValuesFailWithTheirLine() {
    assertThatThrownBy(() -> LabFile.parse(FILE.replace("replica: 2", "replica: 4"), "runtime.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessage("runtime.yaml:6: faults[0].replica: 4 (expected: a replica index below 4, the replicas of b)");
    assertThatThrownBy(() -> LabFile.parse(FILE.replace("contention: 0.5", "contention: -1"), "runtime.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessageStartingWith("runtime.yaml:3: services.gateway.contention: -1");
    assertThatThrownBy(() -> LabFile.parse(FILE.replace("outbound_pool: 8", "outbound_pool: -2"), "runtime.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessageStartingWith("runtime.yaml:9: modes.naive.outbound_pool: -2");
    assertThatThrownBy(() -> LabFile.parse(FILE.replace("2.5s", "0s"), "runtime.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessageStartingWith("runtime.yaml:10: modes.blastwall.ejection_time: ");
  }

  @Test
  void contentionAndReplicaFaultsWriteBackEqual() {
    Topology topology = Topology.of(ServiceSpec.builder("a").replicas(3).contention(1.5).build());
    List<ScheduledFault> faults = List.of(
        new ScheduledFault("a", Duration.ZERO, Duration.ofSeconds(2), new FaultSpec.ResponseLost(0.2)).onReplica(1),
        new ScheduledFault("a", Duration.ofSeconds(1), Duration.ofSeconds(2), new FaultSpec.HardDown()));

    String yaml = LabFile.write(topology, faults);
    LabPlan read = LabFile.parse(yaml, "written.yaml");

    assertThat(yaml).contains("contention: 1.5").contains("replica: 1");
    assertThat(read.topology()).isEqualTo(topology);
    assertThat(read.faults()).containsExactlyElementsOf(faults);
  }
}
