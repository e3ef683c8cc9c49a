package dev.blastwall.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.blastwall.event.EventListener;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CircuitBreakerConfigTest {

  private static CircuitBreaker.Builder builder() {
    return CircuitBreaker.builder("payments");
  }

  private static void rejects(Consumer<CircuitBreaker.Builder> option, String message) {
    assertThatIllegalArgumentException().isThrownBy(() -> option.accept(builder())).withMessage(message);
  }

  @Test
  void documentsItsDefaults() {
    assertThat(CircuitBreaker.DEFAULT_FAILURE_RATE_THRESHOLD).isEqualTo(50);
    assertThat(CircuitBreaker.DEFAULT_SLOW_CALL_DURATION).isEqualTo(Duration.ofSeconds(60));
    assertThat(CircuitBreaker.DEFAULT_MINIMUM_CALLS).isEqualTo(10);
    assertThat(CircuitBreaker.DEFAULT_WINDOW_CALLS).isEqualTo(100);
    assertThat(CircuitBreaker.DEFAULT_OPEN_DURATION).isEqualTo(Duration.ofSeconds(10));
    assertThat(CircuitBreaker.DEFAULT_HALF_OPEN_PROBES).isEqualTo(3);
    assertThat(CircuitBreaker.DEFAULT_HALF_OPEN_SUCCESSES_TO_CLOSE).isEqualTo(3);
  }

  @Test
  void refusesABlankName() {
    assertThatIllegalArgumentException().isThrownBy(() -> CircuitBreaker.builder(" "))
        .withMessage("name: \" \" (expected: a non-blank name)");
  }

  @Test
  void refusesRatesOutsideZeroToAHundredPercent() {
    rejects(b -> b.failureRateThreshold(0), "failureRateThreshold: 0.0 (expected: 0 < failureRateThreshold <= 100)");
    rejects(b -> b.failureRateThreshold(100.5),
        "failureRateThreshold: 100.5 (expected: 0 < failureRateThreshold <= 100)");
    rejects(b -> b.failureRateThreshold(Double.NaN),
        "failureRateThreshold: NaN (expected: 0 < failureRateThreshold <= 100)");
    rejects(b -> b.slowCallRateThreshold(-1),
        "slowCallRateThreshold: -1.0 (expected: 0 < slowCallRateThreshold <= 100)");
    builder().failureRateThreshold(100).slowCallRateThreshold(100).build();
  }

  @Test
  void refusesDurationsThatAreNotPositive() {
    rejects(b -> b.slowCallDuration(Duration.ZERO), "slowCallDuration: PT0S (expected: > 0)");
    rejects(b -> b.openDuration(Duration.ofSeconds(-1)), "openDuration: PT-1S (expected: > 0)");
    rejects(b -> b.timeWindow(Duration.ZERO, 10), "timeWindow: PT0S (expected: > 0)");
    rejects(b -> b.openDurationBackoff(2, Duration.ZERO), "maxOpenDuration: PT0S (expected: > 0)");
  }

  @Test
  void refusesCountsOutOfRange() {
    rejects(b -> b.minimumCalls(0), "minimumCalls: 0 (expected: 1 <= minimumCalls <= 100000)");
    rejects(b -> b.countWindow(0), "countWindow: 0 (expected: 1 <= countWindow <= 100000)");
    rejects(b -> b.countWindow(100_001), "countWindow: 100001 (expected: 1 <= countWindow <= 100000)");
    rejects(b -> b.timeWindow(Duration.ofSeconds(20), 0), "buckets: 0 (expected: 1 <= buckets <= 1000)");
    rejects(b -> b.timeWindow(Duration.ofSeconds(20), 1001), "buckets: 1001 (expected: 1 <= buckets <= 1000)");
    rejects(b -> b.timeWindow(Duration.ofNanos(5), 10),
        "timeWindow: PT0.000000005S (expected: >= 1 ns per bucket (10 buckets))");
    rejects(b -> b.halfOpenProbes(0), "halfOpenProbes: 0 (expected: 1 <= halfOpenProbes <= 1000)");
    rejects(b -> b.halfOpenSuccessesToClose(1001),
        "halfOpenSuccessesToClose: 1001 (expected: 1 <= halfOpenSuccessesToClose <= 1000)");
    rejects(b -> b.openDurationBackoff(0.5, Duration.ofMinutes(1)),
        "openDurationMultiplier: 0.5 (expected: 1.0 <= openDurationMultiplier <= 100.0)");
    rejects(b -> b.openDurationBackoff(101, Duration.ofMinutes(1)),
        "openDurationMultiplier: 101.0 (expected: 1.0 <= openDurationMultiplier <= 100.0)");
  }

  @Test
  void refusesCombinationsThatCannotWork() {
    rejects(b -> b.countWindow(100).minimumCalls(101).build(),
        "minimumCalls: 101 (expected: <= countWindow (100), or the circuit could never trip)");
    rejects(b -> b.minimumCalls(101).build(),
        "minimumCalls: 101 (expected: <= countWindow (100), or the circuit could never trip)");
    rejects(b -> b.openDurationBackoff(2, Duration.ofSeconds(5)).build(),
        "maxOpenDuration: PT5S (expected: >= openDuration (PT10S))");
    rejects(b -> b.openDuration(Duration.ofMinutes(1)).openDurationBackoff(2, Duration.ofSeconds(30)).build(),
        "maxOpenDuration: PT30S (expected: >= openDuration (PT1M))");
    // Allowed: a time window has no size limit on the minimum, and a cap equal to the open duration.
    builder().timeWindow(Duration.ofSeconds(20), 20).minimumCalls(100_000).build();
    builder().openDurationBackoff(2, Duration.ofSeconds(10)).build();
  }

  @Test
  void refusesAnOptionSetTwice() {
    assertSetOnce("failureRateThreshold", b -> b.failureRateThreshold(50));
    assertSetOnce("slowCallRateThreshold", b -> b.slowCallRateThreshold(50));
    assertSetOnce("slowCallDuration", b -> b.slowCallDuration(Duration.ofSeconds(1)));
    assertSetOnce("minimumCalls", b -> b.minimumCalls(10));
    assertSetOnce("window", b -> b.countWindow(10));
    assertSetOnce("window", b -> b.timeWindow(Duration.ofSeconds(20), 20));
    assertSetOnce("openDuration", b -> b.openDuration(Duration.ofSeconds(1)));
    assertSetOnce("openDurationBackoff", b -> b.openDurationBackoff(2, Duration.ofMinutes(1)));
    assertSetOnce("halfOpenProbes", b -> b.halfOpenProbes(3));
    assertSetOnce("halfOpenSuccessesToClose", b -> b.halfOpenSuccessesToClose(3));
    assertSetOnce("classifier", b -> b.classifier(FailureClassifier.defaults()));
    assertSetOnce("ticker", b -> b.ticker(new FakeTicker()));
    assertSetOnce("listener", b -> b.listener(EventListener.NONE));

    CircuitBreaker.Builder mixed = builder().countWindow(10);
    assertThatIllegalStateException().isThrownBy(() -> mixed.timeWindow(Duration.ofSeconds(1), 1))
        .withMessage("window was already set (expected: set once)");
  }

  private static void assertSetOnce(String name, Consumer<CircuitBreaker.Builder> option) {
    CircuitBreaker.Builder builder = builder();
    option.accept(builder);
    assertThatIllegalStateException().isThrownBy(() -> option.accept(builder))
        .withMessage(name + " was already set (expected: set once)");
  }
}
