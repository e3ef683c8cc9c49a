package dev.blastwall.lab.topology;

import dev.blastwall.lab.internal.Args;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * How long a service works on one request. The lab spends this time waiting (a worker sleeps), not computing, so a
 * run measures the architecture rather than the CPU of the machine it runs on.
 */
public sealed interface ServiceTime
    permits ServiceTime.Fixed, ServiceTime.Exponential, ServiceTime.LogNormal, ServiceTime.SlowTail {

  /** One draw, in nanoseconds, never negative. */
  long sampleNanos(SplittableRandom random);

  /** The mean of the distribution in nanoseconds, for the report's theoretical figures. */
  double meanNanos();

  /** Always {@code value}. */
  static ServiceTime fixed(Duration value) {
    return new Fixed(value);
  }

  /** Exponentially distributed with the given mean (an M/M/c server). */
  static ServiceTime exponential(Duration mean) {
    return new Exponential(mean);
  }

  /** Log-normal with the given median and 99th percentile: a typical long-tailed service. */
  static ServiceTime logNormal(Duration p50, Duration p99) {
    return new LogNormal(p50, p99);
  }

  /** {@code base}, except that with probability {@code probability} a request takes {@code slow} instead. */
  static ServiceTime slowTail(ServiceTime base, double probability, Duration slow) {
    return new SlowTail(base, probability, slow);
  }

  /** See {@link ServiceTime#fixed}. */
  record Fixed(Duration value) implements ServiceTime {
    /** Checks the value is not negative. */
    public Fixed {
      Args.notNegative("value", value);
    }

    @Override
    public long sampleNanos(SplittableRandom random) {
      return value.toNanos();
    }

    @Override
    public double meanNanos() {
      return value.toNanos();
    }

    @Override
    public String toString() {
      return "fixed " + Durations.text(value);
    }
  }

  /** See {@link ServiceTime#exponential}. */
  record Exponential(Duration mean) implements ServiceTime {
    /** Checks the mean is positive. */
    public Exponential {
      Args.positive("mean", mean);
    }

    @Override
    public long sampleNanos(SplittableRandom random) {
      // 1 - nextDouble() lies in (0, 1], so the logarithm is finite.
      return (long) (-Math.log(1.0 - random.nextDouble()) * mean.toNanos());
    }

    @Override
    public double meanNanos() {
      return mean.toNanos();
    }

    @Override
    public String toString() {
      return "exponential mean " + Durations.text(mean);
    }
  }

  /** See {@link ServiceTime#logNormal}. */
  record LogNormal(Duration p50, Duration p99) implements ServiceTime {
    /** The standard normal's 99th percentile. */
    private static final double Z99 = 2.3263478740;

    /** Checks {@code 0 < p50 <= p99}. */
    public LogNormal {
      Args.positive("p50", p50);
      if (p99.compareTo(p50) < 0) {
        throw Args.invalid("p99", p99, "at least p50 " + p50);
      }
    }

    private double sigma() {
      return Math.log((double) p99.toNanos() / p50.toNanos()) / Z99;
    }

    @Override
    public long sampleNanos(SplittableRandom random) {
      double gaussian = gaussian(random);
      return (long) (p50.toNanos() * Math.exp(sigma() * gaussian));
    }

    @Override
    public double meanNanos() {
      double sigma = sigma();
      return p50.toNanos() * Math.exp(sigma * sigma / 2);
    }

    // Box-Muller; SplittableRandom has no nextGaussian of its own before Java 17's RandomGenerator default, which
    // is fine too, but this keeps draws identical across JDKs.
    private static double gaussian(SplittableRandom random) {
      double u1 = 1.0 - random.nextDouble();
      double u2 = random.nextDouble();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    @Override
    public String toString() {
      return "lognormal p50 " + Durations.text(p50) + " p99 " + Durations.text(p99);
    }
  }

  /** See {@link ServiceTime#slowTail}. */
  record SlowTail(ServiceTime base, double probability, Duration slow) implements ServiceTime {
    /** Checks the probability is in [0, 1] and the slow time not negative. */
    public SlowTail {
      Args.inRange("probability", probability, 0, 1);
      Args.notNegative("slow", slow);
    }

    @Override
    public long sampleNanos(SplittableRandom random) {
      return random.nextDouble() < probability ? slow.toNanos() : base.sampleNanos(random);
    }

    @Override
    public double meanNanos() {
      return probability * slow.toNanos() + (1 - probability) * base.meanNanos();
    }

    @Override
    public String toString() {
      return base + ", " + (probability * 100) + "% take " + Durations.text(slow);
    }
  }
}
