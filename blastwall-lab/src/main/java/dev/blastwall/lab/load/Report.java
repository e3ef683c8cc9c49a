package dev.blastwall.lab.load;

import dev.blastwall.lab.internal.JsonText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The measurements of one run: a series of per-interval figures, and figures for the whole run or any window of
 * it, each obtained by merging interval histograms (never by averaging percentiles). Immutable and thread-safe.
 */
public final class Report {

  private final long runNanos;
  private final List<IntervalStats> series;
  private final IntervalStats overall;

  Report(long runNanos, List<IntervalStats> series) {
    this.runNanos = runNanos;
    this.series = List.copyOf(series);
    this.overall = IntervalStats.merge(0, runNanos, this.series);
  }

  /** The whole run. */
  public IntervalStats overall() {
    return overall;
  }

  /** Per-interval figures, in time order. */
  public List<IntervalStats> series() {
    return series;
  }

  /**
   * The intervals that start in {@code [from, to)} (a fault window, say), merged. Windows align to interval
   * boundaries: choose them on whole intervals for exact figures.
   *
   * @throws IllegalArgumentException if {@code to} is before {@code from}
   */
  public IntervalStats window(Duration from, Duration to) {
    long fromNanos = from.toNanos();
    long toNanos = to.toNanos();
    if (toNanos < fromNanos) {
      throw new IllegalArgumentException("to: " + to + " (expected: >= from, " + from + ")");
    }
    List<IntervalStats> inside = new ArrayList<>();
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    for (IntervalStats interval : series) {
      if (interval.startNanos() >= fromNanos && interval.startNanos() < toNanos) {
        inside.add(interval);
        start = Math.min(start, interval.startNanos());
        end = Math.max(end, interval.endNanos());
      }
    }
    if (inside.isEmpty()) {
      long at = Math.max(0, Math.min(fromNanos, runNanos));
      return IntervalStats.merge(at, at, inside);
    }
    return IntervalStats.merge(start, end, inside);
  }

  /**
   * The whole run as a small JSON object: {@code user_requests}, {@code success_rate}, {@code goodput_rps},
   * {@code degraded_rate}, {@code p50_ms}, {@code p90_ms}, {@code p99_ms}, {@code p999_ms}, {@code max_ms},
   * {@code missed}, and {@code series}, one point per interval ({@code t_s}, {@code offered_rps},
   * {@code user_requests}, {@code success_rate}, {@code goodput_rps}, {@code p50_ms}, {@code p99_ms},
   * {@code max_ms}, {@code missed}). Figures with nothing to measure are {@code null}.
   */
  public String toJson() {
    Map<String, Object> root = overall.summary();
    root.put("series", series.stream().map(IntervalStats::point).toList());
    return JsonText.write(root);
  }

  @Override
  public String toString() {
    return "Report" + toJson();
  }
}
