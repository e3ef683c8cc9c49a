package dev.blastwall.limit;

import static dev.blastwall.limit.SimulatedServer.MILLI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Hand-computed updates with windows of 5 samples, buffer 0.25, p50 (the 3rd of 5), undamped. */
class GradientLimitTest {

  /** Feeds windows of samples, each window admitted when the previous one completed. */
  private static final class Driver {
    final GradientLimit limit;
    long now;

    Driver(GradientLimit limit) {
      this.limit = limit;
    }

    int window(long... rttMillis) {
      long start = now;
      long end = now;
      for (long rtt : rttMillis) {
        limit.onSample(start, rtt * MILLI, 20, false);
        end = Math.max(end, start + rtt * MILLI);
      }
      now = end;
      return limit.limit();
    }

    int droppedWindow(int size) {
      for (int i = 0; i < size; i++) {
        limit.onSample(now, MILLI, 20, true);
      }
      now += MILLI;
      return limit.limit();
    }
  }

  private static GradientLimit.Builder fiveSampleWindows() {
    return GradientLimit.builder().initialLimit(20).minRttSamples(5).sampleWindow(5).random(() -> 0.5);
  }

  @Test
  void startsByMeasuringMinRttAtTheFloor_thenReturnsToTheInitialLimit() {
    Driver gradient = new Driver(fiveSampleWindows().build());
    assertThat(gradient.limit.limit()).isEqualTo(3);
    assertThat(gradient.limit.isMeasuringMinRtt()).isTrue();

    // Sorted 8, 10, 10, 11, 12: the median is 10 ms.
    assertThat(gradient.window(10, 12, 8, 10, 11)).isEqualTo(20);
    assertThat(gradient.limit.minRttNanos()).isEqualTo(10 * MILLI);
    assertThat(gradient.limit.isMeasuringMinRtt()).isFalse();
  }

  @Test
  void updatesFollowEnvoysFormula() {
    Driver gradient = new Driver(fiveSampleWindows().build());
    gradient.window(10, 10, 10, 10, 10);

    // gradient = 12.5 / 20 = 0.625; 20 * 0.625 = 12.5; + sqrt(12.5) = 16.036.
    assertThat(gradient.window(20, 20, 20, 20, 20)).isEqualTo(16);
    // gradient = 12.5 / 5 = 2.5, clamped to 2; 32.071 + sqrt(32.071) = 37.734.
    assertThat(gradient.window(5, 5, 5, 5, 5)).isEqualTo(37);
    // gradient = 12.5 / 10 = 1.25; 47.167 + sqrt(47.167) = 54.035.
    assertThat(gradient.window(10, 10, 10, 10, 10)).isEqualTo(54);
    // gradient = 12.5 / 100 = 0.125, clamped to 0.5; 27.018 + sqrt(27.018) = 32.216.
    assertThat(gradient.window(100, 100, 100, 100, 100)).isEqualTo(32);
  }

  @Test
  void windowOfDrops_takesTheMinimumGradient() {
    Driver gradient = new Driver(fiveSampleWindows().build());
    gradient.window(10, 10, 10, 10, 10);

    // 20 * 0.5 = 10; + sqrt(10) = 13.162.
    assertThat(gradient.droppedWindow(5)).isEqualTo(13);
  }

  @Test
  void smoothing_appliesAFractionOfEachChange() {
    Driver gradient = new Driver(fiveSampleWindows().smoothing(0.5).build());
    gradient.window(10, 10, 10, 10, 10);

    // Target 16.036 as above; half way from 20: 18.018.
    assertThat(gradient.window(20, 20, 20, 20, 20)).isEqualTo(18);
  }

  @Test
  void samplesAdmittedBeforeTheLastUpdate_areIgnored() {
    GradientLimit gradient = fiveSampleWindows().build();
    for (int i = 0; i < 5; i++) {
      gradient.onSample(0, 10 * MILLI, 3, false); // minRTT 10 ms, measured at t = 10 ms
    }
    for (int i = 0; i < 5; i++) {
      gradient.onSample(5 * MILLI, 1000 * MILLI, 20, false); // admitted during the measurement
    }
    assertThat(gradient.limit()).isEqualTo(20);

    for (int i = 0; i < 5; i++) {
      gradient.onSample(10 * MILLI, 10 * MILLI, 20, false);
    }
    assertThat(gradient.limit()).as("1.25 x 20 + 5").isEqualTo(30);
  }

