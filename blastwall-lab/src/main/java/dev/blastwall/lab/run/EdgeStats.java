package dev.blastwall.lab.run;

import java.time.Duration;
import java.util.List;

/**
 * What one caller saw of one callee over the measured run: the latency of every call from the caller's decision to
 * call to its answer (waiting for a pool thread or a bulkhead, retries and hedges included), overall (from merged
 * HdrHistograms) and per second. Calls that ended before the measured run (in the warm-up) are left out.
 *
 * @param caller the calling service
 * @param callee the called service
 * @param calls calls that ended during the measured run (and its drain)
 * @param failed those of them that failed
 * @param p50Ms median latency, NaN without calls
 * @param p99Ms 99th percentile latency, NaN without calls
 * @param p999Ms 99.9th percentile latency, NaN without calls
 * @param maxMs the slowest call, NaN without calls
 * @param series one point per second of the measured run
 * @param histograms the per-second histograms behind the series, for percentiles over a window
 */
public record EdgeStats(
    String caller,
    String callee,
    long calls,
    long failed,
    double p50Ms,
    double p99Ms,
    double p999Ms,
    double maxMs,
    List<EdgePoint> series,
    EdgeHistograms histograms) {

  /** Copies the series. */
  public EdgeStats {
    series = List.copyOf(series);
  }

  /** Edge figures without per-second histograms (windowed percentiles are then NaN). */
  public EdgeStats(String caller, String callee, long calls, long failed, double p50Ms, double p99Ms, double p999Ms,
      double maxMs, List<EdgePoint> series) {
    this(caller, callee, calls, failed, p50Ms, p99Ms, p999Ms, maxMs, series, EdgeHistograms.empty());
  }

  /** The 99th percentile of the calls that ended in seconds {@code [from, to)} of the run, NaN without calls. */
  public double p99Ms(Duration from, Duration to) {
    return histograms.percentileMs(from, to, 99);
  }

  /** The edge's name in {@link ModeRun#edges()}: {@code caller->callee}. */
  public static String name(String caller, String callee) {
    return caller + "->" + callee;
  }

  /** The failed share of the calls, NaN without calls. */
  public double failureRate() {
    return calls == 0 ? Double.NaN : (double) failed / calls;
  }
}
