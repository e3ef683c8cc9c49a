package dev.blastwall.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.blastwall.breaker.CircuitBreaker.Snapshot;
import dev.blastwall.breaker.CircuitBreaker.State;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.BlastwallEvent.CircuitStateChanged;
import dev.blastwall.event.Subscription;
import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.testing.FakeTicker;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;

  private final FakeTicker ticker = new FakeTicker();
  private final List<BlastwallEvent> events = new ArrayList<>();

  private CircuitBreaker.Builder builder() {
    return CircuitBreaker.builder("payments").ticker(ticker).listener(events::add);
  }

  /** A breaker that trips at 50% over the last 20 calls once 10 are in, and stays open 10 s. */
  private CircuitBreaker small() {
    return builder().countWindow(20).minimumCalls(10).build();
  }

  private static CircuitBreaker.Permit permit(CircuitBreaker breaker) {
    CircuitBreaker.Permit permit = breaker.tryAcquirePermit();
    assertThat(permit.isPermitted()).as("permit in %s", breaker.state()).isTrue();
    return permit;
  }

  private static void succeed(CircuitBreaker breaker) {
    permit(breaker).onSuccess(5 * MS);
  }

  private static void fail(CircuitBreaker breaker) {
    permit(breaker).onFailure(5 * MS, FailureKind.UNAVAILABLE);
  }

  private static void repeat(int times, Runnable action) {
    for (int i = 0; i < times; i++) {
      action.run();
    }
  }

  private void trip(CircuitBreaker breaker) {
    repeat(10, () -> fail(breaker));
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  private static CircuitStateChanged changed(long atNanos, String from, String to, String reason) {
    return new CircuitStateChanged("payments", atNanos, from, to, reason);
  }

  @Test
  void startsClosedAndPermitsEveryCall() {
    CircuitBreaker breaker = CircuitBreaker.builder("payments").build();

    assertThat(breaker.name()).isEqualTo("payments");
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker).hasToString("CircuitBreaker[payments, CLOSED]");
    CircuitBreaker.Permit permit = breaker.tryAcquirePermit();
    assertThat(permit.isPermitted()).isTrue();
    assertThat(permit.isProbe()).isFalse();
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.CLOSED, 0, 0, 0, 0, 0, 0, 0, -1, 0));
  }

  @Test
  void tripsExactlyAtTheThresholdOnceMinimumCallsAreIn() {
    CircuitBreaker breaker = small();

    repeat(5, () -> fail(breaker));
    repeat(4, () -> succeed(breaker));
    // 5 of 9 failed (55.6%), but 9 calls are fewer than the minimum of 10.
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().failureRate()).isCloseTo(55.6, offset(0.1));

    succeed(breaker);

    // 5 of 10: exactly 50%.
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.OPEN, 50, 0, 10, 5, 0, 0, 0, 10 * SECOND, 1));
    assertThat(events).containsExactly(
        changed(0, "CLOSED", "OPEN", "failure rate 50.0% >= 50.0% over 10 calls"));
  }

  @Test
  void staysClosedJustUnderTheThreshold() {
    CircuitBreaker breaker = small();

    repeat(20, () -> {
      succeed(breaker);
      succeed(breaker);
      fail(breaker);
    });

    // The window holds the last 20 calls, of which never more than 7 (35%) failed.
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().calls()).isEqualTo(20);
    assertThat(breaker.snapshot().failures()).isBetween(6, 7);
    assertThat(events).isEmpty();
  }

  @Test
  void doesNotTripBeforeMinimumCallsEvenWhenAllFail() {
    CircuitBreaker breaker = small();

    repeat(9, () -> fail(breaker));
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().failureRate()).isEqualTo(100);

    fail(breaker);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void defaultMinimumShrinksToASmallCountWindow() {
    CircuitBreaker breaker = builder().countWindow(4).build();

    repeat(3, () -> fail(breaker));
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    fail(breaker);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void oldOutcomesLeaveTheCountWindow() {
    CircuitBreaker breaker = builder().countWindow(10).minimumCalls(10).failureRateThreshold(60).build();

    repeat(5, () -> fail(breaker));
    repeat(10, () -> succeed(breaker));
    assertThat(breaker.snapshot().failures()).isZero();
    repeat(5, () -> fail(breaker));
    assertThat(breaker.snapshot().failures()).isEqualTo(5);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    fail(breaker);
    // 6 of the last 10.
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void tripsOnTheSlowCallRate() {
    CircuitBreaker breaker = builder().countWindow(10).minimumCalls(5).slowCallDuration(Duration.ofSeconds(1))
        .slowCallRateThreshold(60).build();

    repeat(2, () -> permit(breaker).onSuccess(SECOND)); // exactly the limit: not slow
    repeat(2, () -> permit(breaker).onSuccess(SECOND + 1));
    assertThat(breaker.snapshot().slowCalls()).isEqualTo(2);
    permit(breaker).onSuccess(3 * SECOND);

    // 3 slow of 5: 60%.
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.OPEN, 0, 60, 5, 0, 3, 0, 0, 10 * SECOND, 1));
    assertThat(events).containsExactly(
        changed(0, "CLOSED", "OPEN", "slow-call rate 60.0% >= 60.0% over 5 calls"));
    assertThat(breaker.rejection("payments", 1, BlastwallException.NO_DEADLINE).getMessage())
        .contains("circuit OPEN (slow-call rate 60.0% >= 60.0% over 5 calls)");
  }

  @Test
  void slowCallsAreCountedButDoNotTripUnlessAThresholdIsSet() {
    CircuitBreaker breaker = builder().countWindow(10).slowCallDuration(Duration.ofMillis(100)).build();

    repeat(10, () -> permit(breaker).onSuccess(SECOND));

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().slowCallRate()).isEqualTo(100);
  }

  @Test
  void timeWindowForgetsOutcomesOneBucketAtATime() {
    CircuitBreaker breaker = builder().timeWindow(Duration.ofSeconds(10), 10).minimumCalls(20).build();

    ticker.advanceNanos(500 * MS);
    repeat(3, () -> fail(breaker)); // bucket [0 s, 1 s)
    ticker.advanceNanos(SECOND);
    repeat(2, () -> fail(breaker)); // bucket [1 s, 2 s)
    ticker.advanceNanos(8 * SECOND); // 9.5 s
    succeed(breaker); // bucket [9 s, 10 s)
    assertThat(breaker.snapshot().calls()).isEqualTo(6);

    ticker.advanceNanos(499 * MS); // 9.999 s: still the first ten buckets
    assertThat(breaker.snapshot().calls()).isEqualTo(6);
    ticker.advanceNanos(MS); // 10 s: the first bucket has left
    assertThat(breaker.snapshot()).extracting(Snapshot::calls, Snapshot::failures).containsExactly(3, 2);
    ticker.advanceNanos(SECOND); // 11 s: so has the second
    assertThat(breaker.snapshot()).extracting(Snapshot::calls, Snapshot::failures).containsExactly(1, 0);
    ticker.advanceNanos(SECOND); // long after: nothing left, even in buckets nobody has written since
    ticker.advanceNanos(100 * SECOND);
    assertThat(breaker.snapshot().calls()).isZero();
  }

  @Test
  void timeWindowTripsOnOutcomesStillInsideIt() {
    CircuitBreaker breaker = builder().timeWindow(Duration.ofSeconds(10), 10).minimumCalls(5).build();

    repeat(4, () -> fail(breaker));
    ticker.advanceNanos(10 * SECOND); // those four are gone
    fail(breaker);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    ticker.advanceNanos(9 * SECOND);
    repeat(3, () -> fail(breaker));
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    fail(breaker);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.snapshot().calls()).isEqualTo(5);
  }

  @Test
  void opensForTheOpenDurationThenLetsAProbeThrough() {
    CircuitBreaker breaker = small();
    trip(breaker);

    ticker.advanceNanos(10 * SECOND - 1);
    assertThat(breaker.tryAcquirePermit().isPermitted()).isFalse();
    assertThat(breaker.snapshot().nanosUntilHalfOpen()).isEqualTo(1);
    CallNotPermittedException rejection = breaker.rejection("payments-api", 2, 250 * MS);
    assertThat(rejection.retryAfterNanos()).isEqualTo(1);
    assertThat(rejection.upstream()).isEqualTo("payments-api");
    assertThat(rejection.policy()).isEqualTo("circuit-breaker");
    assertThat(rejection.attempts()).isEqualTo(2);
    assertThat(rejection.doNotRetry()).isTrue();
    assertThat(rejection).hasMessage("payments-api: circuit-breaker: circuit OPEN (failure rate 100.0% >= 50.0% "
        + "over 10 calls) (attempts: 2, deadline: 250.0 ms left)");

    ticker.advanceNanos(1);
    assertThat(breaker.snapshot().nanosUntilHalfOpen()).isZero();
    assertThat(breaker.state()).isEqualTo(State.OPEN); // nothing moves until a call asks
    CircuitBreaker.Permit probe = breaker.tryAcquirePermit();

    assertThat(probe.isProbe()).isTrue();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.HALF_OPEN, 100, 0, 10, 10, 0, 1, 0, -1, 1));
    assertThat(events).containsExactly(
        changed(0, "CLOSED", "OPEN", "failure rate 100.0% >= 50.0% over 10 calls"),
        changed(10 * SECOND, "OPEN", "HALF_OPEN", "open for PT10S: probing"));
  }

  @Test
  void halfOpenAdmitsExactlyTheConfiguredProbesAndRejectsTheRest() {
    CircuitBreaker breaker = builder().countWindow(20).minimumCalls(10).halfOpenProbes(3).build();
    trip(breaker);
    ticker.advanceNanos(10 * SECOND);

    CircuitBreaker.Permit first = permit(breaker);
    CircuitBreaker.Permit second = permit(breaker);
    CircuitBreaker.Permit third = permit(breaker);

    assertThat(List.of(first, second, third)).allMatch(CircuitBreaker.Permit::isProbe);
    for (int i = 0; i < 5; i++) {
      assertThat(breaker.tryAcquirePermit().isPermitted()).isFalse();
    }
    assertThat(breaker.snapshot().probesInFlight()).isEqualTo(3);
    CallNotPermittedException rejection = breaker.rejection("payments", 1, BlastwallException.NO_DEADLINE);
    assertThat(rejection.retryAfterNanos()).isEqualTo(-1);
    assertThat(rejection).hasMessageContaining("circuit HALF_OPEN (3 of 3 probes in flight)");

    first.onSuccess(MS);
    assertThat(breaker.snapshot().probesInFlight()).isEqualTo(2);
    assertThat(permit(breaker).isProbe()).isTrue();
    assertThat(breaker.tryAcquirePermit().isPermitted()).isFalse();
  }

  @Test
  void closesAfterTheConfiguredSuccessesNotAfterOneLuckyProbe() {
    CircuitBreaker breaker = small();
    trip(breaker);
    ticker.advanceNanos(10 * SECOND);

    CircuitBreaker.Permit first = permit(breaker);
    CircuitBreaker.Permit second = permit(breaker);
    CircuitBreaker.Permit third = permit(breaker);
    first.onSuccess(MS);
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    second.onSuccess(MS);
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(breaker.snapshot()).extracting(Snapshot::probesInFlight, Snapshot::probeSuccesses)
        .containsExactly(1, 2);
    ticker.advanceNanos(MS);
    third.onSuccess(MS);

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.CLOSED, 0, 0, 0, 0, 0, 0, 0, -1, 0));
    assertThat(events).last().isEqualTo(changed(10 * SECOND + MS, "HALF_OPEN", "CLOSED", "3 probes succeeded"));
    // The window starts empty: nine failures do not trip it again.
    repeat(9, () -> fail(breaker));
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void aFailureAfterSomeProbeSuccessesReopens() {
    CircuitBreaker breaker = small();
    trip(breaker);
    ticker.advanceNanos(10 * SECOND);

    succeed(breaker);
    succeed(breaker);
    fail(breaker);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(events).last().isEqualTo(changed(10 * SECOND, "HALF_OPEN", "OPEN", "probe failed: UNAVAILABLE"));
  }

  @Test
  void moreSuccessesThanProbeSlotsAreCollectedOneAfterAnother() {
    CircuitBreaker breaker = builder().countWindow(10).minimumCalls(10).halfOpenProbes(1)
        .halfOpenSuccessesToClose(4).build();
    trip(breaker);
    ticker.advanceNanos(10 * SECOND);

    for (int i = 1; i < 4; i++) {
      CircuitBreaker.Permit probe = permit(breaker);
      assertThat(breaker.tryAcquirePermit().isPermitted()).isFalse();
      probe.onSuccess(MS);
      assertThat(breaker.snapshot().probeSuccesses()).isEqualTo(i);
    }
    succeed(breaker);

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void reopensOnAFailedProbeForLongerEachTimeUpToTheCap() {
    CircuitBreaker breaker = builder().countWindow(10).minimumCalls(10).openDuration(Duration.ofSeconds(10))
        .openDurationBackoff(2, Duration.ofSeconds(35)).build();
    trip(breaker);
    assertThat(breaker.snapshot().nanosUntilHalfOpen()).isEqualTo(10 * SECOND);

    long[] expectedOpen = {20 * SECOND, 35 * SECOND, 35 * SECOND};
    long waited = 10 * SECOND;
    for (int trip = 0; trip < expectedOpen.length; trip++) {
      ticker.advanceNanos(waited);
      fail(breaker);
      assertThat(breaker.snapshot()).extracting(Snapshot::state, Snapshot::nanosUntilHalfOpen,
          Snapshot::consecutiveTrips).containsExactly(State.OPEN, expectedOpen[trip], trip + 2);
      ticker.advanceNanos(expectedOpen[trip] - 1);
      assertThat(breaker.tryAcquirePermit().isPermitted()).isFalse();
      waited = 1;
    }
    ticker.advanceNanos(1);
    repeat(3, () -> succeed(breaker));
    assertThat(breaker.state()).isEqualTo(State.CLOSED);

    // Closing started the growth over.
    trip(breaker);
    assertThat(breaker.snapshot()).extracting(Snapshot::nanosUntilHalfOpen, Snapshot::consecutiveTrips)
        .containsExactly(10 * SECOND, 1);
  }

  @Test
  void reopensForTheSameDurationWithoutBackoff() {
    CircuitBreaker breaker = small();
    trip(breaker);
    ticker.advanceNanos(10 * SECOND);
    fail(breaker);

    assertThat(breaker.snapshot()).extracting(Snapshot::nanosUntilHalfOpen, Snapshot::consecutiveTrips)
        .containsExactly(10 * SECOND, 2);
  }

  @Test
  void failuresThatAreNotTheUpstreamsFaultAreNotRecorded() {
    CircuitBreaker breaker = small();

    for (FailureKind kind : List.of(FailureKind.INVALID, FailureKind.CANCELLED, FailureKind.DEADLINE_EXCEEDED,
        FailureKind.UNKNOWN)) {
      repeat(50, () -> permit(breaker).onFailure(MS, kind));
    }
    repeat(50, () -> permit(breaker).onFailure(MS, new IllegalArgumentException("bad request")));
    repeat(50, () -> permit(breaker).onFailure(MS, new CancellationException()));

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.snapshot().calls()).isZero();
    assertThat(events).isEmpty();
  }

  @Test
  void classifiesThrowablesWithTheConfiguredClassifier() {
    CircuitBreaker defaults = small();
    repeat(10, () -> permit(defaults).onFailure(MS, new ConnectException("refused")));
    assertThat(defaults.state()).isEqualTo(State.OPEN);

    CircuitBreaker custom = CircuitBreaker.builder("payments").ticker(ticker).countWindow(10)
        .classifier(failure -> FailureKind.OVERLOADED).build();
    repeat(10, () -> permit(custom).onFailure(MS, new IllegalArgumentException("429")));
    assertThat(custom.state()).isEqualTo(State.OPEN);
  }

  @Test
  void anIgnoredFailureFreesItsProbeSlotWithoutCountingAsASuccess() {
    CircuitBreaker breaker = builder().countWindow(10).minimumCalls(10).halfOpenProbes(1).build();
    trip(breaker);
    ticker.advanceNanos(10 * SECOND);

    permit(breaker).onFailure(MS, FailureKind.INVALID);

    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(breaker.snapshot()).extracting(Snapshot::probesInFlight, Snapshot::probeSuccesses)
        .containsExactly(0, 0);
    assertThat(breaker.tryAcquirePermit().isPermitted()).isTrue();
  }

  @Test
  void releasingAPermitFreesAProbeSlot() {
    CircuitBreaker breaker = builder().countWindow(10).minimumCalls(10).halfOpenProbes(1).build();
    trip(breaker);
    ticker.advanceNanos(10 * SECOND);
    CircuitBreaker.Permit probe = permit(breaker);
    assertThat(breaker.tryAcquirePermit().isPermitted()).isFalse();

    probe.release();

    assertThat(breaker.snapshot()).extracting(Snapshot::state, Snapshot::probesInFlight, Snapshot::probeSuccesses)
        .containsExactly(State.HALF_OPEN, 0, 0);
    assertThat(breaker.tryAcquirePermit().isPermitted()).isTrue();
  }

  @Test
  void releasingAClosedPermitRecordsNothing() {
    CircuitBreaker breaker = small();

    repeat(20, () -> permit(breaker).release());

    assertThat(breaker.snapshot().calls()).isZero();
  }

  @Test
  void outcomesOfCallsAdmittedBeforeTheCircuitMovedOnAreIgnored() {
    CircuitBreaker breaker = builder().countWindow(10).minimumCalls(10).halfOpenProbes(1).build();
    CircuitBreaker.Permit admittedWhileClosed = permit(breaker);
    trip(breaker);
    ticker.advanceNanos(10 * SECOND);
    CircuitBreaker.Permit probe = permit(breaker);

    // A slow call from before the trip finishes now: it neither frees the probe's slot nor counts as a probe.
    admittedWhileClosed.onSuccess(20 * SECOND);
    admittedWhileClosed.release();
    admittedWhileClosed.onFailure(20 * SECOND, FailureKind.UNAVAILABLE);
    assertThat(breaker.snapshot()).extracting(Snapshot::state, Snapshot::probesInFlight, Snapshot::probeSuccesses)
        .containsExactly(State.HALF_OPEN, 1, 0);
    assertThat(breaker.tryAcquirePermit().isPermitted()).isFalse();

    // A probe of an earlier half-open period is not one of this period's probes either.
    probe.onFailure(MS, FailureKind.TIMEOUT);
    ticker.advanceNanos(10 * SECOND);
    CircuitBreaker.Permit nextProbe = permit(breaker);
    probe.onSuccess(MS);
    assertThat(breaker.snapshot()).extracting(Snapshot::probesInFlight, Snapshot::probeSuccesses)
        .containsExactly(1, 0);

    nextProbe.onSuccess(MS);
    assertThat(breaker.snapshot().probeSuccesses()).isEqualTo(1);
  }

  @Test
  void aResetForgetsCallsAdmittedBeforeIt() {
    CircuitBreaker breaker = small();
    CircuitBreaker.Permit before = permit(breaker);

    breaker.reset();
    before.onFailure(MS, FailureKind.UNAVAILABLE);

    assertThat(breaker.snapshot().calls()).isZero();
    assertThat(events).isEmpty(); // a closed circuit stayed closed
  }

  @Test
  void forcedOpenRejectsEverythingUntilChangedByHand() {
    CircuitBreaker breaker = small();

    breaker.forceOpen();
    breaker.forceOpen();

    assertThat(breaker.tryAcquirePermit().isPermitted()).isFalse();
    ticker.advanceNanos(1_000 * SECOND);
    assertThat(breaker.tryAcquirePermit().isPermitted()).isFalse();
    CallNotPermittedException rejection = breaker.rejection("payments", 1, BlastwallException.NO_DEADLINE);
    assertThat(rejection).hasMessageContaining("circuit FORCED_OPEN (forceOpen())");
    assertThat(rejection.retryAfterNanos()).isEqualTo(-1);
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.FORCED_OPEN, 0, 0, 0, 0, 0, 0, 0, -1, 0));

    breaker.reset();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(events).containsExactly(
        changed(0, "CLOSED", "FORCED_OPEN", "forceOpen()"),
        changed(1_000 * SECOND, "FORCED_OPEN", "CLOSED", "reset()"));
  }

  @Test
  void forcedClosedPermitsAndRecordsButNeverTrips() {
    CircuitBreaker breaker = small();
    trip(breaker);

    breaker.forceClosed();
    repeat(100, () -> fail(breaker));

    assertThat(breaker.snapshot()).isEqualTo(
        new Snapshot(State.FORCED_CLOSED, 100, 0, 20, 20, 0, 0, 0, -1, 0));
    breaker.reset();
    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.CLOSED, 0, 0, 0, 0, 0, 0, 0, -1, 0));
  }

  @Test
  void disabledPermitsEverythingAndRecordsNothing() {
    CircuitBreaker breaker = small();
    trip(breaker);

    breaker.disable();
    repeat(100, () -> fail(breaker));
    repeat(10, () -> succeed(breaker));

    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.DISABLED, 0, 0, 0, 0, 0, 0, 0, -1, 0));
    breaker.forceOpen();
    breaker.forceClosed();
    breaker.disable();
    assertThat(events).extracting(e -> ((CircuitStateChanged) e).to())
        .containsExactly("OPEN", "DISABLED", "FORCED_OPEN", "FORCED_CLOSED", "DISABLED");
  }

  @Test
  void resetClosesAnOpenCircuitAndForgetsItsTrips() {
    CircuitBreaker breaker = builder().countWindow(10).openDurationBackoff(3, Duration.ofMinutes(5)).build();
    trip(breaker);
    ticker.advanceNanos(10 * SECOND);
    fail(breaker);
    assertThat(breaker.snapshot().consecutiveTrips()).isEqualTo(2);

    breaker.reset();
    trip(breaker);

    assertThat(breaker.snapshot()).extracting(Snapshot::nanosUntilHalfOpen, Snapshot::consecutiveTrips)
        .containsExactly(10 * SECOND, 1);
  }

  @Test
  void snapshotReportsTheLiveWindow() {
    CircuitBreaker breaker = builder().countWindow(20).slowCallDuration(Duration.ofMillis(100)).build();

    repeat(3, () -> fail(breaker));
    repeat(2, () -> permit(breaker).onSuccess(101 * MS));
    repeat(3, () -> succeed(breaker));

    assertThat(breaker.snapshot()).isEqualTo(new Snapshot(State.CLOSED, 37.5, 25, 8, 3, 2, 0, 0, -1, 0));
  }

  @Test
  void reportsEveryTransitionOnceInOrder() {
    CircuitBreaker breaker = small();

    trip(breaker); // at 0
    ticker.advanceNanos(10 * SECOND);
    fail(breaker); // probe fails at 10 s
    ticker.advanceNanos(10 * SECOND);
    repeat(3, () -> succeed(breaker)); // probes succeed at 20 s
    breaker.forceOpen();
    breaker.forceClosed();
    breaker.disable();
    breaker.reset();
    breaker.reset();

    assertThat(events).containsExactly(
        changed(0, "CLOSED", "OPEN", "failure rate 100.0% >= 50.0% over 10 calls"),
        changed(10 * SECOND, "OPEN", "HALF_OPEN", "open for PT10S: probing"),
        changed(10 * SECOND, "HALF_OPEN", "OPEN", "probe failed: UNAVAILABLE"),
        changed(20 * SECOND, "OPEN", "HALF_OPEN", "open for PT10S: probing"),
        changed(20 * SECOND, "HALF_OPEN", "CLOSED", "3 probes succeeded"),
        changed(20 * SECOND, "CLOSED", "FORCED_OPEN", "forceOpen()"),
        changed(20 * SECOND, "FORCED_OPEN", "FORCED_CLOSED", "forceClosed()"),
        changed(20 * SECOND, "FORCED_CLOSED", "DISABLED", "disable()"),
        changed(20 * SECOND, "DISABLED", "CLOSED", "reset()"));
  }

  @Test
  void aThrowingListenerBreaksNothing() {
    List<BlastwallEvent> seen = new ArrayList<>();
    CircuitBreaker breaker = CircuitBreaker.builder("payments").ticker(ticker).countWindow(10)
        .listener(event -> {
          seen.add(event);
          throw new IllegalStateException("listener bug");
        }).build();

    trip(breaker);
    breaker.reset();

    assertThat(seen).hasSize(2);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void aListenerMayChangeTheStateAndItsEventsStayInOrder() {
    List<String> seen = new ArrayList<>();
    CircuitBreaker[] holder = new CircuitBreaker[1];
    holder[0] = CircuitBreaker.builder("payments").ticker(ticker).countWindow(10)
        .listener(event -> {
          CircuitStateChanged change = (CircuitStateChanged) event;
          seen.add(change.from() + "->" + change.to());
          if (change.to().equals("OPEN")) {
            holder[0].forceOpen();
          }
        }).build();

    repeat(10, () -> fail(holder[0]));

    assertThat(holder[0].state()).isEqualTo(State.FORCED_OPEN);
    assertThat(seen).containsExactly("CLOSED->OPEN", "OPEN->FORCED_OPEN");
  }

  @Test
  void copesWithTheTickerWrappingAround() {
    FakeTicker wrapping = new FakeTicker(Long.MAX_VALUE - 5 * SECOND);
    CircuitBreaker breaker = CircuitBreaker.builder("payments").ticker(wrapping)
        .timeWindow(Duration.ofSeconds(10), 10).minimumCalls(5).build();

    repeat(4, () -> fail(breaker));
    wrapping.advanceNanos(8 * SECOND); // past Long.MAX_VALUE
    assertThat(breaker.snapshot().calls()).isEqualTo(4);
    fail(breaker);
    assertThat(breaker.state()).isEqualTo(State.OPEN);

    wrapping.advanceNanos(10 * SECOND - 1);
    assertThat(breaker.tryAcquirePermit().isPermitted()).isFalse();
    wrapping.advanceNanos(1);
    assertThat(breaker.tryAcquirePermit().isProbe()).isTrue();
  }

  @Test
  void aListenerAddedLaterHearsTheChangesAfterItUntilItsSubscriptionCloses() {
    CircuitBreaker breaker = CircuitBreaker.builder("payments").ticker(ticker).countWindow(20).minimumCalls(10)
        .build();
    breaker.forceOpen();
    List<BlastwallEvent> added = new ArrayList<>();

    Subscription subscription = breaker.addListener(added::add);
    breaker.reset();
    trip(breaker);
    subscription.close();
    ticker.advance(Duration.ofSeconds(10));
    assertThat(breaker.tryAcquirePermit().isPermitted()).as("the first probe").isTrue();

    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(added).as("the changes made while nobody listened held none back").containsExactly(
        changed(0, "FORCED_OPEN", "CLOSED", "reset()"),
        changed(0, "CLOSED", "OPEN", "failure rate 100.0% >= 50.0% over 10 calls"));
  }
}
