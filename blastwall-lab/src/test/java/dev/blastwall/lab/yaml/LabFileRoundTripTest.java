package dev.blastwall.lab.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.fault.Direction;
import dev.blastwall.lab.fault.Toxic;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabFileRoundTripTest {

  private static final List<ServiceTime> SERVICE_TIMES = List.of(
      ServiceTime.fixed(Duration.ofMillis(2)),
      ServiceTime.fixed(Duration.ofNanos(1_500)),
      ServiceTime.exponential(Duration.ofMillis(10)),
      ServiceTime.logNormal(Duration.ofMillis(20), Duration.ofMillis(120)),
      ServiceTime.slowTail(ServiceTime.fixed(Duration.ofMillis(5)), 0.01, Duration.ofMillis(200)),
      ServiceTime.slowTail(
          ServiceTime.logNormal(Duration.ofMillis(4), Duration.ofMillis(9)), 0.5, Duration.ofSeconds(2)));

  private static final List<FaultSpec> FAULTS = List.of(
      new FaultSpec.SlowDown(ServiceTime.fixed(Duration.ofSeconds(5))),
      new FaultSpec.SlowDown(ServiceTime.exponential(Duration.ofMillis(300))),
      new FaultSpec.Errors(0.5, "UNAVAILABLE"),
      new FaultSpec.Errors(0.25, "RESOURCE_EXHAUSTED"),
      new FaultSpec.HardDown(),
      new FaultSpec.Hang(),
      new FaultSpec.ResponseLost(0.2),
      new FaultSpec.Network(Toxic.latency(Duration.ofMillis(100), Duration.ofMillis(10))
          .withDirection(Direction.UPSTREAM).withToxicity(0.5)),
      new FaultSpec.Network(Toxic.latency(Duration.ofMillis(100), Duration.ZERO)),
      new FaultSpec.Network(Toxic.bandwidth(64_000)),
      new FaultSpec.Network(Toxic.timeout(Duration.ofSeconds(2))),
      new FaultSpec.Network(Toxic.blackhole().withToxicity(0.1)),
      new FaultSpec.Network(Toxic.resetPeer(Duration.ZERO)),
      new FaultSpec.Network(Toxic.resetPeer(Duration.ofMillis(50)).withDirection(Direction.UPSTREAM)),
      new FaultSpec.Network(Toxic.slowClose(Duration.ofSeconds(1))));

  @Test
  void everyServiceTimeKind_readsBackEqual() {
    List<ServiceSpec> services = new ArrayList<>();
    List<Dependency> calls = new ArrayList<>();
    for (int i = 0; i < SERVICE_TIMES.size(); i++) {
      services.add(ServiceSpec.builder("s" + i).serviceTime(SERVICE_TIMES.get(i)).build());
      calls.add(i % 2 == 0 ? Dependency.required("s" + i) : Dependency.optional("s" + i).notIdempotent());
    }
    ServiceSpec gateway = ServiceSpec.builder("gateway").capacity(8, 0).replicas(3).errors(0.01, "INTERNAL")
        .call(calls.getFirst()).parallel(calls.subList(1, calls.size())).build();
    List<ServiceSpec> all = new ArrayList<>(List.of(gateway));
    all.addAll(services);
    Topology topology = Topology.of("gateway", all);

    String yaml = LabFile.write(topology, List.of());
    LabPlan read = LabFile.parse(yaml, "written.yaml");

    assertThat(read.topology()).isEqualTo(topology);
    assertThat(LabFile.write(read.topology(), read.faults())).isEqualTo(yaml);
  }

  @Test
  void everyFaultKind_readsBackEqual() {
    Topology topology = Topology.of(ServiceSpec.builder("a").build());
    List<ScheduledFault> faults = new ArrayList<>();
    for (int i = 0; i < FAULTS.size(); i++) {
      faults.add(new ScheduledFault("a", Duration.ofSeconds(i), Duration.ofMillis(1_500), FAULTS.get(i)));
    }

    String yaml = LabFile.write(topology, faults);
    LabPlan read = LabFile.parse(yaml, "written.yaml");

    assertThat(read.faults()).containsExactlyElementsOf(faults);
    assertThat(read.topology()).isEqualTo(topology);
  }

  @Test
  void writtenFile_usesTheDocumentedForms() {
    Topology topology = Topology.of(
        ServiceSpec.builder("gateway").call(Dependency.required("b")).build(),
        ServiceSpec.builder("b").serviceTime(ServiceTime.fixed(Duration.ofMillis(2))).build());
    ScheduledFault fault = new ScheduledFault(
        "b", Duration.ofSeconds(5), Duration.ofSeconds(10), new FaultSpec.Network(Toxic.blackhole()));

    assertThat(LabFile.write(topology, List.of(fault))).isEqualTo("""
        entry: gateway
        services:
          gateway:
            calls:
              - b
          b:
            service_time: 2ms
        faults:
          - service: b
            start: 5s
            duration: 10s
            network:
              blackhole: true
        """);
  }
}
