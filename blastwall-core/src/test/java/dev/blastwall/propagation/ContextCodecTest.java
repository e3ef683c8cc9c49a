package dev.blastwall.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextCodecTest {

  private final FakeTicker ticker = new FakeTicker();

  @Test
  void aFullContext_crossesTheHop() {
    CallContext sent = CallContext.ROOT
        .forAttempt(3, AttemptKind.HEDGE, Cancellation.NEVER)
        .withDeadline(Deadline.after(Duration.ofMillis(80), ticker))
        .withCriticality(Criticality.SHEDDABLE_PLUS)
        .withIdempotency(Idempotency.withKey("order-17"))
        .withDoNotRetry(true)
        .with(ContextCodec.TENANT, "acme")
        .with(W3cTrace.KEY, new W3cTrace(W3cTraceTest.PARENT, "a=b"));
    Map<String, String> headers = new HashMap<>();
    ContextCodec codec = ContextCodec.withDeadline(DeadlineCodec.relative());

    codec.write(sent, headers::put);
    ContextRead read = codec.read(headers::get, ticker);
    CallContext received = read.context(Criticality.CRITICAL, Cancellation.NEVER);

    assertThat(codec.names()).containsAll(headers.keySet());
    assertThat(read.refusals()).isEmpty();
    assertThat(received.deadline()).isEqualTo(sent.deadline());
    assertThat(received.criticality()).isEqualTo(Criticality.SHEDDABLE_PLUS);
    assertThat(received.idempotency()).isEqualTo(Idempotency.withKey("order-17"));
    assertThat(received.attempt()).isEqualTo(3);
    assertThat(received.attemptKind()).isEqualTo(AttemptKind.HEDGE);
    assertThat(received.doNotRetry()).isTrue();
    assertThat(received.get(ContextCodec.TENANT)).isEqualTo("acme");
    assertThat(received.get(W3cTrace.KEY)).isEqualTo(sent.get(W3cTrace.KEY));
  }

  @Test
  void aFirstAttempt_sendsOnlyItsCriticality() {
    Map<String, String> headers = new HashMap<>();
    ContextCodec.withoutDeadline().write(CallContext.ROOT.withDeadline(Deadline.afterNanos(5, ticker)), headers::put);

    assertThat(headers).containsExactly(Map.entry("blastwall-criticality", "CRITICAL"));
  }

  @Test
  void aRetry_isSentWithoutAKind_andReadAsARetry() {
    Map<String, String> headers = new HashMap<>();
    ContextCodec.withoutDeadline().write(CallContext.ROOT.forAttempt(2, AttemptKind.RETRY, Cancellation.NEVER),
        headers::put);

    assertThat(headers).doesNotContainKey(Headers.ATTEMPT_KIND).containsEntry(Headers.ATTEMPT, "2");
    assertThat(ContextCodec.withoutDeadline().read(headers::get, ticker)
        .context(Criticality.CRITICAL, Cancellation.NEVER).attemptKind()).isEqualTo(AttemptKind.RETRY);
  }

  @Test
  void badHeaders_areReportedOneByOne_andTheContextFallsBackToDefaults() {
    Map<String, String> headers = Map.of(Headers.CRITICALITY, "URGENT", Headers.ATTEMPT, "0",
        Headers.IDEMPOTENCY_KEY, "two words", Headers.TIMEOUT, "soon", Headers.ATTEMPT_KIND, "hedge");
    ContextRead read = ContextCodec.withDeadline(DeadlineCodec.relative()).read(headers::get, ticker);

    assertThat(read.refusals()).containsExactly(
        "grpc-timeout: \"soon\" (expected: 1-8 ASCII digits followed by one of H M S m u n)",
        "blastwall-criticality: \"URGENT\" (expected: CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS or SHEDDABLE)",
        "idempotency-key: \"two words\" (expected: 1 to 255 visible ASCII characters)",
        "blastwall-attempt: \"0\" (expected: a decimal from 1 to 2147483647)");
    CallContext context = read.context(Criticality.SHEDDABLE, Cancellation.NEVER);
    assertThat(context.deadline()).isNull();
    assertThat(context.criticality()).isEqualTo(Criticality.SHEDDABLE);
    assertThat(context.idempotency()).isEqualTo(Idempotency.NON_IDEMPOTENT);
    // A kind on attempt 1 means nothing: the first attempt is the original.
    assertThat(context.attempt()).isEqualTo(1);
    assertThat(context.attemptKind()).isEqualTo(AttemptKind.ORIGINAL);
  }
}