  @Test
  void minRttIsMeasuredAgainAfterTheIntervalPlusInjectedJitter() {
    Driver gradient = new Driver(fiveSampleWindows().minRttInterval(Duration.ofSeconds(60)).build());
    gradient.window(10, 10, 10, 10, 10); // done at 10 ms: next at 10 ms + 60 s + 0.5 x 15% x 60 s = 64.51 s
    long due = 10 * MILLI + 64_500 * MILLI;

    gradient.limit.onSample(due - 2 * MILLI, MILLI, 20, false);
    assertThat(gradient.limit.isMeasuringMinRtt()).as("1 ms before").isFalse();

    gradient.limit.onSample(due - MILLI, MILLI, 20, false);
    assertThat(gradient.limit.isMeasuringMinRtt()).as("due").isTrue();
    assertThat(gradient.limit.limit()).isEqualTo(3);

    // Measured at the floor: minRTT 40 ms this time, and the limit returns to where it was.
    for (int i = 0; i < 5; i++) {
      gradient.limit.onSample(due, 40 * MILLI, 3, false);
    }
    assertThat(gradient.limit.minRttNanos()).isEqualTo(40 * MILLI);
    assertThat(gradient.limit.limit()).isEqualTo(20);
  }

  @Test
  void fiveWindowsAtTheFloor_triggerAnotherMinRttMeasurement() {
    Driver gradient = new Driver(GradientLimit.builder().initialLimit(3).minRttSamples(5).sampleWindow(5)
        .random(() -> 0.5).build());
    gradient.window(10, 10, 10, 10, 10);
    for (int i = 1; i < 5; i++) {
      // 3 x 0.5 = 1.5, + 1.22 = 2.72: floored at 3.
      gradient.window(100, 100, 100, 100, 100);
      assertThat(gradient.limit.isMeasuringMinRtt()).as("after %d windows", i).isFalse();
    }
    gradient.window(100, 100, 100, 100, 100);
    assertThat(gradient.limit.isMeasuringMinRtt()).isTrue();
  }

  @Test
  void minRttMeasurementOfMostlyDrops_isRepeated() {
    Driver gradient = new Driver(fiveSampleWindows().build());

    gradient.droppedWindow(5);

    assertThat(gradient.limit.isMeasuringMinRtt()).isTrue();
    assertThat(gradient.limit.minRttNanos()).isEqualTo(-1);
    gradient.window(10, 10, 10, 10, 10);
    assertThat(gradient.limit.minRttNanos()).isEqualTo(10 * MILLI);
  }

  @Test
  void staysWithinMinConcurrencyAndMax() {
    Driver gradient = new Driver(fiveSampleWindows().maxLimit(25).build());
    gradient.window(10, 10, 10, 10, 10);

    assertThat(gradient.window(1, 1, 1, 1, 1)).isEqualTo(25);
    // Halving plus headroom: 16.04, 10.85, 7.75, 5.85, 4.64, 3.84.
    for (int i = 0; i < 6; i++) {
      gradient.window(1000, 1000, 1000, 1000, 1000);
    }
    assertThat(gradient.limit.limit()).isEqualTo(3);
  }

  @Test
  void builderRejectsBadConfiguration() {
    assertThatIllegalArgumentException().isThrownBy(() -> GradientLimit.builder().percentile(0))
        .withMessage("percentile: 0.0 (expected: 0 < percentile <= 1)");
    assertThatIllegalArgumentException().isThrownBy(() -> GradientLimit.builder().smoothing(1.5))
        .withMessage("smoothing: 1.5 (expected: 0 < smoothing <= 1)");
    assertThatIllegalArgumentException().isThrownBy(() -> GradientLimit.builder().minRttJitter(-0.1))
        .withMessage("minRttJitter: -0.1 (expected: 0.0 <= minRttJitter <= 1.0)");
    assertThatIllegalArgumentException().isThrownBy(() -> GradientLimit.builder().initialLimit(2).build())
        .withMessage("initialLimit: 2 (expected: 3 <= initialLimit <= 1000)");
  }
}
