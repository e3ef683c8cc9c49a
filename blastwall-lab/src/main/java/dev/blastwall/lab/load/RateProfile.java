package dev.blastwall.lab.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A request rate that changes over a run: a base rate and a sequence of steps, each a multiple of the base for a
 * while (0.5x for 10 s, then 2x for 10 s, then 4x for 2 s ...). A spike is a short step. After the last step the
 * rate returns to the base. Immutable and thread-safe; the builder is not thread-safe.
 */
public final class RateProfile {

  private static final double NANOS_PER_SECOND = 1e9;

  private final double baseRatePerSecond;
  // Parallel arrays, one entry per step: start and end (ns from the run start), rate, expected arrivals before it.
  private final long[] starts;
  private final long[] ends;
  private final double[] ratesPerSecond;
  private final double[] cumulativeAtStart;
  private final double cumulativeAtEnd;

  private RateProfile(double baseRatePerSecond, List<long[]> spans, List<Double> multipliers) {
    this.baseRatePerSecond = baseRatePerSecond;
    int n = spans.size();
    starts = new long[n];
    ends = new long[n];
    ratesPerSecond = new double[n];
    cumulativeAtStart = new double[n];
    double cumulative = 0;
    for (int i = 0; i < n; i++) {
      starts[i] = spans.get(i)[0];
      ends[i] = spans.get(i)[1];
      ratesPerSecond[i] = baseRatePerSecond * multipliers.get(i);
      cumulativeAtStart[i] = cumulative;
      cumulative += ratesPerSecond[i] * (ends[i] - starts[i]) / NANOS_PER_SECOND;
    }
    cumulativeAtEnd = cumulative;
  }

  /** A constant rate. */
  public static RateProfile constant(double ratePerSecond) {
    return builder(ratePerSecond).build();
  }

  /**
   * A builder starting from {@code baseRatePerSecond}.
   *
   * @throws IllegalArgumentException if the rate is not finite and positive
   */
  public static Builder builder(double baseRatePerSecond) {
    return new Builder(positive("baseRatePerSecond", baseRatePerSecond));
  }

  /** The base rate, which applies after the last step. */
  public double baseRatePerSecond() {
    return baseRatePerSecond;
  }

  /** The rate in requests per second at {@code nanosFromStart}. */
  public double ratePerSecondAt(long nanosFromStart) {
    for (int i = 0; i < starts.length; i++) {
      if (nanosFromStart >= starts[i] && nanosFromStart < ends[i]) {
        return ratesPerSecond[i];
      }
    }
    return baseRatePerSecond;
  }

  /** The expected number of arrivals in {@code [0, nanosFromStart)}: the integral of the rate. */
  public double expectedArrivals(long nanosFromStart) {
    for (int i = 0; i < starts.length; i++) {
      if (nanosFromStart < ends[i]) {
        return cumulativeAtStart[i] + ratesPerSecond[i] * (nanosFromStart - starts[i]) / NANOS_PER_SECOND;
      }
    }
    long tail = starts.length == 0 ? 0 : ends[ends.length - 1];
    return cumulativeAtEnd + baseRatePerSecond / NANOS_PER_SECOND * (nanosFromStart - tail);
  }

  /**
   * The time (ns from the start) at which the expected number of arrivals reaches {@code arrivals}: the inverse of
   * {@link #expectedArrivals}. Arrival processes run on this "arrival clock" so a changing rate needs no special
   * case: n evenly spaced or Poisson points on it map to the right local rate in real time.
   */
  long timeOfArrival(double arrivals) {
    for (int i = 0; i < starts.length; i++) {
      double atEnd = cumulativeAtStart[i] + ratesPerSecond[i] * (ends[i] - starts[i]) / NANOS_PER_SECOND;
      if (arrivals < atEnd) {
        // ratesPerSecond[i] > 0 here: a zero-rate step adds nothing, so atEnd == cumulativeAtStart <= arrivals.
        // Rounded, not truncated: 3 arrivals at 100/s must land on 30 ms exactly despite binary fractions.
        return starts[i] + Math.round((arrivals - cumulativeAtStart[i]) * NANOS_PER_SECOND / ratesPerSecond[i]);
      }
    }
    long tail = starts.length == 0 ? 0 : ends[ends.length - 1];
    return tail + Math.round((arrivals - cumulativeAtEnd) * NANOS_PER_SECOND / baseRatePerSecond);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("RateProfile[base=").append(baseRatePerSecond).append("/s");
    for (int i = 0; i < starts.length; i++) {
      text.append(", ").append(ratesPerSecond[i]).append("/s for ")
          .append(Duration.ofNanos(ends[i] - starts[i]));
    }
    return text.append(']').toString();
  }

  private static double positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: finite and > 0)");
    }
    return value;
  }

  /** Builds a {@link RateProfile}; not thread-safe. */
  public static final class Builder {
    private final double base;
    private final List<long[]> spans = new ArrayList<>();
    private final List<Double> multipliers = new ArrayList<>();
    private long end;

    private Builder(double base) {
      this.base = base;
    }

    /**
     * Adds a step: {@code multiplier} times the base rate for {@code duration}, after the previous step.
     *
     * @throws IllegalArgumentException if the duration is not positive or the multiplier is negative or not finite
     */
    public Builder step(Duration duration, double multiplier) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
      }
      if (!(multiplier >= 0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier: " + multiplier + " (expected: finite and >= 0)");
      }
      long next = Math.addExact(end, duration.toNanos());
      spans.add(new long[] {end, next});
      multipliers.add(multiplier);
      end = next;
      return this;
    }

    /** Adds a short burst: the same as {@link #step}, named for readability (2 s at 4x, say). */
    public Builder spike(Duration duration, double multiplier) {
      return step(duration, multiplier);
    }

    /** Returns the profile; the builder may be reused. */
    public RateProfile build() {
      return new RateProfile(base, List.copyOf(spans), List.copyOf(multipliers));
    }
  }
}
