package dev.blastwall.lab.report;

import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.ScenarioResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Charts of a scenario's sweeps: a figure that is a list of points, each with a numeric {@code utilization}, such as
 * the queueing scenario's {@code points}. Each is drawn against utilization with one line per {@code *_ms} field
 * (measured and theory alike), a panel per mode, on one log scale.
 */
final class SweepCharts {

  private static final String X = "utilization";
  private static final List<String> COLORS =
      List.of("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f");

  private SweepCharts() {}

  /** The SVG of every sweep figure of {@code result}, or nothing when it has none. */
  static String render(ScenarioResult result) {
    TreeSet<String> names = new TreeSet<>();
    result.modes().values().forEach(mode -> mode.figures().forEach((name, value) -> {
      if (!points(value).isEmpty()) {
        names.add(name);
      }
    }));
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      double xMax = 1;
      TreeSet<String> fields = new TreeSet<>();
      for (ModeResult mode : result.modes().values()) {
        for (Map<?, ?> point : points(mode.figures().get(name))) {
          xMax = Math.max(xMax, number(point.get(X)));
          point.forEach((key, value) -> {
            if (key.toString().endsWith("_ms") && value instanceof Number) {
              fields.add(key.toString());
            }
          });
        }
      }
      SvgChart chart = new SvgChart(name + ": latency against utilization", X, "ms (log scale)", true, xMax);
      result.modes().forEach((mode, modeResult) ->
          chart.panel(mode.label(), lines(points(modeResult.figures().get(name)), List.copyOf(fields))));
      out.append(chart.render());
    }
    return out.toString();
  }

  private static List<SvgChart.Series> lines(List<Map<?, ?>> points, List<String> fields) {
    List<Map<?, ?>> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.comparingDouble(point -> number(point.get(X))));
    List<Double> xs = sorted.stream().map(point -> number(point.get(X))).toList();
    List<SvgChart.Series> series = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      String field = fields.get(i);
      series.add(new SvgChart.Series(field, COLORS.get(i % COLORS.size()), xs,
          sorted.stream().map(point -> number(point.get(field))).toList()));
    }
    return series;
  }

  /** {@code value}'s points when it is a non-empty list of maps that all have a numeric utilization, else none. */
  private static List<Map<?, ?>> points(@Nullable Object value) {
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      return List.of();
    }
    List<Map<?, ?>> points = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof Map<?, ?> map) || !(map.get(X) instanceof Number)) {
        return List.of();
      }
      points.add(map);
    }
    return points;
  }

  private static double number(@Nullable Object value) {
    return value instanceof Number number ? number.doubleValue() : Double.NaN;
  }
}
