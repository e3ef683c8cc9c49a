package dev.blastwall.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Eight threads feeding one limit at once: the compare-and-set loops must keep every bound, lose no state, and
 * keep making progress.
 */
class LimitConcurrencyTest {

  private static final int THREADS = 8;
  private static final int SAMPLES_PER_THREAD = 20_000;
  private static final long MILLI = 1_000_000;

  /** Each thread feeds samples around a shared clock that moves forward by 1 ms every 100 samples. */
  private static void feed(Limit limit, int min, int max, double dropRate) throws InterruptedException {
    AtomicLong clock = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      SplittableRandom random = new SplittableRandom(t);
      threads.add(Thread.ofPlatform().unstarted(() -> {
        try {
          for (int i = 0; i < SAMPLES_PER_THREAD; i++) {
            long now = (i % 100 == 0 ? clock.addAndGet(MILLI) : clock.get());
            long rtt = random.nextLong(5 * MILLI, 15 * MILLI);
            int result = limit.onSample(now - rtt, rtt, random.nextInt(1, 100), random.nextDouble() < dropRate);
            if (result < min || result > max) {
              throw new AssertionError("limit " + result + " outside [" + min + ", " + max + "]");
            }
          }
        } catch (Throwable failure) {
          failures.add(failure);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      assertThat(thread.join(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void aimd() throws Exception {
    AimdLimit aimd = AimdLimit.builder().maxLimit(80).timeout(Duration.ofMillis(14)).build();

    feed(aimd, 1, 80, 0.01);

    assertThat(aimd.limit()).isBetween(1, 80);
  }

  @Test
  void vegas() throws Exception {
    VegasLimit vegas = VegasLimit.builder().maxLimit(80).build();

    feed(vegas, 1, 80, 0.01);

    assertThat(vegas.rttNoLoadNanos()).as("the smallest rtt fed, at least 5 ms")
        .isBetween(5 * MILLI, 5 * MILLI + 50_000);
  }

  @Test
  void gradient() throws Exception {
    GradientLimit gradient = GradientLimit.builder().maxLimit(80).minRttInterval(Duration.ofMillis(200))
        .random(() -> 0.5).build();

    feed(gradient, 3, 80, 0.0);

    assertThat(gradient.minRttNanos()).as("measured, and from the samples fed").isBetween(5 * MILLI, 15 * MILLI);
  }
}
