package dev.blastwall.hedge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyTrackerTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final Duration SLICE = Duration.ofSeconds(5);

  private final FakeTicker ticker = new FakeTicker();

  /** The defaults, on the fake ticker: 30 s window in six 5 s slices. */
  private LatencyTracker tracker() {
    return LatencyTracker.builder().ticker(ticker).build();
  }

  private static void record(LatencyTracker tracker, int times, long nanos) {
    for (int i = 0; i < times; i++) {
      tracker.record(nanos);
    }
  }

  /** Within the documented error of {@code nanos}: not below it, less than {@code nanos / 64 + 1 µs} above. */
  private static void assertInBucketOf(long actual, long nanos) {
    assertThat(actual).isGreaterThanOrEqualTo(nanos).isLessThan(nanos + nanos / 64 + 1_000);
  }

  @Test
  void defaults() {
    LatencyTracker tracker = LatencyTracker.builder().build();

    assertThat(tracker.window()).isEqualTo(Duration.ofSeconds(30));
    assertThat(tracker.slices()).isEqualTo(6);
    assertThat(tracker.maxTrackable()).isEqualTo(Duration.ofSeconds(60));
    assertThat(tracker.minSamples()).isEqualTo(20);
    assertThat(tracker).hasToString("LatencyTracker[window=PT30S, slices=6, maxTrackable=PT1M, minSamples=20]");
  }

  @Test
  void uniformOneToThousandMillisHasP95At950() {
    LatencyTracker tracker = tracker();
    for (int ms = 1000; ms >= 1; ms--) {
      tracker.record(ms * MS);
    }

    assertThat(tracker.count()).isEqualTo(1000);
    assertInBucketOf(tracker.percentileNanos(95.0), 950 * MS);
    assertInBucketOf(tracker.percentileNanos(50.0), 500 * MS);
    assertInBucketOf(tracker.percentileNanos(99.9), 999 * MS);
    assertInBucketOf(tracker.percentileNanos(100.0), 1000 * MS);
    assertInBucketOf(tracker.percentileNanos(0.0), MS);
  }

  @Test
  void bimodalTailLandsInTheSlowMode() {
    LatencyTracker tracker = tracker();
    for (int i = 0; i < 100; i++) {
      record(tracker, 9, 10 * MS);
      tracker.record(500 * MS);
    }

    assertInBucketOf(tracker.percentileNanos(95.0), 500 * MS);
    assertInBucketOf(tracker.percentileNanos(50.0), 10 * MS);
    // The nearest-rank boundary: the 900th of 1000 samples is the last fast one.
    assertInBucketOf(tracker.percentileNanos(90.0), 10 * MS);
    assertInBucketOf(tracker.percentileNanos(90.1), 500 * MS);
  }

  @Test
  void samplesExpireOnceTheWindowHasPassed() {
    LatencyTracker tracker = tracker();
    record(tracker, 30, 10 * MS);

    ticker.advance(Duration.ofSeconds(30).minusNanos(1));
    assertThat(tracker.count()).isEqualTo(30);
    assertInBucketOf(tracker.percentileNanos(50.0), 10 * MS);

    ticker.advanceNanos(1);
    assertThat(tracker.count()).isZero();
    assertThat(tracker.percentileNanos(50.0)).isEqualTo(-1);
  }

  @Test
  void slicesExpireOneByOneOldestFirst() {
    LatencyTracker tracker = tracker();
    // Slice i holds 25 samples of (i + 1) * 10 ms, so the minimum tells which slices are still live.
    for (int slice = 0; slice < 6; slice++) {
      record(tracker, 25, (slice + 1) * 10L * MS);
      ticker.advance(SLICE);
    }
    // Now 30 s in: slice 0 has just expired.
    for (int expired = 1; expired < 6; expired++) {
      assertThat(tracker.count()).as("after %d expired", expired).isEqualTo(25L * (6 - expired));
      assertInBucketOf(tracker.percentileNanos(0.0), (expired + 1) * 10L * MS);
      assertInBucketOf(tracker.percentileNanos(100.0), 60 * MS);
      ticker.advance(SLICE);
    }
    assertThat(tracker.count()).isZero();
  }

  @Test
  void aSampleCountsForAtLeastTheWindowLessOneSlice() {
    LatencyTracker tracker = tracker();
    ticker.advance(SLICE.minusNanos(1));
    record(tracker, 20, 10 * MS);

    ticker.advance(Duration.ofSeconds(25));
    assertThat(tracker.count()).isEqualTo(20);
    ticker.advanceNanos(1);
    assertThat(tracker.count()).isZero();
  }

  @Test
  void slicesAreReusedAfterLongIdlePeriods() {
    LatencyTracker tracker = tracker();
    record(tracker, 20, 10 * MS);
    ticker.advance(Duration.ofHours(3).plusMillis(1234));
    assertThat(tracker.count()).isZero();

    record(tracker, 20, 40 * MS);

    assertThat(tracker.count()).isEqualTo(20);
    assertInBucketOf(tracker.percentileNanos(0.0), 40 * MS);
  }

  @Test
  void slidesAcrossATickerThatWrapsAround() {
    FakeTicker wrapping = new FakeTicker(Long.MAX_VALUE - SLICE.toNanos() / 2);
    LatencyTracker tracker = LatencyTracker.builder().ticker(wrapping).build();
    record(tracker, 20, 10 * MS);
    wrapping.advance(SLICE);
    record(tracker, 20, 20 * MS);

    wrapping.advance(Duration.ofSeconds(25));
    assertThat(tracker.count()).isEqualTo(20);
    assertInBucketOf(tracker.percentileNanos(0.0), 20 * MS);
  }

  @Test
  void latenciesBeyondMaxTrackableAreClampedToIt() {
    LatencyTracker tracker = LatencyTracker.builder().ticker(ticker).maxTrackable(Duration.ofSeconds(1)).build();
    record(tracker, 10, 10 * MS);
    record(tracker, 5, 1000 * MS);
    record(tracker, 5, 5000 * MS);
    tracker.record(Long.MAX_VALUE);

    assertThat(tracker.count()).isEqualTo(21);
    assertThat(tracker.percentileNanos(100.0)).isEqualTo(1000 * MS);
    assertThat(tracker.percentileNanos(60.0)).isEqualTo(1000 * MS);
    assertInBucketOf(tracker.percentileNanos(40.0), 10 * MS);
  }

  @Test
  void zeroAndNegativeLatenciesCountAsZero() {
    LatencyTracker tracker = LatencyTracker.builder().ticker(ticker).minSamples(1).build();
    tracker.record(0);
    tracker.record(-5);
    tracker.record(Long.MIN_VALUE);

    assertThat(tracker.count()).isEqualTo(3);
    assertThat(tracker.percentileNanos(100.0)).isZero();
  }

  @Test
  void subMicrosecondLatenciesRoundUpToOneMicrosecond() {
    LatencyTracker tracker = LatencyTracker.builder().ticker(ticker).minSamples(1).build();
    tracker.record(1);

    assertThat(tracker.percentileNanos(50.0)).isEqualTo(1_000);
  }

  @Test
  void percentilesNeedMinSamples() {
    LatencyTracker tracker = tracker();
    record(tracker, 19, 10 * MS);
    assertThat(tracker.count()).isEqualTo(19);
    assertThat(tracker.percentileNanos(95.0)).isEqualTo(-1);
    assertThat(tracker.percentileNanosCached(95.0, 0)).isEqualTo(-1);

    tracker.record(10 * MS);
    assertInBucketOf(tracker.percentileNanos(95.0), 10 * MS);

    LatencyTracker eager = LatencyTracker.builder().ticker(ticker).minSamples(1).build();
    assertThat(eager.percentileNanos(95.0)).isEqualTo(-1);
    eager.record(10 * MS);
    assertInBucketOf(eager.percentileNanos(95.0), 10 * MS);
  }

  @Test
  void cachedPercentileIsRecomputedOnlyOnceItIsTooOld() {
    LatencyTracker tracker = tracker();
    record(tracker, 20, 10 * MS);
    long maxAge = 100 * MS;
    assertInBucketOf(tracker.percentileNanosCached(95.0, maxAge), 10 * MS);

    record(tracker, 80, 500 * MS);
    ticker.advanceNanos(maxAge - 1);
    assertInBucketOf(tracker.percentileNanosCached(95.0, maxAge), 10 * MS);
    assertInBucketOf(tracker.percentileNanos(95.0), 500 * MS);

    ticker.advanceNanos(1);
    assertInBucketOf(tracker.percentileNanosCached(95.0, maxAge), 500 * MS);
  }

  @Test
  void cachedPercentileIsPerPercentile() {
    LatencyTracker tracker = tracker();
    record(tracker, 90, 10 * MS);
    record(tracker, 10, 500 * MS);
    long maxAge = 100 * MS;

    assertInBucketOf(tracker.percentileNanosCached(95.0, maxAge), 500 * MS);
    assertInBucketOf(tracker.percentileNanosCached(50.0, maxAge), 10 * MS);
    assertInBucketOf(tracker.percentileNanosCached(95.0, maxAge), 500 * MS);
  }

  @Test
  void cachedColdAnswerIsKeptUntilItIsTooOld() {
    LatencyTracker tracker = tracker();
    long maxAge = 100 * MS;
    assertThat(tracker.percentileNanosCached(95.0, maxAge)).isEqualTo(-1);

    record(tracker, 20, 10 * MS);
    assertThat(tracker.percentileNanosCached(95.0, maxAge)).isEqualTo(-1);
    assertThat(tracker.percentileNanosCached(95.0, 0)).isPositive();

    ticker.advanceNanos(maxAge);
    assertInBucketOf(tracker.percentileNanosCached(95.0, maxAge), 10 * MS);
  }

  @Test
  void rejectsBadConfiguration() {
    assertThatIllegalArgumentException().isThrownBy(() -> LatencyTracker.builder().window(Duration.ofMillis(99)))
        .withMessage("window: PT0.099S (expected: PT0.1S <= window <= PT1H)");
    assertThatIllegalArgumentException().isThrownBy(() -> LatencyTracker.builder().window(Duration.ofHours(2)))
        .withMessage("window: PT2H (expected: PT0.1S <= window <= PT1H)");
    assertThatIllegalArgumentException().isThrownBy(() -> LatencyTracker.builder().slices(0))
        .withMessage("slices: 0 (expected: 1 <= slices <= 60)");
    assertThatIllegalArgumentException().isThrownBy(() -> LatencyTracker.builder().slices(61))
        .withMessage("slices: 61 (expected: 1 <= slices <= 60)");
    assertThatIllegalArgumentException().isThrownBy(() -> LatencyTracker.builder().maxTrackable(Duration.ZERO))
        .withMessage("maxTrackable: PT0S (expected: PT0.001S <= maxTrackable <= PT1H)");
    assertThatIllegalArgumentException().isThrownBy(() -> LatencyTracker.builder().minSamples(0))
        .withMessage("minSamples: 0 (expected: 1 <= minSamples <= 2147483647)");
    assertThatIllegalStateException().isThrownBy(() -> LatencyTracker.builder().slices(3).slices(4))
        .withMessage("slices was already set (expected: set once)");
    assertThatIllegalStateException()
        .isThrownBy(() -> LatencyTracker.builder().ticker(Ticker.system()).ticker(Ticker.system()))
        .withMessage("ticker was already set (expected: set once)");
  }

  @Test
  void rejectsBadQueries() {
    LatencyTracker tracker = tracker();

    assertThatIllegalArgumentException().isThrownBy(() -> tracker.percentileNanos(100.5))
        .withMessage("percentile: 100.5 (expected: 0.0 <= percentile <= 100.0)");
    assertThatIllegalArgumentException().isThrownBy(() -> tracker.percentileNanos(-1.0))
        .withMessage("percentile: -1.0 (expected: 0.0 <= percentile <= 100.0)");
    assertThatIllegalArgumentException().isThrownBy(() -> tracker.percentileNanos(Double.NaN))
        .withMessage("percentile: NaN (expected: 0.0 <= percentile <= 100.0)");
    assertThatIllegalArgumentException().isThrownBy(() -> tracker.percentileNanosCached(95.0, -1))
        .withMessage("maxAgeNanos: -1 (expected: >= 0)");
  }

  @Test
  void oneSliceIsATumblingWindow() {
    LatencyTracker tracker = LatencyTracker.builder().ticker(ticker).slices(1).window(Duration.ofSeconds(10))
        .minSamples(1).build();
    tracker.record(10 * MS);
    ticker.advance(Duration.ofSeconds(10).minusNanos(1));
    assertThat(tracker.count()).isEqualTo(1);
    ticker.advanceNanos(1);
    assertThat(tracker.count()).isZero();
  }
}
