package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.propagation.ContextCodec;
import dev.blastwall.propagation.W3cTrace;
import io.grpc.Metadata;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PropagationTest {

  // 2 to 9 come from a table made once, the others are formatted: both must put the same text on the wire.
  @ParameterizedTest
  @ValueSource(ints = {2, 9, 10, 11, 123, Integer.MAX_VALUE})
  void attemptHeaders_carryTheAttemptNumberInDecimal_andReplaceTheApplicationsBlastwallKeys(int attempt) {
    Metadata application = new Metadata();
    application.put(BlastwallMetadata.ATTEMPT, "7");
    Metadata.Key<String> own = Metadata.Key.of("x-own", Metadata.ASCII_STRING_MARSHALLER);
    application.put(own, "kept");
    CallContext context = CallContext.ROOT.forAttempt(attempt, AttemptKind.RETRY, Cancellation.NEVER);

    Metadata sent = Propagation.attemptHeaders(application, context);

    assertThat(sent.getAll(BlastwallMetadata.ATTEMPT)).containsExactly(Integer.toString(attempt));
    assertThat(BlastwallMetadata.parseAttempt(sent.get(BlastwallMetadata.ATTEMPT))).isEqualTo(attempt);
    assertThat(sent.get(own)).isEqualTo("kept");
    // The application's own headers are copied, not changed: a later attempt starts from them again.
    assertThat(application.getAll(BlastwallMetadata.ATTEMPT)).containsExactly("7");
  }

  // Absent means 1 to the server, so a first attempt sends no attempt header, not even the application's.
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void firstAttempt_sendsNoAttemptNumber_andDropsTheApplicationsOne(boolean applicationSetOne) {
    Metadata application = new Metadata();
    if (applicationSetOne) {
      application.put(BlastwallMetadata.ATTEMPT, "7");
    }
    CallContext context = CallContext.ROOT.forAttempt(1, AttemptKind.ORIGINAL, Cancellation.NEVER);

    Metadata sent = Propagation.attemptHeaders(application, context);

    assertThat(sent.containsKey(BlastwallMetadata.ATTEMPT)).isFalse();
    assertThat(BlastwallMetadata.parseAttempt(sent.get(BlastwallMetadata.ATTEMPT))).isEqualTo(1);
    assertThat(sent.get(BlastwallMetadata.CRITICALITY)).isEqualTo("CRITICAL");
  }

  private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @org.junit.jupiter.api.Test
  void aHedge_carriesItsKind_andTheCallersTenantAndTraceGoOn() {
    CallContext context = CallContext.ROOT.forAttempt(2, AttemptKind.HEDGE, Cancellation.NEVER)
        .with(ContextCodec.TENANT, "acme")
        .with(W3cTrace.KEY, new W3cTrace(TRACEPARENT, "a=b"));

    Metadata sent = Propagation.attemptHeaders(new Metadata(), context);

    assertThat(sent.get(BlastwallMetadata.ATTEMPT_KIND)).isEqualTo("hedge");
    assertThat(sent.get(BlastwallMetadata.TENANT)).isEqualTo("acme");
    assertThat(sent.get(BlastwallMetadata.TRACEPARENT)).isEqualTo(TRACEPARENT);
    assertThat(sent.get(BlastwallMetadata.TRACESTATE)).isEqualTo("a=b");
  }

  // A tracing interceptor's own span must win over the trace the server received.
  @org.junit.jupiter.api.Test
  void anApplicationsOwnTraceparent_isKept() {
    Metadata application = new Metadata();
    String own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    application.put(BlastwallMetadata.TRACEPARENT, own);
    CallContext context = CallContext.ROOT.with(W3cTrace.KEY, new W3cTrace(TRACEPARENT, "a=b"));

    Metadata sent = Propagation.attemptHeaders(application, context);

    assertThat(sent.getAll(BlastwallMetadata.TRACEPARENT)).containsExactly(own);
    assertThat(sent.containsKey(BlastwallMetadata.TRACESTATE)).isFalse();
  }
}
