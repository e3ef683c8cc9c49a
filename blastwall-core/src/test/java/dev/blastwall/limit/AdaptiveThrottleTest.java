package dev.blastwall.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;

import dev.blastwall.failure.OverloadedException;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdaptiveThrottleTest {

  private final FakeTicker ticker = new FakeTicker();

  private AdaptiveThrottle throttle() {
    return AdaptiveThrottle.builder("search").ticker(ticker).build();
  }

  private static void record(AdaptiveThrottle throttle, int requests, int accepts) {
    for (int i = 0; i < requests; i++) {
      throttle.onRequest();
    }
    for (int i = 0; i < accepts; i++) {
      throttle.onAccepted();
    }
  }

  @Test
  void empty_rejectsNothing() {
    AdaptiveThrottle throttle = throttle();

    assertThat(throttle.rejectionProbability()).isZero();
    assertThat(throttle.allowRequest(0.0)).isTrue();
  }

  @Test
  void everythingAccepted_rejectsNothing() {
    AdaptiveThrottle throttle = throttle();

    record(throttle, 1000, 1000);

    assertThat(throttle.rejectionProbability()).isZero();
    assertThat(throttle.allowRequest(0.0)).isTrue();
  }

  @Test
  void nothingAccepted_probabilityIsRequestsOverRequestsPlusOne() {
    AdaptiveThrottle throttle = throttle();

    for (int requests = 1; requests <= 1000; requests++) {
      throttle.onRequest();
      assertThat(throttle.rejectionProbability()).isEqualTo(requests / (requests + 1.0));
    }
    assertThat(throttle.rejectionProbability()).isCloseTo(1.0, within(0.001));
    assertThat(throttle.allowRequest(0.998)).isFalse();
    assertThat(throttle.allowRequest(0.9991)).isTrue();
  }

  @Test
  void kTwo_onExactNumbers() {
    AdaptiveThrottle throttle = throttle();

    record(throttle, 100, 30);

    // (100 - 2 x 30) / (100 + 1) = 40 / 101 = 0.39604
    assertThat(throttle.rejectionProbability()).isEqualTo(40 / 101.0);
    assertThat(throttle.allowRequest(0.3960)).as("below p: rejected").isFalse();
    assertThat(throttle.allowRequest(0.3961)).as("at or above p: sent").isTrue();
    assertThat(throttle.snapshot()).isEqualTo(new AdaptiveThrottle.Snapshot(100, 30, 40 / 101.0));
  }

  @Test
  void atExactlyHalfAccepted_kTwoRejectsNothing() {
    AdaptiveThrottle throttle = throttle();

    record(throttle, 100, 50);

    assertThat(throttle.rejectionProbability()).isZero();
  }

  @Test
  void smallerK_throttlesHarder() {
    AdaptiveThrottle throttle = AdaptiveThrottle.builder("search").k(1.1).ticker(ticker).build();

    record(throttle, 100, 50);

    // (100 - 1.1 x 50) / 101 = 45 / 101
    assertThat(throttle.rejectionProbability()).isCloseTo(45 / 101.0, within(1e-12));
  }

  @Test
  void countsExpireAfterTheWindow() {
    AdaptiveThrottle throttle = throttle();
    record(throttle, 10, 0);
    ticker.advance(Duration.ofMinutes(1));
    record(throttle, 20, 5);

    ticker.advance(Duration.ofMinutes(1).minusNanos(1));
    assertThat(throttle.snapshot().requests()).as("2 min - 1 ns after the first").isEqualTo(30);

    ticker.advanceNanos(1);
    assertThat(throttle.snapshot()).as("2 min after the first").isEqualTo(
        new AdaptiveThrottle.Snapshot(20, 5, (20 - 10) / 21.0));

    ticker.advance(Duration.ofMinutes(1));
    assertThat(throttle.snapshot()).as("2 min after the second").isEqualTo(new AdaptiveThrottle.Snapshot(0, 0, 0));
    record(throttle, 3, 0);
    assertThat(throttle.snapshot().requests()).as("the ring is reused").isEqualTo(3);
  }

  @Test
  void countsNeverOutliveTheWindowAndLiveAtLeastWindowMinusOneSlot() {
    AdaptiveThrottle throttle =
        AdaptiveThrottle.builder("search").window(Duration.ofSeconds(10)).slots(5).ticker(ticker).build();
    ticker.advance(Duration.ofMillis(1999)); // the end of the first 2 s slot
    throttle.onRequest();

    ticker.advance(Duration.ofSeconds(8));
    assertThat(throttle.snapshot().requests()).as("8 s later").isEqualTo(1);
    ticker.advance(Duration.ofMillis(1));
    assertThat(throttle.snapshot().requests()).as("8.001 s later").isZero();
  }

  @Test
  void worksAcrossTickerWrapAround() {
    FakeTicker wrapping = new FakeTicker(Long.MAX_VALUE - 1_000);
    AdaptiveThrottle throttle = AdaptiveThrottle.builder("search").ticker(wrapping).build();

    throttle.onRequest();
    wrapping.advance(Duration.ofMinutes(1));
    throttle.onRequest();
    assertThat(throttle.snapshot().requests()).isEqualTo(2);

    wrapping.advance(Duration.ofMinutes(1));
    assertThat(throttle.snapshot().requests()).isEqualTo(1);
  }

  @Test
  void rejection_isAnOverloadedExceptionFromTheClientThrottle() {
    AdaptiveThrottle throttle = throttle();
    record(throttle, 300, 50);

    OverloadedException e = throttle.rejection();

    assertThat(e.upstream()).isEqualTo("search");
    assertThat(e.policy()).isEqualTo("client-throttle");
    assertThat(e.reason()).isEqualTo("throttled");
    assertThat(e.doNotRetry()).isTrue();
    assertThat(e.getMessage()).isEqualTo("search: client-throttle: rejected locally (p=0.66): 300 requests, 50 "
        + "accepted in the last PT2M (attempts: 0, deadline: none)");
  }

  @Test
  void concurrentCounting_losesNothing() throws Exception {
    AdaptiveThrottle throttle = throttle();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      boolean accepts = t % 2 == 0;
      threads.add(Thread.ofPlatform().unstarted(() -> {
        for (int i = 0; i < 20_000; i++) {
          throttle.onRequest();
          if (accepts) {
            throttle.onAccepted();
          }
          if (i % 1000 == 0) {
            throttle.allowRequest(0.5);
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      assertThat(thread.join(Duration.ofSeconds(20))).isTrue();
    }

    assertThat(throttle.snapshot().requests()).isEqualTo(160_000);
    assertThat(throttle.snapshot().accepts()).isEqualTo(80_000);
  }

  @Test
  void builderRejectsBadConfiguration() {
    assertThatIllegalArgumentException().isThrownBy(() -> AdaptiveThrottle.builder("x").k(0.9))
        .withMessage("k: 0.9 (expected: 1 <= k <= 1000)");
    assertThatIllegalArgumentException().isThrownBy(() -> AdaptiveThrottle.builder("x").k(Double.NaN))
        .withMessage("k: NaN (expected: 1 <= k <= 1000)");
    assertThatIllegalArgumentException().isThrownBy(() -> AdaptiveThrottle.builder("x").slots(0))
        .withMessage("slots: 0 (expected: 1 <= slots <= 1000)");
    assertThatIllegalArgumentException().isThrownBy(() -> AdaptiveThrottle.builder("x").window(Duration.ZERO))
        .withMessage("window: PT0S (expected: PT0.001S <= window <= PT24H)");
    assertThatIllegalStateException().isThrownBy(() -> AdaptiveThrottle.builder("x").k(2).k(3))
        .withMessage("k was already set (expected: set once)");
  }
}
