package dev.blastwall.lab.load;

import java.util.PrimitiveIterator;
import java.util.SplittableRandom;

/**
 * When an open-loop generator intends to send each request, as nanoseconds from the run start. The intended times
 * come from the schedule alone, never from when earlier responses arrived: latency is measured from them, which is
 * what keeps the measurement free of coordinated omission.
 *
 * <p>A schedule is an immutable description; each call to {@link #intendedTimes()} starts a fresh, independent
 * sequence (a seeded Poisson schedule repeats the same times each run). Implementations must be thread-safe; the
 * iterators they return need not be.
 */
@FunctionalInterface
public interface ArrivalSchedule {

  /**
   * A fresh, non-decreasing, usually endless sequence of intended send times in nanoseconds from the run start. It
   * ends only when no further arrival will ever come.
   */
  PrimitiveIterator.OfLong intendedTimes();

  /** Evenly spaced sends at {@code ratePerSecond}, the first at time zero. */
  static ArrivalSchedule constant(double ratePerSecond) {
    return evenly(RateProfile.constant(ratePerSecond));
  }

  /** Evenly spaced sends following {@code profile}: the first at time zero, then one per expected arrival. */
  static ArrivalSchedule evenly(RateProfile profile) {
    return () -> new ProfileArrivals(profile, null);
  }

  /**
   * A Poisson process at {@code ratePerSecond}: exponential gaps, so sends bunch and thin out as real users'
   * do. Seeded: the same seed gives the same times.
   */
  static ArrivalSchedule poisson(double ratePerSecond, long seed) {
    return poisson(RateProfile.constant(ratePerSecond), seed);
  }

  /** A non-homogeneous Poisson process following {@code profile}, seeded. */
  static ArrivalSchedule poisson(RateProfile profile, long seed) {
    return () -> new ProfileArrivals(profile, new SplittableRandom(seed));
  }
}
