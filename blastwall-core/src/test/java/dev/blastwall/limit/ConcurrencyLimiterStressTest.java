package dev.blastwall.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Sixteen threads acquiring and ending requests every way there is, each run bounded to half a second. At no
 * moment may more requests be inside than the limit, every request must be released, and every success and drop
 * must reach the limit exactly once.
 */
class ConcurrencyLimiterStressTest {

  private static final int THREADS = 16;
  private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final int MAX_ITERATIONS_PER_THREAD = 50_000;

  @Test
  void fixedLimit_neverExceededAndEveryRequestReleased() throws Exception {
    RecordingLimit limit = new RecordingLimit(8);
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder("stress", limit).build();

    Result result = hammer(limiter::tryAcquire);

    assertThat(result.failures).isEmpty();
    assertThat(result.maxInside.get()).as("most requests inside at once").isBetween(1, 8);
    assertThat(limiter.inflight()).as("in flight after the run").isZero();
    assertThat(limit.samples).as("every success and drop was fed, once").hasSize((int) result.sampled.get());
  }

  @Test
  void adaptiveLimit_neverExceedsItsCeilingAndEveryRequestReleased() throws Exception {
    AimdLimit aimd = AimdLimit.builder().initialLimit(4).maxLimit(12).timeout(Duration.ofMillis(1)).build();
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder("stress", aimd).build();

    Result result = hammer(limiter::tryAcquire);

    assertThat(result.failures).isEmpty();
    assertThat(result.maxInside.get()).isBetween(1, 12);
    assertThat(limiter.inflight()).isZero();
    assertThat(limiter.limit()).isBetween(1, 12);
  }

  @Test
  void partitionedLimiter_neverExceedsTheTotalAndEveryRequestReleased() throws Exception {
    RecordingLimit limit = new RecordingLimit(8);
    PartitionedLimiter<String> limiter = PartitionedLimiter.<String>builder("stress", limit)
        .share("a", 50).share("b", 25).build();
    AtomicInteger next = new AtomicInteger();
    String[] keys = {"a", "b", "c", "a"};

    Result result = hammer(() -> limiter.tryAcquire(keys[Math.floorMod(next.getAndIncrement(), keys.length)]));

    assertThat(result.failures).isEmpty();
    assertThat(result.maxInside.get()).isBetween(1, 8);
    assertThat(limiter.inflight()).isZero();
    for (String key : keys) {
      assertThat(limiter.inflight(key)).as(key).isZero();
    }
    assertThat(limit.samples).hasSize((int) result.sampled.get());
  }

  private static final class Result {
    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger maxInside = new AtomicInteger();
    final AtomicLong sampled = new AtomicLong();
    final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  }

  private static Result hammer(Supplier<@Nullable Listener> acquire) throws InterruptedException {
    Result result = new Result();
    Ticker real = Ticker.system();
    long start = real.nanos();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      SplittableRandom random = new SplittableRandom(100 + t);
      threads.add(Thread.ofPlatform().name("limiter-stress-" + t).unstarted(() -> {
        try {
          for (int i = 0; i < MAX_ITERATIONS_PER_THREAD && real.nanos() - start < RUN_NANOS; i++) {
            Listener listener = acquire.get();
            if (listener == null) {
              Thread.onSpinWait();
              continue;
            }
            int now = result.inside.incrementAndGet();
            result.maxInside.accumulateAndGet(now, Math::max);
            for (int spin = random.nextInt(200); spin > 0; spin--) {
              Thread.onSpinWait();
            }
            result.inside.decrementAndGet();
            switch (random.nextInt(4)) {
              case 0 -> {
                listener.onDropped();
                result.sampled.incrementAndGet();
              }
              case 1 -> listener.onIgnore();
              default -> {
                listener.onSuccess();
                result.sampled.incrementAndGet();
              }
            }
            if (random.nextInt(8) == 0) {
              listener.onIgnore(); // a late second ending must change nothing
            }
          }
        } catch (Throwable unexpected) {
          result.failures.add(unexpected);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      assertThat(thread.join(Duration.ofSeconds(20))).as(thread.getName() + " finished").isTrue();
    }
    return result;
  }
}
