package dev.blastwall.propagation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class W3cTraceTest {

  static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void wellFormedHeaders_passThroughUnchanged() {
    Map<String, String> in = Map.of(Headers.TRACEPARENT, PARENT, Headers.TRACESTATE, "rojo=00f067aa0ba902b7,congo=t61");
    W3cTrace trace = W3cTrace.read(in::get).value();
    Map<String, String> out = new HashMap<>();
    trace.write(out::put);
    assertThat(out).isEqualTo(in);
  }

  @Test
  void aLaterVersion_mayAppendFields() {
    String future = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra";
    assertThat(W3cTrace.parseTraceparent(future).value()).isEqualTo(future);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has no more fields
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff is invalid
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero parent id
    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", // too short
    "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"
  })
  void malformedTraceparent_isRefused_andItsTracestateDropped(String value) {
    HeaderValue<W3cTrace> read = W3cTrace.read(Map.of(Headers.TRACEPARENT, value, Headers.TRACESTATE, "a=b")::get);
    assertThat(read.refusal()).startsWith("traceparent: \"").contains("(expected: 2 hex digits (not ff)");
    assertThatThrownBy(() -> new W3cTrace(value, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(read.refusal());
  }

  @Test
  void malformedTracestate_isDropped_theTraceparentKept() {
    W3cTrace trace = W3cTrace.read(Map.of(Headers.TRACEPARENT, PARENT, Headers.TRACESTATE, "a=\u0007")::get).value();
    assertThat(trace).isEqualTo(new W3cTrace(PARENT, null));
    assertThat(W3cTrace.parseTracestate("x".repeat(513)).refusal())
        .endsWith("(expected: at most 512 characters, ASCII from space to ~)");
  }
}
