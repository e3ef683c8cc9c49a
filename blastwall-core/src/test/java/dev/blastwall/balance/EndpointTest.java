package dev.blastwall.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EndpointTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long TAU = TimeUnit.SECONDS.toNanos(10);

  private final FakeTicker ticker = new FakeTicker();

  /** Completes one call of {@code latencyNanos} that ends now. */
  private static void call(Endpoint endpoint, long latencyNanos, boolean success) {
    endpoint.onStart();
    endpoint.onComplete(latencyNanos, success);
  }

  /** One call of {@code latencyNanos} every {@code latencyNanos}, for {@code durationNanos}. */
  private void steady(Endpoint endpoint, long latencyNanos, long durationNanos) {
    for (long t = 0; t < durationNanos; t += latencyNanos) {
      ticker.advanceNanos(latencyNanos);
      call(endpoint, latencyNanos, true);
    }
  }

  @Test
  void newEndpoint_hasDefaultsAndNoSample() {
    Endpoint endpoint = new Endpoint("127.0.0.1:50051", ticker);

    assertThat(endpoint.id()).isEqualTo("127.0.0.1:50051");
    assertThat(endpoint.weight()).isEqualTo(1);
    assertThat(endpoint.decayTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(endpoint.outstanding()).isZero();
    assertThat(endpoint.consecutiveFailures()).isZero();
    assertThat(endpoint.hasLatencySample()).isFalse();
    assertThat(endpoint.latencyEstimateNanos()).isZero();
  }

  @Test
  void badConfig_isRejectedWithNameValueAndExpectation() {
    assertThatIllegalArgumentException().isThrownBy(() -> new Endpoint("", ticker))
        .withMessage("id: \"\" (expected: a non-empty string)");
    assertThatIllegalArgumentException().isThrownBy(() -> new Endpoint("a", 0, ticker))
        .withMessage("weight: 0 (expected: 1 <= weight <= 10000)");
    assertThatIllegalArgumentException().isThrownBy(() -> new Endpoint("a", 10_001, ticker))
        .withMessage("weight: 10001 (expected: 1 <= weight <= 10000)");
    assertThatIllegalArgumentException().isThrownBy(() -> new Endpoint("a", 1, ticker, Duration.ZERO))
        .withMessage("decayTime: PT0S (expected: > 0)");
  }

  @Test
  void startAndComplete_countOutstandingAndFailures() {
    Endpoint endpoint = new Endpoint("a", ticker);
    endpoint.onStart();
    endpoint.onStart();
    assertThat(endpoint.outstanding()).isEqualTo(2);

    endpoint.onComplete(MS, false);
    assertThat(endpoint.outstanding()).isEqualTo(1);
    assertThat(endpoint.consecutiveFailures()).isEqualTo(1);
    endpoint.onComplete(MS, true);
    assertThat(endpoint.outstanding()).isZero();
    assertThat(endpoint.consecutiveFailures()).isZero();
  }

  @Test
  void completeWithoutStart_throwsAndLeavesCountAtZero() {
    Endpoint endpoint = new Endpoint("a", ticker);

    assertThatIllegalStateException().isThrownBy(() -> endpoint.onComplete(MS, true))
        .withMessageContaining("no outstanding call");
    assertThat(endpoint.outstanding()).isZero();
    assertThat(endpoint.hasLatencySample()).isFalse();
  }

  @Test
  void firstSample_becomesTheEstimate() {
    Endpoint endpoint = new Endpoint("a", ticker);
    call(endpoint, 7 * MS, true);

    assertThat(endpoint.hasLatencySample()).isTrue();
    assertThat(endpoint.latencyEstimateNanos()).isEqualTo(7.0 * MS);
  }

  @Test
  void spike_isTakenAtOnce_thenDecaysBackWithinAFewTau() {
    Endpoint endpoint = new Endpoint("a", ticker);
    steady(endpoint, 10 * MS, TAU);
    assertThat(endpoint.latencyEstimateNanos()).isCloseTo(10.0 * MS, within(0.1 * MS));

    ticker.advanceNanos(10 * MS);
    call(endpoint, 100 * MS, true);
    assertThat(endpoint.latencyEstimateNanos()).isEqualTo(100.0 * MS);

    // After one tau about e^-1 of the 90 ms excess is left; after five, under 1%.
    steady(endpoint, 10 * MS, TAU);
    assertThat(endpoint.latencyEstimateNanos()).isBetween(10.0 * MS + 0.3 * 90 * MS, 10.0 * MS + 0.4 * 90 * MS);
    steady(endpoint, 10 * MS, 4 * TAU);
    assertThat(endpoint.latencyEstimateNanos()).isBetween(10.0 * MS, 11.0 * MS);
  }

  @Test
  void lowerSample_movesTheEstimateByTheElapsedTimesWeight() {
    Endpoint endpoint = new Endpoint("a", ticker);
    call(endpoint, 100 * MS, true);

    ticker.advanceNanos(TAU);
    call(endpoint, 0, true);

    // A sample one tau after the last one carries weight 1 - e^-1.
    assertThat(endpoint.latencyEstimateNanos()).isCloseTo(100.0 * MS * Math.exp(-1),
        within(1.0));
  }

  @Test
  void idleEstimate_decaysTowardsZeroSoAShunnedEndpointIsProbedAgain() {
    Endpoint endpoint = new Endpoint("a", ticker);
    call(endpoint, 100 * MS, true);

    ticker.advanceNanos(3 * TAU);

    assertThat(endpoint.latencyEstimateNanos()).isCloseTo(100.0 * MS * Math.exp(-3),
        within(1.0));
  }

  @Test
  void fastFailure_doesNotLowerTheEstimate_butASlowOneRaisesIt() {
    Endpoint endpoint = new Endpoint("a", ticker);
    call(endpoint, 50 * MS, true);
    ticker.advanceNanos(10 * MS);
    double before = endpoint.latencyEstimateNanos();

    call(endpoint, MS, false);
    assertThat(endpoint.latencyEstimateNanos()).isEqualTo(before);

    call(endpoint, 200 * MS, false);
    assertThat(endpoint.latencyEstimateNanos()).isEqualTo(200.0 * MS);
  }

  @Test
  void negativeLatency_countsAsZero() {
    Endpoint endpoint = new Endpoint("a", ticker);
    call(endpoint, -5, true);

    assertThat(endpoint.hasLatencySample()).isTrue();
    assertThat(endpoint.latencyEstimateNanos()).isZero();
  }

  @Test
  void tickerNearWrapAround_decaysNormally() {
    FakeTicker wrapping = new FakeTicker(Long.MAX_VALUE - TAU / 2);
    Endpoint endpoint = new Endpoint("a", 1, wrapping);
    endpoint.onStart();
    endpoint.onComplete(100 * MS, true);

    wrapping.advanceNanos(TAU);

    assertThat(endpoint.latencyEstimateNanos()).isCloseTo(100.0 * MS * Math.exp(-1),
        within(1.0));
  }
}
