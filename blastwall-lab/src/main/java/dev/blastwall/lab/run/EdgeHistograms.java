package dev.blastwall.lab.run;

import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * One edge's per-second latency histograms, so that a scenario can read a percentile over any window of whole
 * seconds (a baseline, a fault window) from the merged histograms, never from averaged per-second percentiles.
 * Immutable: the histograms are the sampler's interval histograms, never written again once taken.
 */
public final class EdgeHistograms {

  private static final int SIGNIFICANT_DIGITS = 3;
  private static final double NANOS_PER_MILLI = 1e6;

  private final List<Histogram> seconds;

  EdgeHistograms(List<Histogram> seconds) {
    this.seconds = List.copyOf(seconds);
  }

  /** No histograms: every window is empty. */
  static EdgeHistograms empty() {
    return new EdgeHistograms(List.of());
  }

  /** Calls that ended in the seconds {@code [from, to)} of the run. */
  public long calls(Duration from, Duration to) {
    return merged(from, to).getTotalCount();
  }

  /** The {@code percentile} (0 to 100) of the calls that ended in seconds {@code [from, to)}, NaN without calls. */
  public double percentileMs(Duration from, Duration to, double percentile) {
    Histogram merged = merged(from, to);
    return merged.getTotalCount() == 0 ? Double.NaN
        : merged.getValueAtPercentile(percentile) / NANOS_PER_MILLI;
  }

  private Histogram merged(Duration from, Duration to) {
    Histogram merged = new Histogram(SIGNIFICANT_DIGITS);
    int end = (int) Math.min(seconds.size(), Math.ceil(to.toNanos() / 1e9));
    for (int second = (int) Math.max(0, from.toSeconds()); second < end; second++) {
      merged.add(seconds.get(second));
    }
    return merged;
  }
}
