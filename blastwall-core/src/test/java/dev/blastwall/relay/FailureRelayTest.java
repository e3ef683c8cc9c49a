package dev.blastwall.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.retry.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FailureRelayTest {

  private static IncomingVerdict received(FailureKind kind, boolean marked, RetryHint hint) {
    return FailureRelay.incoming(kind, kind.name(), "said so", marked, hint, AttemptFacts.NOT_KNOWN);
  }

  @ParameterizedTest
  @EnumSource(FailureKind.class)
  void everyKindIsKeptOnTheWayInAndOut(FailureKind kind) {
    IncomingVerdict verdict = received(kind, false, RetryHint.none());

    assertThat(verdict.kind()).isEqualTo(kind);
    assertThat(verdict.doNotRetry()).isFalse();
    assertThat(verdict.didNotRun()).isFalse();
    assertThat(verdict.retryAfterNanos()).isEqualTo(-1);
    assertThat(verdict.message()).isEqualTo(kind + ": \"said so\"");

    OutgoingVerdict out = FailureRelay.outgoing(verdict.toFailure(null));
    assertThat(out.kind()).isEqualTo(kind);
    assertThat(out.recognised()).isTrue();
    // An overload below is marked on the way up, so no layer above multiplies the load.
    assertThat(out.marked()).isEqualTo(kind == FailureKind.OVERLOADED);
    assertThat(out.hint()).isEqualTo(kind == FailureKind.OVERLOADED ? RetryHint.doNotRetry() : RetryHint.none());
  }

  @Test
  void aRetryAfterReplacesTheBackoffAndIsBoundedByTheLongestAnyPolicyWaits() {
    assertThat(received(FailureKind.UNAVAILABLE, false, RetryHint.afterMillis(200)).retryAfterNanos())
        .isEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(received(FailureKind.UNAVAILABLE, false, RetryHint.afterMillis(0)).retryAfterNanos()).isZero();
    long max = RetryPolicy.MAX_RETRY_AFTER.toNanos();
    assertThat(received(FailureKind.UNAVAILABLE, false, RetryHint.after(RetryPolicy.MAX_RETRY_AFTER))
        .retryAfterNanos()).isEqualTo(max);
    assertThat(received(FailureKind.UNAVAILABLE, false, RetryHint.after(RetryPolicy.MAX_RETRY_AFTER.plusNanos(1)))
        .retryAfterNanos()).isEqualTo(max);
    assertThat(received(FailureKind.UNAVAILABLE, false, RetryHint.afterMillis(Long.MAX_VALUE)).retryAfterNanos())
        .isEqualTo(max);
    assertThat(received(FailureKind.UNAVAILABLE, false, RetryHint.after(Duration.ofDays(365 * 1000)))
        .retryAfter()).isEqualTo(RetryPolicy.MAX_RETRY_AFTER);
  }

  @Test
  void doNotRetryHintStopsRetriesWithOrWithoutTheMark() {
    assertThat(received(FailureKind.UNAVAILABLE, false, RetryHint.doNotRetry()).doNotRetry()).isTrue();
    assertThat(received(FailureKind.UNAVAILABLE, false, RetryHint.afterMillis(-5)).doNotRetry()).isTrue();
    assertThat(received(FailureKind.UNAVAILABLE, true, RetryHint.doNotRetry()).retryAfterNanos()).isEqualTo(-1);
  }

  @Test
  void theMarkAloneStopsRetriesAndIsKept() {
    IncomingVerdict verdict = received(FailureKind.UNAVAILABLE, true, RetryHint.none());

    assertThat(verdict.doNotRetry()).isTrue();
    assertThat(verdict.marked()).isTrue();
    assertThat(verdict.didNotRun()).isFalse();
    RemoteFailure failure = verdict.toFailure(null);
    assertThat(failure.marked()).isTrue();
    OutgoingVerdict out = FailureRelay.outgoing(failure);
    assertThat(out.marked()).isTrue();
    assertThat(out.hint()).isEqualTo(RetryHint.doNotRetry());
  }

  @Test
  void anOverloadedRefusalWithATimeMayBeRetriedByTheImmediateCallerOnlyAndDidNotRun() {
    IncomingVerdict verdict = received(FailureKind.OVERLOADED, true, RetryHint.afterMillis(50));

    assertThat(verdict.doNotRetry()).isFalse();
    assertThat(verdict.didNotRun()).isTrue();
    assertThat(verdict.retryAfterNanos()).isEqualTo(Duration.ofMillis(50).toNanos());
    // Relayed further up: marked, and the time is not passed on.
    OutgoingVerdict out = FailureRelay.outgoing(verdict.toFailure(null));
    assertThat(out.marked()).isTrue();
    assertThat(out.hint()).isEqualTo(RetryHint.doNotRetry());
  }

  @Test
  void aMarkedFailureOfAnotherKindWithATimeIsRetriedAfterItButMayHaveRun() {
    IncomingVerdict verdict = received(FailureKind.UNAVAILABLE, true, RetryHint.afterMillis(50));

    assertThat(verdict.doNotRetry()).isFalse();
    assertThat(verdict.didNotRun()).isFalse();
  }

  @Test
  void attemptFactsChangeWhatTheFailureMeans() {
    IncomingVerdict timeout = FailureRelay.incoming(FailureKind.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", null,
        false, RetryHint.none(), new AttemptFacts(false, true, false));
    assertThat(timeout.kind()).isEqualTo(FailureKind.TIMEOUT);
    assertThat(timeout.message()).isEqualTo("TIMEOUT (received DEADLINE_EXCEEDED)");

    IncomingVerdict away = FailureRelay.incoming(FailureKind.CANCELLED, "CANCELLED", "RST\n", false,
        RetryHint.none(), new AttemptFacts(false, false, false));
    assertThat(away.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(away.description()).contains("did not ask for").endsWith(": \"RST\\x0a\"");

    IncomingVerdict ours = FailureRelay.incoming(FailureKind.CANCELLED, "CANCELLED", null, false,
        RetryHint.none(), new AttemptFacts(false, false, true));
    assertThat(ours.kind()).isEqualTo(FailureKind.CANCELLED);

    IncomingVerdict neverSent = FailureRelay.incoming(FailureKind.UNAVAILABLE, "UNAVAILABLE", null, false,
        RetryHint.none(), new AttemptFacts(true, false, true));
    assertThat(neverSent.didNotRun()).isTrue();
    assertThat(neverSent.message()).isEqualTo("UNAVAILABLE");
  }

  @Test
  void thisSidesOverloadSendsItsTimeRoundedUpOrDoNotRetry() {
    OverloadedException withHint = new OverloadedException("svc", "admission", "shed", 1_500_001, null);
    OutgoingVerdict out = FailureRelay.outgoing(new CompletionException(withHint));
    assertThat(out.failure()).isSameAs(withHint);
    assertThat(out.kind()).isEqualTo(FailureKind.OVERLOADED);
    assertThat(out.marked()).isTrue();
    assertThat(out.hint().retryAfterMillisRoundedUp()).isEqualTo(2);

    OutgoingVerdict without = FailureRelay.outgoing(new OverloadedException("svc", "admission", "shed", -1, null));
    assertThat(without.marked()).isTrue();
    assertThat(without.hint()).isEqualTo(RetryHint.doNotRetry());
  }

  @Test
  void blastwallsOwnFailuresAreMarkedWhenTheySayDoNotRetry() {
    CallNotPermittedException rejected = new CallNotPermittedException("svc", "open", 0, -1, -1);
    OutgoingVerdict open = FailureRelay.outgoing(new ExecutionException(rejected));
    assertThat(open.failure()).isSameAs(rejected);
    assertThat(open.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(open.recognised()).isTrue();
    assertThat(open.marked()).isEqualTo(rejected.doNotRetry());
    assertThat(open.hint()).isEqualTo(rejected.doNotRetry() ? RetryHint.doNotRetry() : RetryHint.none());
  }

  @Test
  void aRemoteFailureThatSaidDoNotRetryIsMarkedOnTheWayUp() {
    OutgoingVerdict out = FailureRelay.outgoing(
        new RemoteFailure(FailureKind.UNAVAILABLE, "down", null, true, null));
    assertThat(out.marked()).isTrue();
    assertThat(out.hint()).isEqualTo(RetryHint.doNotRetry());
  }

  @Test
  void cancellationAndUnknownFailures() {
    OutgoingVerdict cancelled = FailureRelay.outgoing(new CancellationException("gave up"));
    assertThat(cancelled.kind()).isEqualTo(FailureKind.CANCELLED);
    assertThat(cancelled.marked()).isFalse();
    assertThat(cancelled.recognised()).isTrue();

    OutgoingVerdict other = FailureRelay.outgoing(new IllegalArgumentException("bad"));
    assertThat(other.recognised()).isFalse();
    assertThat(other.kind()).isEqualTo(FailureKind.INVALID);
    assertThat(other.marked()).isFalse();
    assertThat(other.hint().isNone()).isTrue();
  }

  @Test
  void retryHintRounding() {
    assertThat(RetryHint.after(Duration.ofMillis(3)).retryAfterMillisRoundedUp()).isEqualTo(3);
    assertThat(RetryHint.after(Duration.ofNanos(1)).retryAfterMillisRoundedUp()).isEqualTo(1);
    assertThat(RetryHint.none().retryAfterMillisRoundedUp()).isEqualTo(-1);
    assertThat(RetryHint.doNotRetry().retryAfterNanos()).isEqualTo(-1);
  }

  @ParameterizedTest
  @EnumSource(FailureKind.class)
  void countsAgainstTheUpstreamIsTheOneRuleOfHealth(FailureKind kind) {
    boolean expected = switch (kind) {
      case UNAVAILABLE, OVERLOADED, TIMEOUT, INTERNAL -> true;
      default -> false;
    };
    assertThat(kind.countsAgainstUpstream()).isEqualTo(expected);
  }
}
