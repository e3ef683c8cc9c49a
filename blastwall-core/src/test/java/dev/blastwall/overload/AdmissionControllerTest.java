package dev.blastwall.overload;

import static dev.blastwall.context.Criticality.CRITICAL;
import static dev.blastwall.context.Criticality.CRITICAL_PLUS;
import static dev.blastwall.context.Criticality.SHEDDABLE;
import static dev.blastwall.context.Criticality.SHEDDABLE_PLUS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.blastwall.context.Criticality;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.testkit.PropertyCheck;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionControllerTest {

  private static final long MS = 1_000_000L;

  /** The brief's example: 20% held for CRITICAL_PLUS, 30% for CRITICAL, of 100 slots. */
  private static AdmissionController orders() {
    return AdmissionController.builder("orders", 100).reserve(CRITICAL_PLUS, 0.2).reserve(CRITICAL, 0.3).build();
  }

  private static int admitUntilRefused(AdmissionController admission, Criticality criticality) {
    int admitted = 0;
    while (admission.tryAdmit(criticality)) {
      admitted++;
    }
    return admitted;
  }

  // --- reservation arithmetic ---------------------------------------------------------------------------------

  @Test
  void eachClassIsAdmittedUpToCapacityMinusWhatIsReservedAboveIt() {
    AdmissionController admission = orders();

    assertThat(admission.limit(CRITICAL_PLUS)).isEqualTo(100);
    assertThat(admission.limit(CRITICAL)).isEqualTo(80);
    assertThat(admission.limit(SHEDDABLE_PLUS)).isEqualTo(50);
    assertThat(admission.limit(SHEDDABLE)).isEqualTo(50);
    assertThat(admission.reserved(CRITICAL_PLUS)).isEqualTo(20);
    assertThat(admission.reserved(CRITICAL)).isEqualTo(30);
    assertThat(admission.reserved(SHEDDABLE_PLUS)).isZero();
    assertThat(admission).hasToString("AdmissionController[orders, capacity=100, inFlight=0, limits={"
        + "CRITICAL_PLUS=100, CRITICAL=80, SHEDDABLE_PLUS=50, SHEDDABLE=50}]");
  }

  @Test
  void sheddableGoesFirstAndCriticalPlusLast() {
    AdmissionController admission = orders();

    assertThat(admitUntilRefused(admission, SHEDDABLE)).isEqualTo(50);
    assertThat(admitUntilRefused(admission, SHEDDABLE_PLUS)).isZero();
    assertThat(admitUntilRefused(admission, CRITICAL)).isEqualTo(30);
    assertThat(admitUntilRefused(admission, CRITICAL_PLUS)).isEqualTo(20);
    assertThat(admission.inFlight()).isEqualTo(100);

    AdmissionController.Snapshot snapshot = admission.snapshot();
    assertThat(snapshot.of(SHEDDABLE)).isEqualTo(new AdmissionController.ClassCounts(SHEDDABLE, 0, 50, 50, 1));
    assertThat(snapshot.of(SHEDDABLE_PLUS))
        .isEqualTo(new AdmissionController.ClassCounts(SHEDDABLE_PLUS, 0, 50, 0, 1));
    assertThat(snapshot.of(CRITICAL)).isEqualTo(new AdmissionController.ClassCounts(CRITICAL, 30, 80, 30, 1));
    assertThat(snapshot.of(CRITICAL_PLUS))
        .isEqualTo(new AdmissionController.ClassCounts(CRITICAL_PLUS, 20, 100, 20, 1));
    assertThat(snapshot.classes()).extracting(AdmissionController.ClassCounts::criticality)
        .containsExactly(CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE);
  }

  @Test
  void lowerClassesCannotTakeTheSlotsReservedAboveThem() {
    AdmissionController admission = orders();

    // A flood of CRITICAL stops at 80: the last 20 slots stay free for CRITICAL_PLUS however long it lasts.
    assertThat(admitUntilRefused(admission, CRITICAL)).isEqualTo(80);
    assertThat(admitUntilRefused(admission, SHEDDABLE)).isZero();
    assertThat(admitUntilRefused(admission, CRITICAL_PLUS)).isEqualTo(20);
  }

  @Test
  void higherClassesMayUseEverySlotBelowThem() {
    AdmissionController admission = orders();

    assertThat(admitUntilRefused(admission, CRITICAL_PLUS)).isEqualTo(100);
    assertThat(admitUntilRefused(admission, SHEDDABLE)).isZero();
  }

  @Test
  void reservationArithmeticHoldsForAnyConfiguration() {
    Criticality[] reservable = {CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS};
    PropertyCheck.forAll(random -> {
      int capacity = PropertyCheck.edgeOr(random, 1, 1_000, 1, 2, 3, 10, 100);
      Map<Criticality, Double> fractions = new EnumMap<>(Criticality.class);
      for (Criticality criticality : reservable) {
        if (random.nextBoolean()) {
          fractions.put(criticality, 0.01 + random.nextDouble() * 0.3);
        }
      }
      return new Reservations(capacity, fractions);
    }, sample -> {
      int capacity = sample.capacity();
      Map<Criticality, Double> fractions = sample.fractions();
      AdmissionController.Builder builder = AdmissionController.builder("p", capacity);
      long[] slots = new long[Criticality.values().length];
      for (Map.Entry<Criticality, Double> entry : fractions.entrySet()) {
        long rounded = Math.round(capacity * entry.getValue());
        if (rounded < 1) {
          assertThatIllegalArgumentException().isThrownBy(() -> builder.reserve(entry.getKey(), entry.getValue()));
          return;
        }
        builder.reserve(entry.getKey(), entry.getValue());
        slots[entry.getKey().rank()] = rounded;
      }
      if (Arrays.stream(slots).sum() >= capacity) {
        assertThatIllegalArgumentException().isThrownBy(builder::build);
        return;
      }
      AdmissionController admission = builder.build();
      long reservedAbove = 0;
      for (Criticality criticality : byRank()) {
        assertThat(admission.limit(criticality)).isEqualTo(capacity - reservedAbove);
        reservedAbove += slots[criticality.rank()];
      }
      // Filled from the lowest class up, each class adds exactly the slots between its limit and the one below.
      int inFlight = 0;
      Criticality[] ranked = byRank();
      for (int rank = ranked.length - 1; rank >= 0; rank--) {
        inFlight += admitUntilRefused(admission, ranked[rank]);
        assertThat(inFlight).isEqualTo(admission.limit(ranked[rank]));
        assertThat(admission.inFlight()).isEqualTo(inFlight);
      }
      assertThat(inFlight).isEqualTo(capacity);
      for (int i = 0; i < capacity; i++) {
        admission.release();
      }
      assertThat(admission.inFlight()).isZero();
    });
  }

  /** A generated configuration: capacity and the share reserved per class. */
  private record Reservations(int capacity, Map<Criticality, Double> fractions) {}

  private static Criticality[] byRank() {
    Criticality[] ranked = new Criticality[Criticality.values().length];
    for (Criticality criticality : Criticality.values()) {
      ranked[criticality.rank()] = criticality;
    }
    return ranked;
  }

  // --- health checks and release ------------------------------------------------------------------------------

  @Test
  void healthChecksAreNeverShedEvenAtFullCapacity() {
    AdmissionController admission = orders();
    admitUntilRefused(admission, CRITICAL_PLUS);

    for (int i = 0; i < 5; i++) {
      admission.admitHealthCheck();
    }

    assertThat(admission.inFlight()).isEqualTo(105);
    assertThat(admission.tryAdmit(CRITICAL_PLUS)).isFalse();
    assertThat(admission.snapshot().healthChecks()).isEqualTo(5);
    for (int i = 0; i < 105; i++) {
      admission.release();
    }
    assertThat(admission.inFlight()).isZero();
  }

  @Test
  void releaseReturnsTheSlotToWhicheverClassNeedsIt() {
    AdmissionController admission = orders();
    admitUntilRefused(admission, SHEDDABLE);
    assertThat(admission.tryAdmit(SHEDDABLE)).isFalse();

    admission.release();

    assertThat(admission.inFlight()).isEqualTo(49);
    assertThat(admission.tryAdmit(SHEDDABLE)).isTrue();
  }

  @Test
  void releaseWithNothingInFlightThrowsAndLeavesTheCountAlone() {
    AdmissionController admission = orders();

    assertThatIllegalStateException().isThrownBy(admission::release)
        .withMessage("orders: release() with nothing in flight (expected: one release per admission)");
    assertThatIllegalStateException().isThrownBy(() -> admission.release(5 * MS));
    assertThat(admission.inFlight()).isZero();
    assertThat(admission.tryAdmit(CRITICAL)).isTrue();
    assertThat(admission.inFlight()).isEqualTo(1);
  }

  // --- rejection ----------------------------------------------------------------------------------------------

  @Test
  void rejectionSaysWhatWasSeenAndAsksForNoRetryAboveTheNextLayer() {
    AdmissionController admission = orders();
    admitUntilRefused(admission, SHEDDABLE);
    admitUntilRefused(admission, CRITICAL);

    OverloadedException rejection = admission.rejection(SHEDDABLE);

    assertThat(rejection).hasMessage(
        "orders: admission: SHEDDABLE shed: 80 of 100 in flight (50 reserved above) (attempts: 0, deadline: none)");
    assertThat(rejection.upstream()).isEqualTo("orders");
    assertThat(rejection.policy()).isEqualTo("admission");
    assertThat(rejection.reason()).isEqualTo("shed");
    assertThat(rejection.kind()).isEqualTo(FailureKind.OVERLOADED);
    assertThat(rejection.doNotRetry()).isTrue();
    assertThat(rejection.retryAfterNanos()).isEqualTo(10 * MS);
    assertThat(admission.rejection(CRITICAL).getMessage())
        .contains("CRITICAL shed: 80 of 100 in flight (20 reserved above)");
    assertThat(admission.rejection(CRITICAL_PLUS).getMessage())
        .contains("CRITICAL_PLUS shed: 80 of 100 in flight (0 reserved above)");
  }

  @Test
  void retryAfterFollowsTheRecentTimeRequestsHoldTheirSlot() {
    AdmissionController admission = AdmissionController.builder("orders", 10)
        .minRetryAfter(Duration.ofMillis(5)).build();
    assertThat(admission.retryAfterNanos()).isEqualTo(5 * MS);
    assertThat(admission.snapshot().meanHeldNanos()).isEqualTo(-1);

    for (int i = 0; i < 100; i++) {
      assertThat(admission.tryAdmit(CRITICAL)).isTrue();
      admission.release(80 * MS);
    }

    assertThat(admission.retryAfterNanos()).isEqualTo(80 * MS);
    assertThat(admission.rejection(SHEDDABLE).retryAfterNanos()).isEqualTo(80 * MS);
    assertThat(admission.snapshot().meanHeldNanos()).isEqualTo(80 * MS);

    // Faster requests than the floor: the floor wins.
    for (int i = 0; i < 200; i++) {
      assertThat(admission.tryAdmit(CRITICAL)).isTrue();
      admission.release(MS);
    }
    assertThat(admission.retryAfterNanos()).isEqualTo(5 * MS);
  }

  @Test
  void snapshotOfAFreshControllerIsEmpty() {
    AdmissionController.Snapshot snapshot = orders().snapshot();

    assertThat(snapshot.capacity()).isEqualTo(100);
    assertThat(snapshot.inFlight()).isZero();
    assertThat(snapshot.healthChecks()).isZero();
    assertThat(snapshot.classes()).allSatisfy(counts -> {
      assertThat(counts.admitted()).isZero();
      assertThat(counts.shed()).isZero();
    });
  }

  // --- configuration ------------------------------------------------------------------------------------------

  @Test
  void badConfigurationFailsWithExactMessages() {
    assertThatIllegalArgumentException().isThrownBy(() -> AdmissionController.builder(" ", 10))
        .withMessage("name: \" \" (expected: a non-blank name)");
    assertThatIllegalArgumentException().isThrownBy(() -> AdmissionController.builder("orders", 0))
        .withMessage("capacity: 0 (expected: 1 <= capacity <= 2147483647)");

    AdmissionController.Builder builder = AdmissionController.builder("orders", 10);
    assertThatIllegalArgumentException().isThrownBy(() -> builder.reserve(CRITICAL_PLUS, 0))
        .withMessage("reserve(CRITICAL_PLUS): 0.0 (expected: 0 < fraction < 1)");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.reserve(CRITICAL_PLUS, 1))
        .withMessage("reserve(CRITICAL_PLUS): 1.0 (expected: 0 < fraction < 1)");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.reserve(CRITICAL, Double.NaN))
        .withMessage("reserve(CRITICAL): NaN (expected: 0 < fraction < 1)");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.reserve(CRITICAL, 0.04))
        .withMessage("reserve(CRITICAL): 0.04 (expected: at least one whole slot of capacity 10)");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.reserve(SHEDDABLE, 0.2))
        .withMessage("criticality: SHEDDABLE (expected: a class above SHEDDABLE, the lowest, which has no class "
            + "below it to hold slots back from)");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.minRetryAfter(Duration.ofMillis(-1)))
        .withMessage("minRetryAfter: PT-0.001S (expected: >= 0)");

    builder.reserve(CRITICAL_PLUS, 0.5);
    assertThatIllegalStateException().isThrownBy(() -> builder.reserve(CRITICAL_PLUS, 0.1))
        .withMessage("reserve(CRITICAL_PLUS) was already set (expected: set once)");
    builder.reserve(CRITICAL, 0.3).reserve(SHEDDABLE_PLUS, 0.2);
    assertThatIllegalArgumentException().isThrownBy(builder::build)
        .withMessage("reserved: 10 (expected: < capacity 10, so SHEDDABLE keeps at least one slot)");

    AdmissionController.Builder once = AdmissionController.builder("orders", 10).minRetryAfter(Duration.ZERO);
    assertThatIllegalStateException().isThrownBy(() -> once.minRetryAfter(Duration.ZERO))
        .withMessage("minRetryAfter was already set (expected: set once)");
  }

  @Test
  void reservationsRoundToTheNearestSlot() {
    AdmissionController admission = AdmissionController.builder("orders", 10)
        .reserve(CRITICAL_PLUS, 0.25).reserve(CRITICAL, 0.06).build();

    assertThat(admission.reserved(CRITICAL_PLUS)).isEqualTo(3);
    assertThat(admission.reserved(CRITICAL)).isEqualTo(1);
    assertThat(admission.limit(SHEDDABLE)).isEqualTo(6);
  }
}
