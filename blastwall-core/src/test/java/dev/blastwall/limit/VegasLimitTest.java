package dev.blastwall.limit;

import static dev.blastwall.limit.SimulatedServer.MILLI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Hand-computed steps; {@code L} is {@code max(1, log10(limit))} of the unrounded estimate. */
class VegasLimitTest {

  /** Feeds samples one round trip apart, each admitted when the previous one completed. */
  private static final class Driver {
    final VegasLimit limit;
    long now;

    Driver(VegasLimit limit) {
      this.limit = limit;
    }

    int sample(long rttNanos, int inflight, boolean dropped) {
      int result = limit.onSample(now, rttNanos, inflight, dropped);
      now += rttNanos;
      return result;
    }
  }

  @Test
  void stepsFollowTheQueueEstimate() {
    Driver vegas = new Driver(VegasLimit.builder().initialLimit(20).build());

    // rttNoLoad = 10 ms, queue = ceil(20 * 0) = 0 <= L = 1.301: slow start, 20 + 6 * 1.301 = 27.806.
    assertThat(vegas.sample(10 * MILLI, 20, false)).isEqualTo(27);
    // queue = ceil(27.806 * (1 - 10/20)) = 14 > 6 * 1.4441 = 8.66: 27.806 - 1.4441 = 26.362; slow start ends.
    assertThat(vegas.sample(20 * MILLI, 27, false)).isEqualTo(26);
    // queue = ceil(26.362 * (1 - 10/11)) = 3 < 3 * 1.4210 = 4.26: 26.362 + 1.4210 = 27.783.
    assertThat(vegas.sample(11 * MILLI, 26, false)).isEqualTo(27);
    // queue = ceil(27.783 * (1 - 10/12.5)) = 6, between 4.33 and 8.66: unchanged.
    assertThat(vegas.sample(12_500_000, 27, false)).isEqualTo(27);
    // A drop: 27.783 - 1.4438 = 26.339.
    assertThat(vegas.sample(MILLI, 27, true)).isEqualTo(26);
    assertThat(vegas.limit.rttNoLoadNanos()).isEqualTo(10 * MILLI);
  }

  @Test
  void afterSlowStart_anUnqueuedSampleAddsOnlyOneStep() {
    Driver vegas = new Driver(VegasLimit.builder().initialLimit(100).build());
    vegas.sample(10 * MILLI, 100, true); // a drop ends slow start: 100 - 2 = 98

    // queue 0 <= L, but no longer in slow start: 98 + log10(98) = 99.991.
    assertThat(vegas.sample(10 * MILLI, 98, false)).isEqualTo(99);
  }

  @Test
  void lessThanHalfInUse_changesNothing() {
    Driver vegas = new Driver(VegasLimit.builder().initialLimit(20).build());

    assertThat(vegas.sample(10 * MILLI, 9, false)).isEqualTo(20);
    assertThat(vegas.limit.rttNoLoadNanos()).as("still learned").isEqualTo(10 * MILLI);
  }

  @Test
  void droppedRequests_neverSetTheNoLoadRtt() {
    Driver vegas = new Driver(VegasLimit.builder().initialLimit(20).build());

    vegas.sample(MILLI, 20, true);

    assertThat(vegas.limit.rttNoLoadNanos()).isEqualTo(-1);
  }

  @Test
  void samplesAdmittedBeforeTheLastChange_onlyTeachTheNoLoadRtt() {
    VegasLimit vegas = VegasLimit.builder().initialLimit(20).build();
    vegas.onSample(0, 10 * MILLI, 20, false); // 27.806, changed at 10 ms

    assertThat(vegas.onSample(MILLI, 8 * MILLI, 20, true)).isEqualTo(27);
    assertThat(vegas.rttNoLoadNanos()).isEqualTo(10 * MILLI);
    assertThat(vegas.onSample(2 * MILLI, 9 * MILLI, 20, false)).isEqualTo(27);
    assertThat(vegas.rttNoLoadNanos()).isEqualTo(9 * MILLI);
  }

  @Test
  void noLoadRtt_isTheMinimumOverThisProbeIntervalAndTheLast() {
    VegasLimit vegas = VegasLimit.builder().probeInterval(Duration.ofSeconds(10)).build();
    long second = 1000 * MILLI;
    // The first interval runs until 10 s after the first completion (at 0 + 10 ms).
    vegas.onSample(0, 10 * MILLI, 20, false);
    vegas.onSample(5 * second, 30 * MILLI, 20, false);
    assertThat(vegas.rttNoLoadNanos()).isEqualTo(10 * MILLI);

    vegas.onSample(11 * second, 30 * MILLI, 20, false); // second interval: the first is still remembered
    assertThat(vegas.rttNoLoadNanos()).isEqualTo(10 * MILLI);

    vegas.onSample(21 * second, 40 * MILLI, 20, false); // third interval: the first is forgotten
    assertThat(vegas.rttNoLoadNanos()).isEqualTo(30 * MILLI);

    vegas.onSample(60 * second, 50 * MILLI, 20, false); // after a silence of several intervals: only the new one
    assertThat(vegas.rttNoLoadNanos()).isEqualTo(50 * MILLI);
  }

  @Test
  void staysWithinMinAndMax() {
    Driver vegas = new Driver(VegasLimit.builder().initialLimit(5).minLimit(5).maxLimit(8).build());

    assertThat(vegas.sample(10 * MILLI, 5, false)).as("slow start capped").isEqualTo(8);
    assertThat(vegas.sample(MILLI, 8, true)).isEqualTo(7);
    assertThat(vegas.sample(MILLI, 7, true)).isEqualTo(6);
    assertThat(vegas.sample(MILLI, 6, true)).isEqualTo(5);
    assertThat(vegas.sample(MILLI, 5, true)).as("floored").isEqualTo(5);
  }

  @Test
  void builderRejectsBadConfiguration() {
    assertThatIllegalArgumentException().isThrownBy(() -> VegasLimit.builder().alpha(6).beta(6).build())
        .withMessage("alpha: 6.0 (expected: < beta (6.0))");
    assertThatIllegalArgumentException().isThrownBy(() -> VegasLimit.builder().probeInterval(Duration.ofSeconds(-1)))
        .withMessage("probeInterval: PT-1S (expected: > 0)");
    assertThatIllegalArgumentException().isThrownBy(() -> VegasLimit.builder().maxLimit(10).build())
        .withMessage("initialLimit: 20 (expected: 1 <= initialLimit <= 10)");
  }
}
