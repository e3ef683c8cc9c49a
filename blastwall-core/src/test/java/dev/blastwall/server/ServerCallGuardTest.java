package dev.blastwall.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.limit.ConcurrencyLimiter;
import dev.blastwall.limit.Limit;
import dev.blastwall.limit.PartitionedLimiter;
import dev.blastwall.overload.AdmissionController;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServerCallGuardTest {

  private final FakeTicker ticker = new FakeTicker();

  /** Admits everything and counts what it is asked and what is released. */
  private static final class Counting implements Admission {
    final AtomicInteger asked = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();

    @Override
    public Permit tryAdmit(CallContext context) {
      asked.incrementAndGet();
      return new Permit() {
        @Override
        public void onSuccess() {
          released.incrementAndGet();
        }

        @Override
        public void onDropped() {
          released.incrementAndGet();
        }

        @Override
        public void onIgnore() {
          released.incrementAndGet();
        }
      };
    }

    @Override
    public OverloadedException rejection(CallContext context) {
      throw new AssertionError("never refuses");
    }
  }

  private CallContext withDeadline(Duration timeout) {
    return CallContext.ROOT.withDeadline(Deadline.after(timeout, ticker));
  }

  @Test
  void callExpiredOnArrival_isRefusedWithoutAskingAdmission() {
    Counting admission = new Counting();
    CallContext context = withDeadline(Duration.ofMillis(5));
    ticker.advance(Duration.ofMillis(5));

    GuardedCall call = ServerCallGuard.of(admission).enter(context);

    assertThat(call.admitted()).isFalse();
    assertThat(call.expired()).isTrue();
    assertThat(call.refusal()).isNull();
    assertThat(admission.asked.get()).isZero();
    call.onIgnore(); // ending a refused call is harmless
    assertThat(admission.released.get()).isZero();
  }

  @Test
  void callWithTimeLeftOrNoDeadline_isAdmitted_andReleasedOnceHoweverOftenEnded() {
    Counting admission = new Counting();
    ServerCallGuard guard = ServerCallGuard.of(admission);
    CallContext context = withDeadline(Duration.ofMillis(5));
    ticker.advance(Duration.ofMillis(4));

    GuardedCall timed = guard.enter(context);
    GuardedCall untimed = guard.enter(CallContext.ROOT);

    assertThat(timed.admitted()).isTrue();
    assertThat(untimed.admitted()).isTrue();
    assertThat(timed.ended()).isFalse();
    timed.onSuccess();
    timed.onDropped();
    timed.onIgnore();
    assertThat(timed.ended()).isTrue();
    assertThat(admission.released.get()).isEqualTo(1);
    untimed.onIgnore();
    assertThat(admission.released.get()).isEqualTo(2);
  }

  @Test
  void admissionController_shedsByCriticality_andItsPermitReleasesOnceWithTheTimeHeld() {
    AdmissionController controller = AdmissionController.builder("orders", 2)
        .reserve(Criticality.CRITICAL_PLUS, 0.5).ticker(ticker).build();
    ServerCallGuard guard = ServerCallGuard.of(controller);

    GuardedCall critical = guard.enter(CallContext.ROOT.withCriticality(Criticality.CRITICAL));
    GuardedCall shed = guard.enter(CallContext.ROOT.withCriticality(Criticality.SHEDDABLE));

    assertThat(critical.admitted()).isTrue();
    assertThat(shed.admitted()).isFalse();
    assertThat(shed.expired()).isFalse();
    OverloadedException refusal = Objects.requireNonNull(shed.refusal());
    assertThat(refusal.policy()).isEqualTo("admission");
    assertThat(refusal.getMessage()).contains("SHEDDABLE shed: 1 of 2 in flight (1 reserved above)");
    assertThat(refusal.retryAfterNanos()).isEqualTo(AdmissionController.DEFAULT_MIN_RETRY_AFTER.toNanos());

    ticker.advance(Duration.ofMillis(30));
    critical.onSuccess();
    critical.onIgnore(); // a second release would throw: nothing is in flight any more

    assertThat(controller.inFlight()).isZero();
    assertThat(controller.snapshot().meanHeldNanos()).isEqualTo(Duration.ofMillis(30).toNanos());
    assertThat(controller.retryAfterNanos()).isEqualTo(Duration.ofMillis(30).toNanos());
  }

  @Test
  void admissionControllerPermit_endedDirectlyTwice_releasesOnce() {
    AdmissionController controller = AdmissionController.builder("orders", 1).ticker(ticker).build();

    Permit permit = Objects.requireNonNull(controller.tryAdmit(CallContext.ROOT));

    assertThat(controller.tryAdmit(CallContext.ROOT)).isNull();
    permit.onDropped();
    permit.onSuccess();
    assertThat(controller.inFlight()).isZero();
  }

  @Test
  void concurrencyLimiter_isAnAdmission_refusingAtItsLimit() {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder("inventory", Limit.fixed(1)).ticker(ticker).build();
    ServerCallGuard guard = ServerCallGuard.of(limiter);

    GuardedCall first = guard.enter(CallContext.ROOT);
    GuardedCall second = guard.enter(CallContext.ROOT);

    assertThat(first.admitted()).isTrue();
    OverloadedException refusal = Objects.requireNonNull(second.refusal());
    assertThat(refusal.policy()).isEqualTo("concurrency-limit");
    assertThat(refusal.getMessage()).contains("1 of 1 in flight");
    first.onSuccess();
    first.onSuccess();
    assertThat(limiter.inflight()).isZero();
    assertThat(guard.enter(CallContext.ROOT).admitted()).isTrue();
  }

  @Test
  void partitionedLimiter_isAnAdmission_partitioningByTheKeyTakenFromTheContext() {
    PartitionedLimiter<Criticality> limiter = PartitionedLimiter.<Criticality>builder("orders", Limit.fixed(2))
        .share(Criticality.CRITICAL, 50).admissionKey(CallContext::criticality).ticker(ticker).build();
    ServerCallGuard guard = ServerCallGuard.of(limiter);
    CallContext sheddable = CallContext.ROOT.withCriticality(Criticality.SHEDDABLE);

    GuardedCall first = guard.enter(sheddable);
    GuardedCall second = guard.enter(sheddable); // CRITICAL asked for nothing yet: borrowing is allowed
    GuardedCall critical = guard.enter(CallContext.ROOT.withCriticality(Criticality.CRITICAL));

    assertThat(first.admitted()).isTrue();
    assertThat(second.admitted()).isTrue();
    assertThat(critical.admitted()).isFalse();
    assertThat(limiter.inflight(Criticality.SHEDDABLE)).isEqualTo(2);
    second.onIgnore();
    GuardedCall criticalAgain = guard.enter(CallContext.ROOT.withCriticality(Criticality.CRITICAL));
    assertThat(criticalAgain.admitted()).isTrue();
    criticalAgain.onSuccess();
    assertThat(guard.enter(sheddable).admitted()).as("CRITICAL asked recently: no more borrowing").isFalse();
  }

  @Test
  void partitionedLimiterWithoutAdmissionKey_saysWhatIsMissing() {
    PartitionedLimiter<String> limiter = PartitionedLimiter.<String>builder("orders", Limit.fixed(2)).build();

    assertThatThrownBy(() -> limiter.tryAdmit(CallContext.ROOT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("orders: admissionKey: not set (expected: builder.admissionKey(...) to admit calls by their "
            + "CallContext)");
  }

  @Test
  void expiryOnly_admitsEveryCallWithTimeLeft_withoutAllocatingAPermitThatHoldsAnything() {
    ServerCallGuard guard = ServerCallGuard.expiryOnly();

    GuardedCall call = guard.enter(CallContext.ROOT);

    assertThat(guard.admission()).isSameAs(Admission.ALWAYS);
    assertThat(ServerCallGuard.of(Admission.ALWAYS)).isSameAs(guard);
    assertThat(call.admitted()).isTrue();
    assertThat(Admission.ALWAYS.tryAdmit(CallContext.ROOT)).isNotNull();
    call.onSuccess();
    assertThat(call.ended()).isTrue();
  }
}
