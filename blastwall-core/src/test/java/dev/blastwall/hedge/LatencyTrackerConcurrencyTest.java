package dev.blastwall.hedge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LatencyTrackerConcurrencyTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void concurrentRecordsWithinOneSliceAreAllCounted() throws Exception {
    FakeTicker ticker = new FakeTicker();
    LatencyTracker tracker = LatencyTracker.builder().ticker(ticker).build();
    int threads = 8;
    int perThread = 100_000;
    CountDownLatch start = new CountDownLatch(1);

    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> recorders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long latency = (t + 1) * MS;
        recorders.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            tracker.record(latency);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> recorder : recorders) {
        recorder.get(1, TimeUnit.MINUTES);
      }
    }

    assertThat(tracker.count()).isEqualTo((long) threads * perThread);
    // Thread t recorded (t + 1) ms, so each eighth of the distribution is one thread's latency.
    assertThat(tracker.percentileNanos(12.5)).isBetween(MS, MS + MS / 64 + 1_000);
    assertThat(tracker.percentileNanos(12.6)).isBetween(2 * MS, 2 * MS + 2 * MS / 64 + 1_000);
    assertThat(tracker.percentileNanos(100.0)).isBetween(8 * MS, 8 * MS + 8 * MS / 64 + 1_000);
  }

  @Test
  void recordingWhileTimeMovesNeverOvercounts() throws Exception {
    FakeTicker ticker = new FakeTicker();
    // Ten 10 ms slices, and time advanced in 1 ms steps: a rotation every ten steps, racing the recorders.
    LatencyTracker tracker = LatencyTracker.builder().ticker(ticker).window(Duration.ofMillis(100)).slices(10)
        .minSamples(1).build();
    int recorderCount = 4;
    int perThread = 50_000;
    AtomicLong recorded = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong checks = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);

    try (ExecutorService pool = Executors.newFixedThreadPool(recorderCount + 2)) {
      List<Future<?>> recorders = new ArrayList<>();
      for (int t = 0; t < recorderCount; t++) {
        long latency = (t + 1) * MS;
        recorders.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            // Counted before recording, so a sample visible in the tracker is always already in `recorded`.
            recorded.incrementAndGet();
            tracker.record(latency);
          }
          return null;
        }));
      }
      Future<?> clock = pool.submit(() -> {
        start.await();
        while (!done.get()) {
          ticker.advanceNanos(MS);
        }
        return null;
      });
      Future<?> reader = pool.submit(() -> {
        start.await();
        // At least one check even if the recorders finish before this thread is first scheduled.
        do {
          long count = tracker.count();
          assertThat(count).isBetween(0L, recorded.get());
          long p99 = tracker.percentileNanos(99.0);
          assertThat(p99).isBetween(-1L, 4 * MS + 4 * MS / 64 + 1_000);
          tracker.percentileNanosCached(50.0, MS);
          checks.incrementAndGet();
        } while (!done.get());
        return null;
      });

      start.countDown();
      try {
        for (Future<?> recorder : recorders) {
          recorder.get(1, TimeUnit.MINUTES);
        }
      } finally {
        done.set(true);
      }
      clock.get(1, TimeUnit.MINUTES);
      reader.get(1, TimeUnit.MINUTES);
    }

    assertThat(recorded.get()).isEqualTo((long) recorderCount * perThread);
    assertThat(tracker.count()).isBetween(0L, recorded.get());
    assertThat(checks.get()).isPositive();
    ticker.advance(Duration.ofMillis(100));
    assertThat(tracker.count()).isZero();
  }

  @Test
  void recordingAcrossRotationsWithoutReadersStillCountsTheLatestSlices() throws Exception {
    FakeTicker ticker = new FakeTicker();
    LatencyTracker tracker = LatencyTracker.builder().ticker(ticker).window(Duration.ofSeconds(1)).slices(10)
        .minSamples(1).build();
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean stop = new AtomicBoolean();

    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> recorders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        recorders.add(pool.submit(() -> {
          start.await();
          while (!stop.get()) {
            tracker.record(5 * MS);
          }
          return null;
        }));
      }
      start.countDown();
      // Many rotations while the recorders run flat out.
      for (int step = 0; step < 2_000; step++) {
        ticker.advance(Duration.ofMillis(7));
      }
      stop.set(true);
      for (Future<?> recorder : recorders) {
        recorder.get(1, TimeUnit.MINUTES);
      }
    }

    // Quiet now: one more record in a fresh slice is counted exactly, next to whatever survived.
    ticker.advance(Duration.ofSeconds(1));
    assertThat(tracker.count()).isZero();
    tracker.record(5 * MS);
    assertThat(tracker.count()).isEqualTo(1);
    assertThat(tracker.percentileNanos(50.0)).isBetween(5 * MS, 5 * MS + 5 * MS / 64 + 1_000);
  }
}
