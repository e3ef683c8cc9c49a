package dev.blastwall.lab.report;

import dev.blastwall.lab.scenario.SeriesPoint;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * What one chart of a scenario page plots: its title, y label and scale, and the lines drawn from each second's
 * point.
 *
 * @param title the chart's title
 * @param yLabel the y axis's label, with its unit
 * @param log whether y is on a log scale
 * @param slo whether the user SLO is drawn as a reference line
 * @param lines the lines, each from a field of the series points
 */
record ChartSpec(String title, String yLabel, boolean log, boolean slo, List<Line> lines) {

  /** One line: its legend name, colour, and the field it plots. */
  record Line(String name, String color, ToDoubleFunction<SeriesPoint> value) {}

  ChartSpec {
    lines = List.copyOf(lines);
  }

  /** The charts every scenario page shows, in order. */
  static final List<ChartSpec> STANDARD = List.of(
      new ChartSpec("User latency", "ms (log scale)", true, true, List.of(
          new Line("p50", "#1f77b4", SeriesPoint::p50Ms),
          new Line("p99", "#ff7f0e", SeriesPoint::p99Ms),
          new Line("p99.9", "#d62728", SeriesPoint::p999Ms))),
      new ChartSpec("Offered load and goodput", "requests per second", false, false, List.of(
          new Line("offered", "#8c8c8c", SeriesPoint::offeredRps),
          new Line("achieved", "#1f77b4", SeriesPoint::achievedRps),
          new Line("goodput", "#2ca02c", SeriesPoint::goodputRps))),
      new ChartSpec("Amplification", "backend requests per user request", false, false, List.of(
          new Line("amplification", "#9467bd", SeriesPoint::amplification))),
      new ChartSpec("User requests in flight", "requests", false, false, List.of(
          new Line("in flight", "#8c564b", SeriesPoint::inflight))),
      new ChartSpec("Retries, hedges, shedding, open breakers", "per second / breakers", false, false, List.of(
          new Line("retries", "#ff7f0e", point -> point.retries()),
          new Line("hedges", "#17becf", point -> point.hedges()),
          new Line("shed", "#d62728", point -> point.shed()),
          new Line("open breakers", "#555555", SeriesPoint::openBreakers))));
}
