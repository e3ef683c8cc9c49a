package dev.blastwall.overload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The controlled-delay rule alone: waits and times in, decisions out (target 10 ms, interval 100 ms). */
class OverloadControlTest {

  private static final long MS = 1_000_000L;

  private final OverloadControl control = new OverloadControl(10 * MS, 100 * MS, true, true);

  @Test
  void aBurstThatClearsWithinTheInterval_neverCountsAsOverload() {
    // The oldest waits past the target for 90 ms, then the lane empties: a burst, which a queue is for.
    assertThat(control.lookedAtOldest(0, 50 * MS)).isFalse();
    assertThat(control.lookedAtOldest(0, 100 * MS)).isFalse();
    control.lookedAtEmpty();
    // A new standing wait starts counting afresh, from its own oldest request's target.
    assertThat(control.lookedAtOldest(150 * MS, 200 * MS)).isFalse();
    assertThat(control.overloaded()).isFalse();
    assertThat(control.dropsWhenServed(40 * MS, 200 * MS)).isFalse();
  }

  @Test
  void aWaitAboveTargetForAWholeInterval_overloadsOnce_servesNewestFirst_andDropsStale() {
    assertThat(control.lookedAtOldest(0, 109 * MS)).isFalse();
    assertThat(control.lookedAtOldest(0, 110 * MS)).isTrue(); // above target since 10 ms, for 100 ms
    assertThat(control.lookedAtOldest(0, 120 * MS)).isFalse(); // one episode, not one per look
    assertThat(control.overloaded()).isTrue();
    assertThat(control.servesNewestFirst()).isTrue();
    assertThat(control.dropsAtHead(11 * MS, 120 * MS)).isTrue();
    assertThat(control.dropsAtHead(10 * MS, 120 * MS)).isFalse();
    assertThat(control.dropsWhenServed(5 * MS, 120 * MS)).isFalse();
  }

  @Test
  void anOverloadedLane_returnsToNormalOnlyAfterAnIntervalWithoutStaleRequests() {
    control.lookedAtOldest(0, 110 * MS);
    assertThat(control.dropsWhenServed(50 * MS, 200 * MS)).isTrue(); // last seen stale at 200 ms
    control.drained(250 * MS);
    assertThat(control.overloaded()).as("drained, but stale 50 ms ago").isTrue();
    control.drained(300 * MS);
    assertThat(control.overloaded()).isFalse();
    assertThat(control.servesNewestFirst()).isFalse();
  }

  @Test
  void withLifoAndDroppingOff_anOverloadedLaneStillServesOldestFirstAndRunsEverything() {
    OverloadControl plain = new OverloadControl(10 * MS, 100 * MS, false, false);
    assertThat(plain.lookedAtOldest(0, 110 * MS)).isTrue();
    assertThat(plain.servesNewestFirst()).isFalse();
    assertThat(plain.dropsAtHead(50 * MS, 120 * MS)).isFalse();
    assertThat(plain.dropsWhenServed(50 * MS, 120 * MS)).isFalse();
  }
}
