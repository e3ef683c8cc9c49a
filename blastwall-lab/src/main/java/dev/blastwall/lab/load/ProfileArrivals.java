package dev.blastwall.lab.load;

import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Arrivals on a profile's "arrival clock" (expected arrivals so far): evenly at the integers, or Poisson with
 * unit-mean exponential gaps, each mapped back to real time. A changing rate then needs no special case. Not
 * thread-safe.
 */
final class ProfileArrivals implements PrimitiveIterator.OfLong {
  private final RateProfile profile;
  private final @Nullable SplittableRandom random;
  private long index;
  private double arrivals;

  ProfileArrivals(RateProfile profile, @Nullable SplittableRandom random) {
    this.profile = profile;
    this.random = random;
  }

  @Override
  public boolean hasNext() {
    // A profile always ends at its base rate, which is positive: there is always a next arrival.
    return true;
  }

  @Override
  public long nextLong() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    if (random == null) {
      // Computed from the index, not summed, so rounding never drifts over a long run.
      return profile.timeOfArrival((double) index++);
    }
    // 1 - u is in (0, 1]: the log is finite.
    arrivals += -Math.log(1.0 - random.nextDouble());
    return profile.timeOfArrival(arrivals);
  }
}
