package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.failure.RetriesExhaustedException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class GrpcStatusMappingTest {

  @ParameterizedTest
  @CsvSource({
    "UNAVAILABLE, UNAVAILABLE",
    "RESOURCE_EXHAUSTED, OVERLOADED",
    "DEADLINE_EXCEEDED, DEADLINE_EXCEEDED",
    "INVALID_ARGUMENT, INVALID",
    "NOT_FOUND, INVALID",
    "ALREADY_EXISTS, INVALID",
    "PERMISSION_DENIED, INVALID",
    "UNAUTHENTICATED, INVALID",
    "FAILED_PRECONDITION, INVALID",
    "OUT_OF_RANGE, INVALID",
    "UNIMPLEMENTED, INVALID",
    "ABORTED, INVALID",
    "INTERNAL, INTERNAL",
    "UNKNOWN, INTERNAL",
    "DATA_LOSS, INTERNAL",
    "CANCELLED, CANCELLED",
  })
  void statusCodes_mapToFailureKinds(Status.Code code, FailureKind kind) {
    assertThat(GrpcStatusMapping.kindOf(code)).isEqualTo(kind);
  }

  @ParameterizedTest
  @EnumSource(FailureKind.class)
  void everyKindHasAStatus_thatMapsBackToARetryEquivalentKind(FailureKind kind) {
    FailureKind back = GrpcStatusMapping.kindOf(GrpcStatusMapping.codeOf(kind));
    // TIMEOUT (an attempt's own limit) goes up as DEADLINE_EXCEEDED: the layer above must not retry it;
    // UNKNOWN goes up as gRPC's UNKNOWN, which gRPC callers treat as an internal error.
    FailureKind expected = switch (kind) {
      case TIMEOUT -> FailureKind.DEADLINE_EXCEEDED;
      case UNKNOWN -> FailureKind.INTERNAL;
      default -> kind;
    };
    assertThat(back).isEqualTo(expected);
  }

  private static Metadata trailers(@Nullable String pushback, boolean marked) {
    Metadata trailers = new Metadata();
    if (pushback != null) {
      trailers.put(BlastwallMetadata.RETRY_PUSHBACK_MS, pushback);
    }
    if (marked) {
      BlastwallMetadata.markDoNotRetry(trailers);
    }
    return trailers;
  }

  @Test
  void resourceExhausted_withPushback_isRetryAfterExactlyThat() {
    GrpcRemoteFailure failure = GrpcStatusMapping.toFailure(Status.RESOURCE_EXHAUSTED, trailers("200", false));

    assertThat(failure.kind()).isEqualTo(FailureKind.OVERLOADED);
    assertThat(failure.retryAfterNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(failure.doNotRetry()).isFalse();
  }

  @Test
  void pushbackZero_isRetryAtOnce() {
    GrpcRemoteFailure failure = GrpcStatusMapping.toFailure(Status.RESOURCE_EXHAUSTED, trailers("0", false));

    assertThat(failure.retryAfterNanos()).isZero();
    assertThat(failure.doNotRetry()).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"-1", "-200", "soon", "1.5", "'  '", "+5", "99999999999999999999999"})
  void negativeOrUnparseablePushback_isDoNotRetry(String pushback) {
    GrpcRemoteFailure failure = GrpcStatusMapping.toFailure(Status.RESOURCE_EXHAUSTED, trailers(pushback, false));

    assertThat(failure.doNotRetry()).isTrue();
    assertThat(failure.retryAfterNanos()).isEqualTo(-1);
  }

  @Test
  void noPushback_noMark_isAPlainFailure() {
    GrpcRemoteFailure failure = GrpcStatusMapping.toFailure(Status.UNAVAILABLE.withDescription("down"), null);

    assertThat(failure.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(failure.doNotRetry()).isFalse();
    assertThat(failure.retryAfterNanos()).isEqualTo(-1);
    assertThat(failure.getMessage()).isEqualTo("UNAVAILABLE: \"down\"");
    assertThat(failure.status().getDescription()).isEqualTo("down");
  }

  @Test
  void mark_withoutPushback_isDoNotRetry() {
    GrpcRemoteFailure failure = GrpcStatusMapping.toFailure(Status.UNAVAILABLE, trailers(null, true));

    assertThat(failure.doNotRetry()).isTrue();
    assertThat(failure.marked()).isTrue();
  }

  @Test
  void mark_withPushback_letsTheImmediateCallerRetryAfterIt_butStaysMarked() {
    GrpcRemoteFailure failure = GrpcStatusMapping.toFailure(Status.RESOURCE_EXHAUSTED, trailers("50", true));

    assertThat(failure.doNotRetry()).isFalse();
    assertThat(failure.retryAfterNanos()).isEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(failure.marked()).isTrue();
  }

  private static Metadata trailersOf(StatusRuntimeException exception) {
    return Objects.requireNonNull(exception.getTrailers());
  }

  @Test
  void overloadedException_isResourceExhausted_withPushbackRoundedUp_andMark() {
    OverloadedException overloaded =
        new OverloadedException("orders", "admission", "SHEDDABLE shed", 1_500_001, "shed");

    StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(overloaded);

    assertThat(mapped.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(mapped.getStatus().getDescription()).isEqualTo(overloaded.getMessage());
    assertThat(mapped.getStatus().getCause()).isSameAs(overloaded);
    assertThat(trailersOf(mapped).get(BlastwallMetadata.RETRY_PUSHBACK_MS)).isEqualTo("2");
    assertThat(BlastwallMetadata.hasDoNotRetry(trailersOf(mapped))).isTrue();
  }

  @Test
  void overloadedException_withoutHint_isPushbackMinusOne() {
    StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(
        new OverloadedException("orders", "queue", "queue full", -1, null));

    assertThat(trailersOf(mapped).get(BlastwallMetadata.RETRY_PUSHBACK_MS)).isEqualTo("-1");
    // Read back by a Blastwall client: not retried by anyone.
    assertThat(GrpcStatusMapping.toFailure(mapped.getStatus(), mapped.getTrailers()).doNotRetry()).isTrue();
  }

  @Test
  void overloadedException_readBackByTheImmediateCaller_isRetryableAfterThePushback() {
    StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(
        new OverloadedException("orders", "admission", "shed", Duration.ofMillis(30).toNanos(), "shed"));

    GrpcRemoteFailure seenByCaller = GrpcStatusMapping.toFailure(mapped.getStatus(), mapped.getTrailers());

    assertThat(seenByCaller.doNotRetry()).isFalse();
    assertThat(seenByCaller.retryAfterNanos()).isEqualTo(Duration.ofMillis(30).toNanos());
    // Refused before the handler ran: retryable even for a method that may not repeat.
    assertThat(seenByCaller.didNotRun()).isTrue();
    assertThat(GrpcStatusMapping.classifier().didNotRun(mapped)).isTrue();
  }

  @Test
  void resourceExhaustedWithoutTheMark_orWithoutAPushback_mayHaveRun() {
    Metadata pushbackOnly = new Metadata();
    BlastwallMetadata.putPushback(pushbackOnly, 30);
    assertThat(GrpcStatusMapping.toFailure(Status.RESOURCE_EXHAUSTED, pushbackOnly).didNotRun()).isFalse();
    Metadata markOnly = new Metadata();
    BlastwallMetadata.markDoNotRetry(markOnly);
    assertThat(GrpcStatusMapping.toFailure(Status.RESOURCE_EXHAUSTED, markOnly).didNotRun()).isFalse();
    assertThat(GrpcStatusMapping.toFailure(Status.UNAVAILABLE, null).didNotRun()).isFalse();
  }

  @Test
  void attemptFailure_ownTimeout_isATimeout_keepingItsStatus() {
    GrpcRemoteFailure failure = GrpcStatusMapping.toAttemptFailure(Status.DEADLINE_EXCEEDED, null,
        /* neverSent= */ false, /* ownTimeout= */ true, /* cancelledHere= */ true);

    assertThat(failure.kind()).isEqualTo(FailureKind.TIMEOUT);
    assertThat(failure.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(failure.didNotRun()).isFalse();
    assertThat(GrpcStatusMapping.toAttemptFailure(Status.DEADLINE_EXCEEDED, null, false, false, true).kind())
        .as("the call's own deadline").isEqualTo(FailureKind.DEADLINE_EXCEEDED);
  }

  @Test
  void attemptFailure_cancelledByNobodyHere_isTheServerGoingAway() {
    GrpcRemoteFailure away = GrpcStatusMapping.toAttemptFailure(
        Status.CANCELLED.withDescription("RST_STREAM closed stream"), null, false, false, false);

    assertThat(away.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(away.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(away.status().getDescription()).contains("did not ask for").endsWith(": \"RST_STREAM closed stream\"");
    GrpcRemoteFailure ours = GrpcStatusMapping.toAttemptFailure(Status.CANCELLED, null, false, false, true);
    assertThat(ours.kind()).isEqualTo(FailureKind.CANCELLED);
  }

  @Test
  void attemptFailure_neverSent_didNotRun_whateverItsStatus() {
    GrpcRemoteFailure unsent = GrpcStatusMapping.toAttemptFailure(
        Status.UNAVAILABLE.withDescription("io exception"), null, true, false, false);

    assertThat(unsent.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(unsent.didNotRun()).isTrue();
    assertThat(unsent.status().getDescription()).isEqualTo("io exception");
  }

  @Test
  void callNotPermitted_isUnavailable_marked_withoutPushback() {
    StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(
        new CallNotPermittedException("inventory", "circuit OPEN", 0, 1_000, 5_000_000));

    assertThat(mapped.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(mapped.getStatus().getDescription()).contains("inventory: circuit-breaker: circuit OPEN");
    assertThat(BlastwallMetadata.hasDoNotRetry(trailersOf(mapped))).isTrue();
    assertThat(trailersOf(mapped).get(BlastwallMetadata.RETRY_PUSHBACK_MS)).isEqualTo("-1");
  }

  @Test
  void deadlineExceededException_isDeadlineExceeded() {
    StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(
        new CompletionException(new DeadlineExceededException("inventory", "deadline passed", 2, -5, null)));

    assertThat(mapped.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(mapped.getStatus().getCause()).isInstanceOf(DeadlineExceededException.class);
  }

  @Test
  void retriesExhausted_keepTheLastStatusCode_andAreMarked() {
    GrpcRemoteFailure last = GrpcStatusMapping.toFailure(Status.DATA_LOSS, null);
    RetriesExhaustedException exhausted =
        new RetriesExhaustedException("inventory", "gave up after 3 attempts", 3, 1_000, last.kind(), last);

    StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(exhausted);

    assertThat(mapped.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
    assertThat(mapped.getStatus().getDescription()).startsWith("inventory: retry: gave up after 3 attempts");
    assertThat(BlastwallMetadata.hasDoNotRetry(trailersOf(mapped))).isTrue();
  }

  @Test
  void relayedGrpcFailure_keepsStatusAndTrailers_butNeverThePushback() {
    Metadata received = trailers("100", false);
    Metadata.Key<String> detail = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);
    received.put(detail, "kept");
    GrpcRemoteFailure fromBelow =
        GrpcStatusMapping.toFailure(Status.UNAVAILABLE.withDescription("below is down"), received);

    StatusRuntimeException relayed = GrpcStatusMapping.toStatusException(fromBelow);

    assertThat(relayed.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(relayed.getStatus().getDescription()).isEqualTo("below is down");
    assertThat(trailersOf(relayed).get(detail)).isEqualTo("kept");
    assertThat(trailersOf(relayed).get(BlastwallMetadata.RETRY_PUSHBACK_MS)).isNull();
    assertThat(BlastwallMetadata.hasDoNotRetry(trailersOf(relayed))).isFalse();
  }

  @Test
  void relayedOverload_isAlwaysMarked_soOnlyTheLayerAboveTheOverloadedServerRetries() {
    GrpcRemoteFailure fromBelow = GrpcStatusMapping.toFailure(Status.RESOURCE_EXHAUSTED, trailers("100", false));

    StatusRuntimeException relayed = GrpcStatusMapping.toStatusException(fromBelow);

    assertThat(BlastwallMetadata.hasDoNotRetry(trailersOf(relayed))).isTrue();
    assertThat(trailersOf(relayed).get(BlastwallMetadata.RETRY_PUSHBACK_MS)).isEqualTo("-1");
  }

  @Test
  void relayedMarkedFailure_staysMarked() {
    GrpcRemoteFailure fromBelow = GrpcStatusMapping.toFailure(Status.UNAVAILABLE, trailers(null, true));

    assertThat(BlastwallMetadata.hasDoNotRetry(trailersOf(GrpcStatusMapping.toStatusException(fromBelow)))).isTrue();
  }

  @Test
  void plainRemoteFailure_takesTheStatusOfItsKind() {
    RemoteFailure http = new RemoteFailure(FailureKind.INVALID, "400 Bad Request");

    StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(http);

    assertThat(mapped.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(mapped.getStatus().getDescription()).isEqualTo("400 Bad Request");
    assertThat(BlastwallMetadata.hasDoNotRetry(trailersOf(mapped))).isFalse();
  }

  @Test
  void cancellation_isCancelled_andUnknownExceptionsAreWhatGrpcMakesOfThem() {
    assertThat(GrpcStatusMapping.toStatusException(new CancellationException("stop")).getStatus().getCode())
        .isEqualTo(Status.Code.CANCELLED);
    assertThat(GrpcStatusMapping.toStatusException(new IllegalStateException("bug")).getStatus().getCode())
        .isEqualTo(Status.Code.UNKNOWN);
    assertThat(GrpcStatusMapping.isMapped(new IllegalStateException("bug"))).isFalse();
    assertThat(GrpcStatusMapping.isMapped(new CompletionException(Status.ABORTED.asRuntimeException()))).isTrue();
  }

  @Test
  void statusException_keepsItsStatusAndTrailers() {
    StatusRuntimeException original = Status.NOT_FOUND.asRuntimeException(trailers(null, true));

    assertThat(GrpcStatusMapping.toStatusException(original)).isSameAs(original);
  }

  @Test
  void classifier_readsStatusExceptions_andDefersForTheRest() {
    FailureClassifier classifier = GrpcStatusMapping.classifier();
    StatusRuntimeException pushedBack = Status.RESOURCE_EXHAUSTED.asRuntimeException(trailers("75", false));

    assertThat(classifier.classify(pushedBack)).isEqualTo(FailureKind.OVERLOADED);
    assertThat(classifier.retryAfterNanos(pushedBack)).isEqualTo(Duration.ofMillis(75).toNanos());
    assertThat(classifier.doNotRetry(Status.UNAVAILABLE.asRuntimeException(trailers(null, true)))).isTrue();
    assertThat(classifier.classify(new java.net.ConnectException())).isEqualTo(FailureKind.UNAVAILABLE);
  }
}
