package dev.blastwall.breaker;

import static dev.blastwall.testkit.PropertyCheck.edgeOr;
import static dev.blastwall.testkit.PropertyCheck.forAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Both windows, driven by random outcome sequences, always agree with a plain list of what they should hold. */
class WindowPropertiesTest {

  private static final Outcome[] OUTCOMES = Outcome.values();

  /** One outcome and how far the ticker moved before it. */
  private record Step(long advanceNanos, Outcome outcome) {}

  /** A window configuration, a ticker start and a random run of outcomes. */
  private record Run(int size, long bucketNanos, long start, List<Step> steps, Thresholds thresholds) {
    static Run draw(SplittableRandom random) {
      int size = edgeOr(random, 1, 30, 1, 2, 30);
      long bucketNanos = edgeOr(random, 1, 1_000_000_000L, 1, 1_000_000_000L);
      long start = edgeOr(random, Long.MIN_VALUE, Long.MAX_VALUE, 0, Long.MAX_VALUE - 5 * bucketNanos);
      int length = random.nextInt(4 * size + 2);
      List<Step> steps = new ArrayList<>(length);
      for (int i = 0; i < length; i++) {
        // Mostly small moves within a bucket, sometimes a jump over several buckets or the whole window.
        long advance = switch (random.nextInt(6)) {
          case 0 -> 0;
          case 1 -> bucketNanos * random.nextInt(1, size + 2);
          default -> random.nextLong(bucketNanos);
        };
        steps.add(new Step(advance, OUTCOMES[random.nextInt(OUTCOMES.length)]));
      }
      Thresholds thresholds = new Thresholds(random.nextInt(1, size + 1), random.nextInt(1, 101),
          random.nextBoolean() ? Double.NaN : random.nextInt(1, 101));
      return new Run(size, bucketNanos, start, steps, thresholds);
    }
  }

  private static Counts tally(List<Outcome> outcomes) {
    int failures = 0;
    int slow = 0;
    for (Outcome outcome : outcomes) {
      failures += outcome == Outcome.FAILURE ? 1 : 0;
      slow += outcome == Outcome.SLOW ? 1 : 0;
    }
    return new Counts(outcomes.size(), failures, slow);
  }

  @Test
  void countWindowHoldsExactlyTheLastOutcomes() {
    forAll(Run::draw, run -> {
      CountWindow window = new CountWindow(run.size());
      List<Outcome> all = new ArrayList<>();
      for (Step step : run.steps()) {
        boolean exceededBefore = window.exceeds(0, run.thresholds());
        boolean mayTrip = window.record(0, step.outcome());
        all.add(step.outcome());
        Counts expected = tally(all.subList(Math.max(0, all.size() - run.size()), all.size()));
        assertThat(window.counts(0)).isEqualTo(expected);
        boolean exceeded = run.thresholds().exceeded(expected.calls(), expected.failures(), expected.slowCalls());
        assertThat(window.exceeds(0, run.thresholds())).isEqualTo(exceeded);
        if (exceeded && !exceededBefore) {
          // The breaker skips the threshold check when record says nothing can trip: that must never hide a trip.
          assertThat(mayTrip).as("record must report an outcome that newly breaks the thresholds").isTrue();
        }
      }
    });
  }

  @Test
  void countWindowSlotIsTheClaimModuloTheSizeWithoutDividing() {
    forAll(random -> new long[] {edgeOr(random, 1, CircuitBreaker.MAX_WINDOW_CALLS, 1, 2, 3, 100, 99_999),
        edgeOr(random, 0, Long.MAX_VALUE, 0, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE)}, pair -> {
      int size = (int) pair[0];
      long claim = pair[1];
      assertThat(new CountWindow(size).slotOf(claim)).isEqualTo((int) ((claim & 0xFFFF_FFFFL) % size));
    });
  }

  @Test
  void countWindowSaysNothingCanTripOnlyForASuccessReplacingAnOutcome() {
    CountWindow window = new CountWindow(2);
    assertThat(window.record(0, Outcome.SUCCESS)).as("first call fills an empty slot").isTrue();
    assertThat(window.record(0, Outcome.SUCCESS)).isTrue();
    assertThat(window.record(0, Outcome.SUCCESS)).as("success replaces success").isFalse();
    assertThat(window.record(0, Outcome.FAILURE)).isTrue();
    assertThat(window.record(0, Outcome.SUCCESS)).as("success replaces success").isFalse();
    assertThat(window.record(0, Outcome.SLOW)).as("a slow call replacing a failure raises the slow rate").isTrue();
    assertThat(window.record(0, Outcome.SUCCESS)).as("success replaces success").isFalse();
    assertThat(window.record(0, Outcome.SUCCESS)).as("success replaces a slow call: rates fall").isFalse();
    assertThat(window.record(0, Outcome.FAILURE)).isTrue();
    assertThat(window.record(0, Outcome.SUCCESS)).as("success replaces a failure: rates fall").isFalse();
  }

  @Test
  void timeWindowHoldsExactlyTheOutcomesOfTheLastBuckets() {
    forAll(Run::draw, run -> {
      TimeWindow window = new TimeWindow(run.start(), run.bucketNanos() * run.size(), run.size());
      List<Long> epochs = new ArrayList<>();
      List<Outcome> outcomes = new ArrayList<>();
      long now = run.start();
      for (Step step : run.steps()) {
        now += step.advanceNanos();
        window.record(now, step.outcome());
        long epoch = (now - run.start()) / run.bucketNanos();
        epochs.add(epoch);
        outcomes.add(step.outcome());
        List<Outcome> inside = new ArrayList<>();
        for (int i = 0; i < epochs.size(); i++) {
          if (epochs.get(i) > epoch - run.size()) {
            inside.add(outcomes.get(i));
          }
        }
        Counts expected = tally(inside);
        assertThat(window.counts(now)).isEqualTo(expected);
        assertThat(window.exceeds(now, run.thresholds()))
            .isEqualTo(run.thresholds().exceeded(expected.calls(), expected.failures(), expected.slowCalls()));
      }
    });
  }

  @Test
  void thresholdsTripExactlyAtTheRate() {
    forAll(random -> new long[] {random.nextLong(1, 10_001), random.nextInt(1, 101)}, sample -> {
      long calls = sample[0];
      int percent = (int) sample[1];
      // The smallest failure count whose rate reaches the threshold, in exact integer arithmetic.
      long atThreshold = (percent * calls + 99) / 100;
      Thresholds thresholds = new Thresholds(1, percent, Double.NaN);
      assertThat(thresholds.exceeded(calls, atThreshold, 0)).isTrue();
      assertThat(thresholds.exceeded(calls, atThreshold - 1, calls)).isFalse();
    });
  }
}
