package dev.blastwall.lab.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.topology.ServiceTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Durations read exactly as docs/lab-yaml.md writes them, and every number that would exhaust or stall a run
 * bounded: a duration of centuries used to be clamped to 292 years, {@code 5 ms} was read although a space is not
 * allowed, and a file could ask for billions of threads.
 */
class LabFileBoundsTest {

  private static final String SERVICES = "entry: a\nservices:\n  a: {}\n";
  private static final String FORM = " (expected: a number and a unit, one of ns, us, ms, s, m, e.g. 250ms)";

  @Test
  void aDurationPastTheLimit_isRefusedNeverClamped() {
    assertFails(SERVICES + "load: {duration: 99999999999999999999m}\n",
        "checkout.yaml:4: load.duration: \"99999999999999999999m\" (expected: a duration of at most 60m)");
    assertFails(SERVICES + "load: {duration: 3600.000000001s}\n",
        "checkout.yaml:4: load.duration: \"3600.000000001s\" (expected: a duration of at most 60m)");
    assertFails(SERVICES + "faults: [{service: a, start: 61m, duration: 1s, hang: true}]\n",
        "checkout.yaml:4: faults[0].start: \"61m\" (expected: a duration of at most 60m)");
    assertThatThrownBy(() -> LabFile.parse(SERVICES + "load: {slo: " + "9".repeat(4000) + "ns}\n", "checkout.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessageStartingWith("checkout.yaml:4: load.slo: \"9999")
        .hasMessageEndingWith("... (expected: a duration of at most 60m)");
  }

  @Test
  void aDurationWithASpaceOrAnyOtherForm_isRefusedAsTheDocsSay() {
    for (String text : new String[] {"5 ms", "\" 5ms\"", "\"5ms \"", "-5s", "+5s", "5e3ms", ".5s", "5.s", "5MS", "5h",
        "5sec", "1_000ms", "0x10s", "\"\"", "ms", "5ms5"}) {
      String shown = text.startsWith("\"") ? text : "\"" + text + "\"";
      assertFails(SERVICES + "load: {slo: " + text + "}\n", "checkout.yaml:4: load.slo: " + shown + FORM);
    }
  }

  @Test
  void durations_areReadExactlyToTheNanosecond() {
    assertThat(slo("60m")).isEqualTo(Duration.ofHours(1));
    assertThat(slo("3600s")).isEqualTo(Duration.ofHours(1));
    assertThat(slo("3600000000000ns")).isEqualTo(Duration.ofHours(1));
    assertThat(slo("1.5s")).isEqualTo(Duration.ofMillis(1_500));
    assertThat(slo("0.1s")).isEqualTo(Duration.ofMillis(100));
    assertThat(slo("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(slo("007ms")).isEqualTo(Duration.ofMillis(7));
    assertThat(slo("250us")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(slo("1.0000000005s")).isEqualTo(Duration.ofNanos(1_000_000_001));
    // More fraction digits than matter, and a whole part of leading zeros: the value, not the length, decides.
    assertThat(slo("1.00000000000000000000000001s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(slo("00000000000000000000000000001s")).isEqualTo(Duration.ofSeconds(1));
    LabPlan plan = LabFile.parse("entry: a\nservices:\n  a: {service_time: 0.4ns}\n", "checkout.yaml");
    assertThat(plan.topology().service("a").serviceTime()).isEqualTo(ServiceTime.fixed(Duration.ZERO));
  }

  @Test
  void countsThatWouldExhaustTheMachine_haveUpperBounds() {
    assertFails("entry: a\nservices:\n  a: {replicas: 101}\n",
        "checkout.yaml:3: services.a.replicas: 101 (expected: at most 100)");
    assertFails("entry: a\nservices:\n  a: {workers: 10001}\n",
        "checkout.yaml:3: services.a.workers: 10001 (expected: at most 10000)");
    assertFails("entry: a\nservices:\n  a: {queue: 100001}\n",
        "checkout.yaml:3: services.a.queue: 100001 (expected: at most 100000)");
    assertFails(SERVICES + "load: {mix: {critical: 1001}}\n",
        "checkout.yaml:4: load.mix.critical: 1001 (expected: at most 1000)");
    assertFails(SERVICES + "modes: {naive: {retries: 11}}\n",
        "checkout.yaml:4: modes.naive.retries: 11 (expected: at most 10)");
    assertFails(SERVICES + "modes: {naive: {outbound_pool: 10001}}\n",
        "checkout.yaml:4: modes.naive.outbound_pool: 10001 (expected: at most 10000)");
    assertFails(SERVICES + "modes: {blastwall: {max_attempts: 11}}\n",
        "checkout.yaml:4: modes.blastwall.max_attempts: 11 (expected: at most 10)");
    assertFails(SERVICES + "modes: {blastwall: {breaker: {minimum_calls: 100001}}}\n",
        "checkout.yaml:4: modes.blastwall.breaker.minimum_calls: 100001 (expected: at most 100000)");
    assertFails("entry: a\nservices:\n  a: {workers: -99999999999999999999}\n",
        "checkout.yaml:3: services.a.workers: -99999999999999999999 (expected: at least 1)");
  }

  @Test
  void ratesThatWouldFloodTheLoadGenerator_haveUpperBounds() {
    assertFails(SERVICES + "load: {rate: 100001}\n",
        "checkout.yaml:4: load.rate: 100001 (expected: a number above 0 and at most 100000)");
    assertFails(SERVICES + "load: {rate: .inf}\n",
        "checkout.yaml:4: load.rate: Infinity (expected: a number above 0 and at most 100000)");
    assertFails(SERVICES + "load: {rate: 100, steps: [{for: 1s, x: 1001}]}\n",
        "checkout.yaml:4: load.steps[0].x: 1001 (expected: at most 1000, so that rate x x is at most 100000)");
  }

  @Test
  void theLimitsThemselves_areAccepted() {
    LabPlan plan = LabFile.parse("""
        entry: a
        services:
          a: {replicas: 100, workers: 10000, queue: 100000}
        load: {rate: 100000, duration: 60m, mix: {critical: 1000}, steps: [{for: 60m, x: 1}]}
        modes:
          naive: {retries: 10, outbound_pool: 10000}
          blastwall: {max_attempts: 10, breaker: {minimum_calls: 100000}}
        """, "checkout.yaml");
    assertThat(plan.topology().service("a").replicas()).isEqualTo(100);
    assertThat(plan.load().duration()).isEqualTo(Duration.ofHours(1));
    assertThat(plan.blastwall().maxAttempts()).isEqualTo(10);
  }

  @Test
  void aHugeNumber_isRefusedAtOnceForItsLength() {
    // The engine reads a whole number in time that grows with the square of its digits: 100,000 took a second.
    assertFails("entry: a\nservices:\n  a: {workers: " + "9".repeat(100_000) + "}\n",
        "checkout.yaml:3: scalar: 100000 characters (expected: at most 4096 characters in a key or value)");
  }

  private static Duration slo(String text) {
    return LabFile.parse(SERVICES + "load: {slo: " + text + "}\n", "checkout.yaml").load().slo();
  }

  private static void assertFails(String yaml, String message) {
    assertThatThrownBy(() -> LabFile.parse(yaml, "checkout.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessage(message)
        .hasNoCause();
  }
}
