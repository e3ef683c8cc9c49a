package dev.blastwall.hedge;

import static dev.blastwall.testkit.PropertyCheck.edgeOr;
import static dev.blastwall.testkit.PropertyCheck.forAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyBucketsTest {

  private static final long MAX_NANOS = TimeUnit.HOURS.toNanos(1);

  /** The upper bound, in nanoseconds, of the bucket that counts {@code nanos}. */
  private static long upperBoundNanos(long nanos) {
    return LatencyBuckets.upperUnits(LatencyBuckets.indexOf(LatencyBuckets.unitsOf(nanos)))
        * LatencyBuckets.UNIT_NANOS;
  }

  @Test
  void upperBoundIsNeverBelowTheValueAndAtMostTwoPercentPlusOneMicrosecondAbove() {
    forAll(random -> edgeOr(random, 0, MAX_NANOS, 0, 1, 999, 1_000, 1_001, 127_999, 128_000, 128_001, 129_001,
        MAX_NANOS), nanos -> {
          long upper = upperBoundNanos(nanos);
          assertThat(upper).isGreaterThanOrEqualTo(nanos);
          assertThat((double) upper).isLessThanOrEqualTo((double) nanos * 1.02 + 1_000);
          // The tighter bound the class documents.
          assertThat(upper - nanos).isLessThan(nanos / 64 + 1_000);
        });
  }

  @Test
  void valuesBelow128MicrosecondsAreExactToTheMicrosecond() {
    forAll(random -> edgeOr(random, 0, 127_000, 0, 1, 127_000), nanos -> {
      assertThat(upperBoundNanos(nanos)).isGreaterThanOrEqualTo(nanos).isLessThan(nanos + 1_000);
    });
  }

  @Test
  void bucketsTileTheRangeWithoutGapsOrOverlaps() {
    int count = LatencyBuckets.countFor(LatencyBuckets.unitsOf(MAX_NANOS));
    assertThat(LatencyBuckets.lowerUnits(0)).isZero();
    for (int index = 0; index < count; index++) {
      long lower = LatencyBuckets.lowerUnits(index);
      long upper = LatencyBuckets.upperUnits(index);
      assertThat(upper).as("bucket %d", index).isGreaterThanOrEqualTo(lower);
      assertThat(LatencyBuckets.indexOf(lower)).as("bucket %d", index).isEqualTo(index);
      assertThat(LatencyBuckets.indexOf(upper)).as("bucket %d", index).isEqualTo(index);
      if (index > 0) {
        assertThat(lower).as("bucket %d", index).isEqualTo(LatencyBuckets.upperUnits(index - 1) + 1);
      }
      // Width at most 1/64 of the lower bound, which is where the relative error bound comes from.
      assertThat((upper - lower) * 64).as("bucket %d", index).isLessThanOrEqualTo(lower);
    }
  }

  @Test
  void indexGrowsWithTheValue() {
    forAll(random -> {
      long a = edgeOr(random, 0, MAX_NANOS, 0, 1, MAX_NANOS);
      long b = edgeOr(random, 0, MAX_NANOS, 0, 1, MAX_NANOS);
      return new long[] {Math.min(a, b), Math.max(a, b)};
    }, pair -> assertThat(LatencyBuckets.indexOf(LatencyBuckets.unitsOf(pair[0])))
        .isLessThanOrEqualTo(LatencyBuckets.indexOf(LatencyBuckets.unitsOf(pair[1]))));
  }

  @Test
  void sixtySecondsNeedAboutThirteenHundredBuckets() {
    assertThat(LatencyBuckets.countFor(LatencyBuckets.unitsOf(TimeUnit.SECONDS.toNanos(60)))).isEqualTo(1331);
  }

  @Test
  void roundsUpToWholeMicrosecondsWithoutOverflow() {
    assertThat(LatencyBuckets.unitsOf(0)).isZero();
    assertThat(LatencyBuckets.unitsOf(1)).isEqualTo(1);
    assertThat(LatencyBuckets.unitsOf(1_000)).isEqualTo(1);
    assertThat(LatencyBuckets.unitsOf(1_001)).isEqualTo(2);
    assertThat(LatencyBuckets.unitsOf(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE / 1_000 + 1);
  }
}
