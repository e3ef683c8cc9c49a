package dev.blastwall.lab.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class LabFileErrorsTest {

  private static final String SERVICES = """
      entry: gateway
      services:
        gateway: {calls: [a, b]}
        a: {}
        b: {}
        c: {}
      """;

  @Test
  void unknownKey_namesItsPathAndTheKeysAllowed() {
    assertFails("""
        entry: gateway
        services:
          gateway:
            wrkers: 4
        """,
        "checkout.yaml:4: services.gateway.wrkers: unknown key "
            + "(expected: one of calls, contention, errors, protocol, queue, replicas, service_time, workers)");
    assertFails(SERVICES + "lod: {rate: 5}\n",
        "checkout.yaml:7: lod: unknown key (expected: one of entry, faults, load, modes, services)");
  }

  @Test
  void valueOutOfRange_namesPathValueAndLine() {
    LabFileException failure = catchThrowableOfType(LabFileException.class, () -> LabFile.parse("""
        entry: a
        services:
          a:
            workers: -1
        """, "checkout.yaml"));

    assertThat(failure).hasMessage("checkout.yaml:4: services.a.workers: -1 (expected: at least 1)");
    assertThat(failure.source()).isEqualTo("checkout.yaml");
    assertThat(failure.line()).isEqualTo(OptionalInt.of(4));
  }

  @Test
  void wrongTypes_failWithThePathNeverAClassCastException() {
    assertFails("entry: a\nservices:\n  a: {workers: many}\n",
        "checkout.yaml:3: services.a.workers: \"many\" (expected: a whole number)");
    assertFails("entry: a\nservices:\n  a: {workers: 1.5}\n",
        "checkout.yaml:3: services.a.workers: 1.5 (expected: a whole number)");
    assertFails("entry: a\nservices: [a]\n",
        "checkout.yaml:2: services: [\"a\"] (expected: a mapping of service names to values)");
    assertFails("entry: a\nservices:\n  a: [x]\n",
        "checkout.yaml:3: services.a: [\"x\"] "
            + "(expected: a mapping of calls, contention, errors, protocol, queue, replicas, service_time, workers)");
    assertFails("entry: a\nservices:\n  a: {calls: b}\n",
        "checkout.yaml:3: services.a.calls: \"b\" "
            + "(expected: a list of calls: service names, {service: ...} or {parallel: [...]})");
    assertFails(SERVICES + "faults: [{service: a, duration: 1s, hang: yes}]\n",
        "checkout.yaml:7: faults[0].hang: \"yes\" (expected: true)");
    assertFails(SERVICES + "modes: {blastwall: {bulkheads: {a: 99999999999}}}\n",
        "checkout.yaml:7: modes.blastwall.bulkheads.a: 99999999999 (expected: a whole number of at most 2147483647)");
    assertFails("entry: a\nservices:\n  a: ~\n",
        "checkout.yaml:3: services.a: null "
            + "(expected: a mapping of calls, contention, errors, protocol, queue, replicas, service_time, workers)");
    assertFails(SERVICES + "load: {rate: fast}\n", "checkout.yaml:7: load.rate: \"fast\" (expected: a number)");
    assertFails("- a\n- b\n", "checkout.yaml:1: [\"a\", \"b\"] (expected: a mapping of "
        + "entry, faults, load, modes, services)");
  }

  @Test
  void badDuration_saysWhatADurationLooksLike() {
    assertFails(SERVICES + "load:\n  slo: 300\n",
        "checkout.yaml:8: load.slo: 300 (expected: a number and a unit, one of ns, us, ms, s, m, e.g. 250ms)");
    assertFails("entry: a\nservices:\n  a: {service_time: 5 sec}\n",
        "checkout.yaml:3: services.a.service_time: \"5 sec\" "
            + "(expected: a number and a unit, one of ns, us, ms, s, m, e.g. 250ms)");
    assertFails("entry: a\nservices:\n  a: {service_time: {lognormal: {p50: 20ms, p99: 10ms}}}\n",
        "checkout.yaml:3: services.a.service_time.lognormal.p99: \"10ms\" (expected: at least p50 20ms)");
    assertFails(SERVICES + "modes: {blastwall: {backoff: {base: 1s}}}\n",
        "checkout.yaml:7: modes.blastwall.backoff.base: \"1s\" (expected: at most max 200ms, its default)");
  }

  @Test
  void unknownService_listsTheServices() {
    assertFails("""
        entry: gateway
        services:
          gateway:
            calls:
              - a
              - x
          a: {}
          b: {}
          c: {}
        """,
        "checkout.yaml:6: services.gateway.calls[1]: \"x\" (expected: one of the services [gateway, a, b, c])");
    assertFails("entry: gateway\nservices:\n  gateway: {calls: [{parallel: [a, {service: z}]}]}\n  a: {}\n",
        "checkout.yaml:3: services.gateway.calls[0].parallel[1].service: \"z\" "
            + "(expected: one of the services [gateway, a])");
    assertFails("entry: front\nservices:\n  gateway: {}\n",
        "checkout.yaml:1: entry: \"front\" (expected: one of the services [gateway])");
    assertFails(SERVICES + "faults:\n  - {service: d, duration: 1s, down: true}\n",
        "checkout.yaml:8: faults[0].service: \"d\" (expected: one of the services [gateway, a, b, c])");
    assertFails(SERVICES + "modes:\n  blastwall: {hedge: [a, e]}\n",
        "checkout.yaml:8: modes.blastwall.hedge[1]: \"e\" (expected: one of the services [gateway, a, b, c])");
    assertFails(SERVICES + "modes:\n  blastwall: {bulkheads: {f: 2}}\n",
        "checkout.yaml:8: modes.blastwall.bulkheads.f: \"f\" (expected: one of the services [gateway, a, b, c])");
  }

  @Test
  void cycleOfCalls_isNamed() {
    assertFails("""
        entry: gateway
        services:
          gateway: {calls: [a]}
          a: {calls: [b]}
          b: {calls: [a]}
        """,
        "checkout.yaml:3: services: a -> b -> a (expected: no cycle of calls)");
  }

  @Test
  void badStatus_isRefusedWhereverAStatusIsWritten() {
    String expected = " (expected: a gRPC error status name such as UNAVAILABLE)";
    assertFails("entry: a\nservices:\n  a: {errors: {rate: 0.1, status: unavailable}}\n",
        "checkout.yaml:3: services.a.errors.status: \"unavailable\"" + expected);
    assertFails(SERVICES + "faults: [{service: a, duration: 1s, errors: {rate: 0.5, status: OK}}]\n",
        "checkout.yaml:7: faults[0].errors.status: \"OK\"" + expected);
    assertFails(SERVICES + "modes: {naive: {retry_on: [UNAVAILABLE, TIMEOUT]}}\n",
        "checkout.yaml:7: modes.naive.retry_on[1]: \"TIMEOUT\"" + expected);
  }

  @Test
  void kinds_mustBeExactlyOne() {
    assertFails(SERVICES + "faults: [{service: a, duration: 1s, hang: true, down: true}]\n",
        "checkout.yaml:7: faults[0]: 2 kinds [hang, down] "
            + "(expected: exactly one of slow_down, errors, hang, down, response_lost, network)");
    assertFails(SERVICES + "faults: [{service: a, duration: 1s, network: {jitter: 5ms}}]\n",
        "checkout.yaml:7: faults[0].network: no toxic "
            + "(expected: exactly one of latency, bandwidth, timeout, blackhole, reset_peer, slow_close)");
    assertFails(SERVICES + "faults: [{service: a, duration: 1s, network: {bandwidth: 10, jitter: 5ms}}]\n",
        "checkout.yaml:7: faults[0].network.jitter: \"5ms\" (expected: jitter only with latency)");
  }

  @Test
  void missingKeysAndRanges_nameThePath() {
    assertFails("entry: a\n", "checkout.yaml:1: services: missing "
        + "(expected: a mapping of service names to services)");
    assertFails(SERVICES + "faults: [{service: a, response_lost: 0.1}]\n",
        "checkout.yaml:7: faults[0].duration: missing (expected: how long the fault lasts)");
    assertFails(SERVICES + "faults: [{service: a, duration: 1s, response_lost: 1.5}]\n",
        "checkout.yaml:7: faults[0].response_lost: 1.5 (expected: a number between 0 and 1)");
    assertFails(SERVICES + "load: {mix: {critical: 1, urgent: 2}}\n",
        "checkout.yaml:7: load.mix.urgent: \"urgent\" "
            + "(expected: one of critical_plus, critical, sheddable_plus, sheddable)");
    assertFails("entry: Gate\nservices:\n  Gate: {}\n", "checkout.yaml:3: services.Gate: \"Gate\" "
        + "(expected: a name of lower-case letters, digits and '-', starting with a letter)");
  }

  @Test
  void yamlSyntaxAndDuplicateKeys_giveTheLine() {
    assertThatThrownBy(() -> LabFile.parse("entry: a\nservices:\n  a: {workers: 1\n", "checkout.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessageStartingWith("checkout.yaml:4: not valid YAML: ");
    assertThatThrownBy(() -> LabFile.parse("entry: a\nservices:\n  a: {}\n  a: {}\n", "checkout.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessageStartingWith("checkout.yaml:4: not valid YAML: found duplicate key a");
    assertFails("", "checkout.yaml: empty (expected: a mapping with entry and services)");
  }

  private static void assertFails(String yaml, String message) {
    assertThatThrownBy(() -> LabFile.parse(yaml, "checkout.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessage(message)
        .hasNoCause();
  }
}
