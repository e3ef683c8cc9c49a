package dev.blastwall.lab.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.Criticality;
import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabFileExampleTest {

  private static final String EXAMPLE = "/dev/blastwall/lab/examples/checkout.yaml";

  @Test
  void example_loadsToTheModelItDescribes() throws IOException {
    LabPlan plan = LabFile.load(Path.of("src/main/resources" + EXAMPLE));

    Topology expected = Topology.of(
        ServiceSpec.builder("gateway").capacity(64, 64).serviceTime(fixed(2))
            .call(Dependency.required("cart"))
            .parallel(List.of(
                Dependency.required("pricing"), Dependency.required("inventory"),
                Dependency.optional("recommendations")))
            .call(Dependency.required("orders").notIdempotent())
            .build(),
        ServiceSpec.builder("cart").serviceTime(ServiceTime.exponential(ms(5))).build(),
        ServiceSpec.builder("pricing").serviceTime(ServiceTime.logNormal(ms(8), ms(40))).build(),
        ServiceSpec.builder("inventory").replicas(2)
            .serviceTime(ServiceTime.slowTail(fixed(5), 0.01, ms(200))).build(),
        ServiceSpec.builder("recommendations").serviceTime(ServiceTime.logNormal(ms(20), ms(120))).build(),
        ServiceSpec.builder("orders").capacity(16, 32).serviceTime(fixed(10)).errors(0.001, "UNAVAILABLE").build());
    assertThat(plan.topology()).isEqualTo(expected);
    assertThat(List.copyOf(plan.topology().services().keySet()))
        .containsExactly("gateway", "cart", "pricing", "inventory", "recommendations", "orders");

    assertThat(plan.load().profile().baseRatePerSecond()).isEqualTo(200.0);
    assertThat(plan.load().profile().ratePerSecondAt(20_000_000_000L)).isEqualTo(200.0);
    assertThat(plan.load().poisson()).isTrue();
    assertThat(plan.load().duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(plan.load().slo()).isEqualTo(ms(300));
    assertThat(plan.load().mix()).isEqualTo(
        Map.of(Criticality.CRITICAL_PLUS, 20, Criticality.CRITICAL, 50, Criticality.SHEDDABLE, 30));

    assertThat(plan.faults()).containsExactly(
        new ScheduledFault("recommendations", Duration.ofSeconds(5), Duration.ofSeconds(20),
            new FaultSpec.SlowDown(ServiceTime.fixed(Duration.ofSeconds(5)))),
        new ScheduledFault("inventory", Duration.ofSeconds(10), Duration.ofSeconds(5),
            new FaultSpec.Errors(0.5, "UNAVAILABLE")));

    assertThat(plan.naive()).isEqualTo(NaiveSetup.defaults());
    assertThat(plan.blastwall()).isEqualTo(BlastwallSetup.defaults()
        .withAttemptTimeout("recommendations", ms(150))
        .withHedging("pricing")
        .withBulkhead("recommendations", 20));
    assertThat(plan.blastwall().hedged()).isEqualTo(Set.of("pricing"));
  }

  @Test
  void example_isOnTheClassPathForTheLauncher() throws IOException {
    try (InputStream in = Objects.requireNonNull(LabFile.class.getResourceAsStream(EXAMPLE))) {
      LabPlan plan = LabFile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "checkout.yaml");
      assertThat(plan.topology().entry()).isEqualTo("gateway");
    }
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  private static ServiceTime fixed(long millis) {
    return ServiceTime.fixed(ms(millis));
  }
}
