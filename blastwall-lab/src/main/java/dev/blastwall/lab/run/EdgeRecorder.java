package dev.blastwall.lab.run;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records one edge's call latencies from any thread, lock-free (HdrHistogram's {@link Recorder}); the sampler takes
 * one interval per second, and the intervals merge into the overall histogram, never averaged.
 */
final class EdgeRecorder {

  private static final int SIGNIFICANT_DIGITS = 3;
  private static final double NANOS_PER_MILLI = 1e6;

  final String caller;
  final String callee;
  private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
  private final LongAdder failed = new LongAdder();
  // Used by the sampler's thread only, under its lock.
  private final Histogram overall = new Histogram(SIGNIFICANT_DIGITS);
  private final List<EdgePoint> series = new ArrayList<>();
  private final List<Histogram> seconds = new ArrayList<>();
  private long failedTotal;
  private boolean measuring;

  EdgeRecorder(String caller, String callee) {
    this.caller = caller;
    this.callee = callee;
  }

  /** One call ended after {@code nanos}. */
  void record(long nanos, boolean ok) {
    recorder.recordValue(Math.max(0, nanos));
    if (!ok) {
      failed.increment();
    }
  }

  /** Forgets what was recorded so far (the warm-up): the measured run starts now. */
  void baseline() {
    recorder.getIntervalHistogram();
    failed.sumThenReset();
    measuring = true;
  }

  /** Takes what was recorded since the last sample as second {@code second}. */
  void sample(int second) {
    Histogram interval = recorder.getIntervalHistogram();
    long failures = failed.sumThenReset();
    if (!measuring) {
      return;
    }
    overall.add(interval);
    // The interval is a fresh histogram the recorder never touches again: kept as is for windowed percentiles.
    seconds.add(interval);
    failedTotal += failures;
    series.add(new EdgePoint(second, interval.getTotalCount(), failures, millis(interval, 50), millis(interval, 99),
        max(interval)));
  }

  EdgeStats stats() {
    return new EdgeStats(caller, callee, overall.getTotalCount(), failedTotal, millis(overall, 50),
        millis(overall, 99), millis(overall, 99.9), max(overall), series, new EdgeHistograms(seconds));
  }

  private static double millis(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? Double.NaN
        : histogram.getValueAtPercentile(percentile) / NANOS_PER_MILLI;
  }

  private static double max(Histogram histogram) {
    return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getMaxValue() / NANOS_PER_MILLI;
  }
}
