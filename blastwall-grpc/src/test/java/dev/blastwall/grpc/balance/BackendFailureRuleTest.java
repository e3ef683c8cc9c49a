package dev.blastwall.grpc.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.failure.AttemptTimeoutException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.grpc.GrpcStatusMapping;
import io.grpc.Deadline;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Ejection counts what the breaker and the pipeline count: core's {@link FailureKind#countsAgainstUpstream}. */
class BackendFailureRuleTest {

  @ParameterizedTest
  @EnumSource(Status.Code.class)
  void everyStatusCountsAgainstTheBackendExactlyWhenItsKindCountsAgainstTheUpstream(Status.Code code) {
    Status status = Status.fromCode(code);

    assertThat(BlastwallLoadBalancer.isBackendFailure(status, false))
        .isEqualTo(GrpcStatusMapping.kindOf(code).countsAgainstUpstream());
  }

  @Test
  void aSheddingBackendCountsAgainstItself() {
    assertThat(BlastwallLoadBalancer.isBackendFailure(Status.RESOURCE_EXHAUSTED, false)).isTrue();
    assertThat(BlastwallLoadBalancer.isNeutral(Status.RESOURCE_EXHAUSTED)).isFalse();
  }

  @Test
  void theAttemptsOwnTimeLimitCountsTheCallersDoesNot() {
    Status timedOut = Status.CANCELLED.withCause(new AttemptTimeoutException("svc", 1_000_000, 1, -1));
    assertThat(BlastwallLoadBalancer.isBackendFailure(timedOut, false)).isTrue();
    assertThat(BlastwallLoadBalancer.isNeutral(timedOut)).isFalse();
    assertThat(BlastwallLoadBalancer.isBackendFailure(Status.DEADLINE_EXCEEDED, true)).isTrue();

    assertThat(BlastwallLoadBalancer.isBackendFailure(Status.DEADLINE_EXCEEDED, false)).isFalse();
    assertThat(BlastwallLoadBalancer.isNeutral(Status.DEADLINE_EXCEEDED)).isTrue();
    assertThat(BlastwallLoadBalancer.isBackendFailure(Status.CANCELLED, false)).isFalse();
    assertThat(BlastwallLoadBalancer.isNeutral(Status.CANCELLED)).isTrue();
    // Application answers are neither failures nor neutral: they count as successes.
    assertThat(BlastwallLoadBalancer.isBackendFailure(Status.ABORTED, false)).isFalse();
    assertThat(BlastwallLoadBalancer.isNeutral(Status.NOT_FOUND)).isFalse();
  }

  @Test
  void aStreamResetAfterTheAttemptsOwnDeadlinePassed_isThatDeadline_notTheCallersCancel() {
    // When the server's timer for the attempt's deadline resets the stream before the client's fires, the client's
    // stream closes CANCELLED: on a loaded machine a hung backend would otherwise escape ejection.
    Deadline passed = Deadline.after(-1, TimeUnit.MILLISECONDS);
    Deadline ahead = Deadline.after(1, TimeUnit.HOURS);

    assertThat(BalancerPickers.endedByOwnDeadline(Status.CANCELLED, passed)).isTrue();
    assertThat(BalancerPickers.endedByOwnDeadline(Status.DEADLINE_EXCEEDED, passed)).isTrue();
    assertThat(BlastwallLoadBalancer.isBackendFailure(Status.CANCELLED, true)).isTrue();
    // A cancel before the attempt's deadline is the caller's; an unmarked call's deadline is the caller's too.
    assertThat(BalancerPickers.endedByOwnDeadline(Status.CANCELLED, ahead)).isFalse();
    assertThat(BalancerPickers.endedByOwnDeadline(Status.CANCELLED, null)).isFalse();
    assertThat(BalancerPickers.endedByOwnDeadline(Status.DEADLINE_EXCEEDED, null)).isFalse();
    assertThat(BalancerPickers.endedByOwnDeadline(Status.UNAVAILABLE, passed)).isFalse();
  }
}
