package dev.blastwall.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.limit.AdaptiveThrottle;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClientThrottleTest {

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final SplittableRandom random = new SplittableRandom(7);
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicBoolean overloaded = new AtomicBoolean(true);

  private Pipeline pipeline(AdaptiveThrottle throttle) {
    return Pipeline.builder("ranker").ticker(ticker).scheduler(scheduler).random(random::nextDouble)
        .adaptiveThrottle(throttle).idempotency(Idempotency.IDEMPOTENT).build();
  }

  private String upstream() {
    sent.incrementAndGet();
    if (overloaded.get()) {
      throw new RemoteFailure(FailureKind.OVERLOADED, "ranker overloaded");
    }
    return "ranked";
  }

  @Test
  void whileTheUpstreamRefusesMostRequestsAreRefusedLocally() {
    AdaptiveThrottle throttle = AdaptiveThrottle.builder("ranker").ticker(ticker).build();
    Pipeline ranker = pipeline(throttle);
    int local = 0;

    for (int call = 0; call < 1000; call++) {
      try {
        ranker.call(this::upstream);
      } catch (OverloadedException refusedHere) {
        assertThat(refusedHere.policy()).isEqualTo("client-throttle");
        local++;
      } catch (Exception refusedThere) {
        assertThat(refusedThere).isInstanceOf(RemoteFailure.class);
      }
      ticker.advance(Duration.ofMillis(10));
    }

    // With no accepts, p = requests / (requests + 1): nearly everything stays local after the first few.
    assertThat(sent.get()).as("attempts that reached the upstream").isLessThan(50);
    assertThat(local).isGreaterThan(950);
  }

  @Test
  void onceTheUpstreamAcceptsAgainTheThrottleLetsTrafficThrough() throws Exception {
    AdaptiveThrottle throttle = AdaptiveThrottle.builder("ranker").ticker(ticker).build();
    Pipeline ranker = pipeline(throttle);
    for (int call = 0; call < 200; call++) {
      try {
        ranker.call(this::upstream);
      } catch (Exception expected) {
        // refused, locally or by the upstream
      }
    }
    overloaded.set(false);
    // The old refusals age out of the 2-minute window.
    ticker.advance(Duration.ofMinutes(3));

    sent.set(0);
    for (int call = 0; call < 100; call++) {
      assertThat(ranker.call(this::upstream)).isEqualTo("ranked");
    }
    assertThat(sent.get()).isEqualTo(100);
    assertThat(throttle.rejectionProbability()).isZero();
  }

  @Test
  void aLocalRefusalIsNotRetried() {
    AdaptiveThrottle throttle = AdaptiveThrottle.builder("ranker").ticker(ticker).build();
    Pipeline ranker = Pipeline.builder("ranker").ticker(ticker).scheduler(scheduler).random(() -> 0.0)
        .adaptiveThrottle(throttle).idempotency(Idempotency.IDEMPOTENT)
        .retry(dev.blastwall.retry.RetryPolicy.builder().maxAttempts(3).build()).build();
    for (int i = 0; i < 10; i++) {
      throttle.onRequest(); // ten refused requests already on record, none accepted
    }

    assertThatThrownBy(() -> ranker.call(this::upstream)).isInstanceOf(OverloadedException.class);
    assertThat(sent.get()).as("random 0.0 is below any positive probability: refused before sending").isZero();
  }
}
