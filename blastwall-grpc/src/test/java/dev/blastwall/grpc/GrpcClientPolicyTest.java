package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcClientPolicyTest {

  private final Pipeline fallback = Pipeline.builder("fallback").build();
  private final Pipeline forService = Pipeline.builder("service").build();
  private final Pipeline forMethod = Pipeline.builder("method").build();

  /** The default pipeline on {@code ticker}: the policy reads deadlines on its default pipeline's environment. */
  private static Pipeline onTicker(FakeTicker ticker) {
    return Pipeline.builder("fallback").ticker(ticker).build();
  }

  @Test
  void pipeline_isLookedUpByMethod_thenService_thenDefault() {
    GrpcClientPolicy policy = GrpcClientPolicy.builder(fallback)
        .pipeline("blastwall.test.Echo", forService)
        .pipeline(EchoGrpc.getSumMethod(), forMethod)
        .build();

    assertThat(policy.pipeline("blastwall.test.Echo/Sum")).isSameAs(forMethod);
    assertThat(policy.pipeline("blastwall.test.Echo/Echo")).isSameAs(forService);
    assertThat(policy.pipeline("other.Service/Call")).isSameAs(fallback);
  }

  @Test
  void idempotency_protoOptionWins_thenMethod_thenService_thenNonIdempotentWithoutKeys() {
    GrpcClientPolicy policy = GrpcClientPolicy.builder(fallback)
        .idempotency("blastwall.test.Echo", Idempotency.IDEMPOTENT)
        .idempotency(EchoGrpc.getEchoMethod(), Idempotency.NON_IDEMPOTENT)
        .idempotency(EchoGrpc.getGetMethod(), Idempotency.NON_IDEMPOTENT)
        .build();

    // Get is declared NO_SIDE_EFFECTS in echo.proto: the declaration beats the configuration.
    assertThat(policy.plan(EchoGrpc.getGetMethod()).idempotency()).isEqualTo(Idempotency.IDEMPOTENT);
    MethodPlan echo = policy.plan(EchoGrpc.getEchoMethod());
    assertThat(echo.idempotency()).isEqualTo(Idempotency.NON_IDEMPOTENT);
    assertThat(echo.keyed()).as("an auto key is no promise of dedup: none without keyed").isFalse();
    MethodPlan sum = policy.plan(EchoGrpc.getSumMethod());
    assertThat(sum.idempotency()).isEqualTo(Idempotency.IDEMPOTENT);
    assertThat(sum.keyed()).isFalse();
    MethodPlan unlisted = GrpcClientPolicy.builder(fallback).build().plan(EchoGrpc.getEchoMethod());
    assertThat(unlisted.idempotency()).isEqualTo(Idempotency.NON_IDEMPOTENT);
    assertThat(unlisted.keyed()).isFalse();
  }

  @Test
  void declaredIdempotency_isReadFromTheDescriptorFlags() {
    assertThat(GrpcClientPolicy.declaredIdempotent(EchoGrpc.getGetMethod())).isTrue();
    assertThat(GrpcClientPolicy.declaredIdempotent(EchoGrpc.getPutMethod())).isTrue();
    assertThat(GrpcClientPolicy.declaredIdempotent(EchoGrpc.getEchoMethod())).isFalse();
  }

  @Test
  void keyed_byMethodOrService_givesKeys_andMethodSettingsWinOverTheService() {
    GrpcClientPolicy policy = GrpcClientPolicy.builder(fallback)
        .keyed("blastwall.test.Echo")
        .idempotency(EchoGrpc.getSumMethod(), Idempotency.NON_IDEMPOTENT)
        .build();

    MethodPlan echo = policy.plan(EchoGrpc.getEchoMethod());
    assertThat(echo.keyed()).isTrue();
    assertThat(echo.idempotency()).isEqualTo(Idempotency.NON_IDEMPOTENT);
    assertThat(policy.plan(EchoGrpc.getSumMethod()).keyed()).isFalse();
    assertThat(GrpcClientPolicy.builder(fallback).keyed(EchoGrpc.getChatMethod()).build()
        .plan(EchoGrpc.getChatMethod()).keyed()).isTrue();
  }

  @Test
  void keyedAndIdempotency_areOneDeclarationPerTarget() {
    assertThatThrownBy(() -> GrpcClientPolicy.builder(fallback).keyed("a.B")
        .idempotency("a.B", Idempotency.NON_IDEMPOTENT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("idempotency for a.B was already set (expected: once per target)");
    assertThatThrownBy(() -> GrpcClientPolicy.builder(fallback).keyed("a.B").keyed("a.B"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> GrpcClientPolicy.builder(fallback).keyed("a.B/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("target: ");
  }

  @Test
  void attemptTimeoutBinds_onlyWhenShorterThanTheDeadlineLessTheSlack() {
    FakeTicker ticker = new FakeTicker();
    GrpcClientPolicy policy = GrpcClientPolicy.builder(onTicker(ticker))
        .attemptTimeout("blastwall.test.Echo/Get", Duration.ofMillis(300))
        .build();
    MethodPlan get = policy.plan(EchoGrpc.getGetMethod());

    assertThat(policy.attemptTimeoutBinds(null, get)).isTrue();
    assertThat(policy.attemptTimeoutBinds(Deadline.after(Duration.ofSeconds(5), ticker), get)).isTrue();
    // 330 ms less 33 ms of slack is 297 ms: the call's deadline comes first.
    assertThat(policy.attemptTimeoutBinds(Deadline.after(Duration.ofMillis(330), ticker), get)).isFalse();
    assertThat(policy.attemptTimeoutBinds(null, policy.plan(EchoGrpc.getEchoMethod()))).isFalse();
  }

  @Test
  void slack_isTenPercentCappedAt50ms_andZeroOncePassed() {
    GrpcClientPolicy policy = GrpcClientPolicy.builder(fallback).build();

    assertThat(policy.slackNanos(Duration.ofSeconds(1).toNanos())).isEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(policy.slackNanos(Duration.ofMillis(200).toNanos())).isEqualTo(Duration.ofMillis(20).toNanos());
    assertThat(policy.slackNanos(0)).isZero();
    assertThat(policy.slackNanos(-5)).isZero();
  }

  @Test
  void attemptDeadline_isTheEarlierOfDeadlineLessSlack_andAttemptTimeout() {
    FakeTicker ticker = new FakeTicker();
    GrpcClientPolicy policy = GrpcClientPolicy.builder(onTicker(ticker))
        .attemptTimeout("blastwall.test.Echo/Get", Duration.ofMillis(300))
        .build();
    MethodPlan get = policy.plan(EchoGrpc.getGetMethod());
    MethodPlan echo = policy.plan(EchoGrpc.getEchoMethod());

    Deadline oneSecond = Deadline.after(Duration.ofSeconds(1), ticker);
    assertThat(Objects.requireNonNull(policy.attemptDeadline(oneSecond, echo)).remaining())
        .isEqualTo(Duration.ofMillis(950));
    assertThat(Objects.requireNonNull(policy.attemptDeadline(oneSecond, get)).remaining())
        .isEqualTo(Duration.ofMillis(300));
    assertThat(Objects.requireNonNull(policy.attemptDeadline(null, get)).remaining())
        .isEqualTo(Duration.ofMillis(300));
    assertThat(policy.attemptDeadline(null, echo)).isNull();
    Deadline passed = Deadline.after(Duration.ofMillis(-5), ticker);
    assertThat(Objects.requireNonNull(policy.attemptDeadline(passed, echo)).isExpired()).isTrue();
  }

  @Test
  void customSlack_zeroHandsTheWholeDeadlineDown() {
    FakeTicker ticker = new FakeTicker();
    GrpcClientPolicy policy = GrpcClientPolicy.builder(onTicker(ticker))
        .deadlineSlack(0, Duration.ZERO).build();

    Deadline deadline = Deadline.after(Duration.ofSeconds(1), ticker);
    assertThat(policy.attemptDeadline(deadline, policy.plan(EchoGrpc.getEchoMethod()))).isEqualTo(deadline);
  }

  @Test
  void settingTheSameThingTwice_isAnError() {
    GrpcClientPolicy.Builder builder = GrpcClientPolicy.builder(fallback).pipeline("a.B", forService);

    assertThatThrownBy(() -> builder.pipeline("a.B", forMethod)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a.B");
    builder.deadlineSlack(0.2, Duration.ofMillis(10));
    assertThatThrownBy(() -> builder.deadlineSlack(0.2, Duration.ofMillis(10)))
        .isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " a.B", "a.B/", "/M", "a.B/M/N"})
  void malformedTargets_areRejected(String target) {
    assertThatThrownBy(() -> GrpcClientPolicy.builder(fallback).pipeline(target, forService))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("target: ");
  }

  @Test
  void badArguments_areRejectedWithTheOneMessageShape() {
    assertThatThrownBy(() -> GrpcClientPolicy.builder(fallback).deadlineSlack(1.0, Duration.ZERO))
        .hasMessage("fraction: 1.0 (expected: 0 <= fraction < 1)");
    assertThatThrownBy(() -> GrpcClientPolicy.builder(fallback).attemptTimeout("a.B", Duration.ZERO))
        .hasMessage("timeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> GrpcClientPolicy.builder(fallback).idempotency("a.B", Idempotency.withKey("k")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
