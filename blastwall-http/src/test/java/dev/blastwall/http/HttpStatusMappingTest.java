package dev.blastwall.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.relay.AttemptFacts;
import dev.blastwall.relay.IncomingVerdict;
import dev.blastwall.testing.FakeTicker;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class HttpStatusMappingTest {

  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final AttemptFacts SENT = new AttemptFacts(false, false, true);

  private static IncomingVerdict received(int status, Map<String, String> headers, @Nullable Deadline deadline) {
    return HttpStatusMapping.incoming(status, headers::get, null, NOW, deadline, SENT);
  }

  private static IncomingVerdict received(int status, Map<String, String> headers) {
    return received(status, headers, null);
  }

  @Test
  void gatewayAndUnavailableStatuses_areRetryableWhenRepeatable() {
    for (int status : new int[] {502, 503, 504}) {
      IncomingVerdict verdict = received(status, Map.of());
      assertThat(verdict.kind()).as("%s", status).isEqualTo(FailureKind.UNAVAILABLE);
      assertThat(verdict.kind().isRetryable(false, true)).isTrue();
      assertThat(verdict.kind().isRetryable(false, false, verdict.didNotRun())).isFalse();
      assertThat(verdict.message()).isEqualTo("HTTP " + status);
    }
  }

  @Test
  void status500_isRetriedOnlyForIdempotentMethods() {
    FailureKind kind = received(500, Map.of()).kind();
    assertThat(kind).isEqualTo(FailureKind.INTERNAL);
    assertThat(kind.isRetryable(true, false)).isTrue();
    assertThat(kind.isRetryable(false, true)).isFalse();
  }

  @Test
  void otherClientErrors_areNeverRetried() {
    for (int status : new int[] {400, 401, 403, 404, 408, 409, 422, 499, 501, 505}) {
      assertThat(received(status, Map.of()).kind()).as("%s", status).isEqualTo(FailureKind.INVALID);
    }
    assertThat(HttpStatusMapping.isFailure(399)).isFalse();
    assertThat(HttpStatusMapping.isFailure(400)).isTrue();
    assertThat(HttpStatusMapping.kindOf(200, false)).isEqualTo(FailureKind.UNKNOWN);
  }

  @Test
  void retryAfter_isHonouredOn429And503_only() {
    Map<String, String> headers = Map.of("retry-after", "2");
    assertThat(received(429, headers).retryAfter()).isEqualTo(Duration.ofSeconds(2));
    assertThat(received(429, headers).kind()).isEqualTo(FailureKind.OVERLOADED);
    assertThat(received(503, headers).retryAfter()).isEqualTo(Duration.ofSeconds(2));
    assertThat(received(500, headers).retryAfter()).isNull();
    assertThat(received(502, headers).retryAfter()).isNull();
  }

  @Test
  void retryAfterPastTheDeadline_meansDoNotRetry() {
    FakeTicker ticker = new FakeTicker();
    Deadline deadline = Deadline.after(Duration.ofSeconds(1), ticker);
    IncomingVerdict verdict = received(503, Map.of("retry-after", "2"), deadline);
    assertThat(verdict.doNotRetry()).isTrue();
    assertThat(verdict.retryAfter()).isNull();
    assertThat(received(503, Map.of("retry-after-ms", "500"), deadline).retryAfter())
        .isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void aBlastwallShed_isRetriedOnceByTheImmediateCaller_forAnyMethod() {
    IncomingVerdict verdict = received(503, Map.of("blastwall-do-not-retry", "true", "retry-after-ms", "250"));
    assertThat(verdict.kind()).isEqualTo(FailureKind.OVERLOADED);
    assertThat(verdict.didNotRun()).isTrue();
    assertThat(verdict.doNotRetry()).isFalse();
    assertThat(verdict.retryAfter()).isEqualTo(Duration.ofMillis(250));
    assertThat(received(503, Map.of("blastwall-do-not-retry", "true")).doNotRetry()).isTrue();
  }

  @Test
  void connectErrors_didNotRun_otherIoErrorsMayHaveRun() {
    IncomingVerdict refused = HttpStatusMapping.incoming(new ConnectException("Connection refused"), SENT);
    assertThat(refused.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(refused.didNotRun()).isTrue();
    assertThat(HttpStatusMapping.incoming(new HttpConnectTimeoutException("slow"), SENT).didNotRun()).isTrue();
    assertThat(HttpStatusMapping.incoming(new IOException("x", new ConnectException("y")), SENT).didNotRun())
        .isTrue();
    IncomingVerdict reset = HttpStatusMapping.incoming(new IOException("connection reset"), SENT);
    assertThat(reset.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(reset.didNotRun()).isFalse();
  }

  @Test
  void aResponseTimeout_isTheAttemptsTimeout_onlyWhenItsOwnLimitCausedIt() {
    HttpTimeoutException timeout = new HttpTimeoutException("request timed out");
    assertThat(HttpStatusMapping.incoming(timeout, SENT).kind()).isEqualTo(FailureKind.DEADLINE_EXCEEDED);
    assertThat(HttpStatusMapping.incoming(timeout, new AttemptFacts(false, true, true)).kind())
        .isEqualTo(FailureKind.TIMEOUT);
  }

  @Test
  void admissionRefusals_are503Or429_markedWithRetryAfter() {
    OverloadedException shed = new OverloadedException("orders", "admission", "shed", 250_000_000L, "shed");
    HttpFailureResponse answer = HttpStatusMapping.outgoing(new CompletionException(shed));
    assertThat(answer.status()).isEqualTo(503);
    Map<String, String> headers = new HashMap<>();
    answer.writeHeaders(headers::put);
    assertThat(headers).containsOnly(Map.entry("blastwall-do-not-retry", "true"), Map.entry("retry-after", "1"),
        Map.entry("retry-after-ms", "250"));

    OverloadedException limited = new OverloadedException("orders", HttpStatusMapping.RATE_LIMITER_POLICY,
        "tenant acme over 100/s", 2_000_000_000L, "limit");
    assertThat(HttpStatusMapping.outgoing(limited).status()).isEqualTo(429);

    Map<String, String> noHint = new HashMap<>();
    HttpStatusMapping.outgoing(new OverloadedException("orders", "queue", "full", -1, null)).writeHeaders(noHint::put);
    assertThat(noHint).containsOnly(Map.entry("blastwall-do-not-retry", "true"));
  }

  @Test
  void expiredAndBadRequests_areAnsweredWithoutRunningAnything() {
    assertThat(HttpStatusMapping.expired().status()).isEqualTo(504);
    assertThat(HttpStatusMapping.expired().marked()).isTrue();
    HttpFailureResponse bad = HttpStatusMapping.badRequest("grpc-timeout: \"soon\" (expected: ...)");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.message()).isEqualTo("grpc-timeout: \"soon\" (expected: ...)");
    assertThat(HttpStatusMapping.outgoing(new DeadlineExceededException("orders", "late", 1, 0, null)).status())
        .isEqualTo(504);
  }

  @Test
  void upstreamFailures_keepTheirStatus_andOverloadIsMarkedWithoutATime() {
    HttpRemoteFailure notFound = new HttpRemoteFailure(received(404, Map.of()), 404, null);
    HttpFailureResponse relayed = HttpStatusMapping.outgoing(notFound);
    assertThat(relayed.status()).isEqualTo(404);
    assertThat(relayed.marked()).isFalse();

    HttpRemoteFailure shed = new HttpRemoteFailure(
        received(503, Map.of("blastwall-do-not-retry", "true", "retry-after", "1")), 503, null);
    HttpFailureResponse up = HttpStatusMapping.outgoing(shed);
    assertThat(up.status()).isEqualTo(503);
    assertThat(up.marked()).isTrue();
    assertThat(up.hint().isAfter()).isFalse();
    // ... so the caller above this one does not retry it.
    Map<String, String> headers = new HashMap<>();
    up.writeHeaders(headers::put);
    assertThat(received(up.status(), headers).doNotRetry()).isTrue();
  }

  @Test
  void unknownFailures_are500_withoutTheirMessage() {
    HttpFailureResponse answer = HttpStatusMapping.outgoing(new IllegalStateException("secret /etc/passwd"));
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.message()).doesNotContain("secret");
    assertThat(answer.marked()).isFalse();
  }
}
