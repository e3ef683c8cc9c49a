package dev.blastwall.limit;

import static dev.blastwall.limit.SimulatedServer.MILLI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AimdLimitTest {

  private static AimdLimit limit() {
    return AimdLimit.builder().initialLimit(20).timeout(Duration.ofMillis(100)).build();
  }

  @Test
  void successWhileHalfInUse_addsOne() {
    AimdLimit limit = limit();

    assertThat(limit.onSample(0, 10 * MILLI, /* inflight= */ 10, false)).isEqualTo(21);
    assertThat(limit.limit()).isEqualTo(21);
  }

  @Test
  void successWithLessThanHalfInUse_changesNothing() {
    AimdLimit limit = limit();

    assertThat(limit.onSample(0, 10 * MILLI, /* inflight= */ 9, false)).isEqualTo(20);
  }

  @Test
  void drop_multipliesByBackoffRatioRoundingDown() {
    AimdLimit limit = AimdLimit.builder().initialLimit(21).build();

    assertThat(limit.onSample(0, MILLI, 21, /* dropped= */ true)).isEqualTo(18); // 21 * 0.9 = 18.9
  }

  @Test
  void rttAboveTimeout_isCongestionLikeADrop() {
    AimdLimit limit = limit();

    assertThat(limit.onSample(0, 100 * MILLI, 20, false)).as("at the timeout").isEqualTo(21);
    assertThat(limit.onSample(200 * MILLI, 100 * MILLI + 1, 20, false)).as("above it").isEqualTo(18);
  }

  @Test
  void customBackoffRatio() {
    AimdLimit limit = AimdLimit.builder().initialLimit(40).backoffRatio(0.5).build();

    assertThat(limit.onSample(0, MILLI, 40, true)).isEqualTo(20);
  }

  @Test
  void samplesAdmittedBeforeTheLastChange_areIgnored() {
    AimdLimit limit = limit();
    // Changes at the completion of the first sample: t = 10 ms.
    limit.onSample(0, 10 * MILLI, 20, false);

    assertThat(limit.onSample(5 * MILLI, 20 * MILLI, 20, /* dropped= */ true)).as("admitted at 5 ms").isEqualTo(21);
    assertThat(limit.onSample(9 * MILLI, 1 * MILLI, 20, false)).as("admitted at 9 ms").isEqualTo(21);
    assertThat(limit.onSample(10 * MILLI, 10 * MILLI, 21, false)).as("admitted at 10 ms").isEqualTo(22);
    assertThat(limit.onSample(20 * MILLI, 10 * MILLI, 22, true)).as("admitted at 20 ms").isEqualTo(19);
  }

  @Test
  void roundTripsCompareAcrossTickerWrapAround() {
    AimdLimit limit = limit();
    long start = Long.MAX_VALUE - 5 * MILLI;
    limit.onSample(start, 10 * MILLI, 20, false); // completes past the wrap

    assertThat(limit.onSample(start + MILLI, 20 * MILLI, 20, true)).as("admitted before the change").isEqualTo(21);
    assertThat(limit.onSample(start + 10 * MILLI, MILLI, 21, true)).as("admitted after it").isEqualTo(18);
  }

  @Test
  void staysWithinMinAndMax() {
    AimdLimit limit = AimdLimit.builder().initialLimit(2).minLimit(2).maxLimit(3).build();
    long t = 0;

    assertThat(limit.onSample(t, 1, 2, true)).isEqualTo(2);
    t += 10;
    assertThat(limit.onSample(t, 1, 2, false)).isEqualTo(3);
    t += 10;
    assertThat(limit.onSample(t, 1, 3, false)).isEqualTo(3);
  }

  @Test
  void builderRejectsBadConfiguration() {
    assertThatIllegalArgumentException().isThrownBy(() -> AimdLimit.builder().backoffRatio(1.0))
        .withMessage("backoffRatio: 1.0 (expected: 0.5 <= backoffRatio < 1)");
    assertThatIllegalArgumentException().isThrownBy(() -> AimdLimit.builder().minLimit(0))
        .withMessage("minLimit: 0 (expected: 1 <= minLimit <= 2147483647)");
    assertThatIllegalArgumentException().isThrownBy(() -> AimdLimit.builder().timeout(Duration.ZERO))
        .withMessage("timeout: PT0S (expected: > 0)");
    assertThatIllegalArgumentException().isThrownBy(() -> AimdLimit.builder().minLimit(10).maxLimit(5).build())
        .withMessage("minLimit: 10 (expected: <= maxLimit (5))");
    assertThatIllegalArgumentException().isThrownBy(() -> AimdLimit.builder().initialLimit(300).build())
        .withMessage("initialLimit: 300 (expected: 1 <= initialLimit <= 200)");
    assertThatIllegalStateException().isThrownBy(() -> AimdLimit.builder().maxLimit(5).maxLimit(6))
        .withMessage("maxLimit was already set (expected: set once)");
  }
}
