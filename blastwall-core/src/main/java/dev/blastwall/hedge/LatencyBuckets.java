package dev.blastwall.hedge;

/**
 * The log-linear bucket layout of {@link LatencyTracker}: values are counted in whole microseconds, exactly below
 * 128 &micro;s, and above that in 64 equal-width sub-buckets per power of two.
 *
 * <p>Each bucket's width is at most 1/64 of its lower bound, so reporting a bucket's upper bound overestimates the
 * true value by less than {@code value / 64 + 1 µs} (about 1.6%, the {@code 1 µs} coming from rounding up to
 * whole microseconds) and never underestimates it. A 60 s range needs 1,331 buckets; the index is a few shifts,
 * so mapping a value costs no more than the atomic increment that counts it.
 */
final class LatencyBuckets {

  /** Nanoseconds per counting unit; finer resolution is noise for network latencies. */
  static final long UNIT_NANOS = 1_000;

  /** log2 of the sub-buckets per power of two: 64 gives the 1/64 relative error bound. */
  static final int SUB_BUCKET_BITS = 6;

  /** Below this many units every unit has its own bucket, so the layout is exact there. */
  static final long EXACT_UNITS = 2L << SUB_BUCKET_BITS;

  private LatencyBuckets() {}

  /** Whole units needed to cover {@code nanos >= 0}, rounded up so an upper bound never falls below the value. */
  static long unitsOf(long nanos) {
    // Written as quotient plus remainder check because nanos + 999 could overflow near Long.MAX_VALUE.
    long units = nanos / UNIT_NANOS;
    return nanos % UNIT_NANOS == 0 ? units : units + 1;
  }

  /** The bucket counting {@code units >= 0}. */
  static int indexOf(long units) {
    // The shift drops all but the top SUB_BUCKET_BITS + 1 significant bits; the bucket is that shift's "decade"
    // plus the kept bits. For small values the shift is 0 and the index is the value itself.
    int shift = Math.max(0, Long.SIZE - 1 - Long.numberOfLeadingZeros(units) - SUB_BUCKET_BITS);
    return (shift << SUB_BUCKET_BITS) + (int) (units >>> shift);
  }

  /** The smallest unit value counted in bucket {@code index}. */
  static long lowerUnits(int index) {
    if (index < EXACT_UNITS) {
      return index;
    }
    int shift = (index >>> SUB_BUCKET_BITS) - 1;
    return (long) (index - (shift << SUB_BUCKET_BITS)) << shift;
  }

  /** The largest unit value counted in bucket {@code index}. */
  static long upperUnits(int index) {
    if (index < EXACT_UNITS) {
      return index;
    }
    int shift = (index >>> SUB_BUCKET_BITS) - 1;
    return ((long) (index - (shift << SUB_BUCKET_BITS) + 1) << shift) - 1;
  }

  /** How many buckets cover {@code 0..maxUnits}. */
  static int countFor(long maxUnits) {
    return indexOf(maxUnits) + 1;
  }
}
