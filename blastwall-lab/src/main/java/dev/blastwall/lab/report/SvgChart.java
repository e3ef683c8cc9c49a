package dev.blastwall.lab.report;

import dev.blastwall.lab.scenario.Numbers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One chart over time as inline SVG: panels side by side (one per mode) sharing one y scale so they compare, lines per
 * series (gaps where a value is missing), shaded windows with their label, optional horizontal reference lines, axes
 * with ticks and a legend. The y scale is linear from zero, or logarithmic by decades. Not thread-safe.
 */
final class SvgChart {

  /**
   * One line of a panel: {@code ys.get(i)} at {@code xs.get(i)}; non-finite values (and non-positive ones on a log
   * scale) are gaps.
   */
  record Series(String name, String color, List<Double> xs, List<Double> ys) {

    Series {
      xs = List.copyOf(xs);
      ys = List.copyOf(ys);
    }
  }

  private record Panel(String title, List<Series> series) {}

  private record Shade(double from, double to, String label) {}

  private record Reference(String name, double y) {}

  static final int WIDTH = 1160;
  static final int HEIGHT = 300;
  private static final int LEFT = 62;
  private static final int RIGHT = 14;
  private static final int TOP = 66;
  private static final int BOTTOM = 44;
  private static final String REFERENCE_COLOR = "#555";

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final boolean log;
  private final double xMax;
  private final List<Panel> panels = new ArrayList<>();
  private final List<Shade> shades = new ArrayList<>();
  private final List<Reference> references = new ArrayList<>();

  /**
   * A chart over time titled {@code title}, x from 0 to {@code xMax} seconds, y labelled {@code yLabel}.
   *
   * @param log whether y is on a log scale
   */
  SvgChart(String title, String yLabel, boolean log, double xMax) {
    this(title, "seconds", yLabel, log, xMax);
  }

  /** A chart of anything against x from 0 to {@code xMax}, labelled {@code xLabel}. */
  SvgChart(String title, String xLabel, String yLabel, boolean log, double xMax) {
    if (!(xMax > 0)) {
      throw new IllegalArgumentException("xMax: " + xMax + " (expected: a positive number)");
    }
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.log = log;
    this.xMax = xMax;
  }

  SvgChart panel(String panelTitle, List<Series> series) {
    panels.add(new Panel(panelTitle, List.copyOf(series)));
    return this;
  }

  SvgChart shade(double from, double to, String label) {
    shades.add(new Shade(from, to, label));
    return this;
  }

  SvgChart reference(String name, double y) {
    references.add(new Reference(name, y));
    return this;
  }

  String render() {
    if (panels.isEmpty()) {
      throw new IllegalStateException("panels: none (expected: at least one panel)");
    }
    Scale scale = log ? Scale.logOf(values()) : Scale.linearOf(values());
    StringBuilder out = new StringBuilder();
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
        .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"").append(Html.escape(title)).append("\">\n");
    out.append("<text x=\"4\" y=\"18\" font-size=\"15\" font-weight=\"600\">").append(Html.escape(title))
        .append("</text>\n");
    legend(out);
    int panelWidth = WIDTH / panels.size();
    for (int i = 0; i < panels.size(); i++) {
      panel(out, panels.get(i), scale, i * panelWidth + LEFT, (i + 1) * panelWidth - RIGHT);
    }
    out.append("</svg>\n");
    return out.toString();
  }

  private List<Double> values() {
    List<Double> values = new ArrayList<>();
    for (Panel panel : panels) {
      for (Series series : panel.series()) {
        values.addAll(series.ys());
      }
    }
    references.forEach(reference -> values.add(reference.y()));
    return values;
  }

  private void legend(StringBuilder out) {
    // Every panel draws the same series, so the legend lists each name once.
    Map<String, String> entries = new LinkedHashMap<>();
    panels.forEach(panel -> panel.series().forEach(series -> entries.putIfAbsent(series.name(), series.color())));
    double x = 4;
    for (Map.Entry<String, String> entry : entries.entrySet()) {
      x = legendEntry(out, x, entry.getKey(), entry.getValue(), "");
    }
    for (Reference reference : references) {
      x = legendEntry(out, x, reference.name(), REFERENCE_COLOR, " stroke-dasharray=\"5 4\"");
    }
  }

  private static double legendEntry(StringBuilder out, double x, String name, String color, String dash) {
    out.append("<line x1=\"").append(f(x)).append("\" y1=\"36\" x2=\"").append(f(x + 22))
        .append("\" y2=\"36\" stroke=\"").append(color).append("\" stroke-width=\"2.5\"").append(dash).append("/>");
    out.append("<text x=\"").append(f(x + 27)).append("\" y=\"40\" font-size=\"12\">").append(Html.escape(name))
        .append("</text>\n");
    return x + 45 + name.length() * 7;
  }

  private void panel(StringBuilder out, Panel panel, Scale scale, int x0, int x1) {
    int y0 = TOP;
    int y1 = HEIGHT - BOTTOM;
    Frame frame = new Frame(x0, x1, y0, y1, xMax, scale);
    out.append("<g>\n<text x=\"").append(x0).append("\" y=\"").append(y0 - 8)
        .append("\" font-size=\"13\" font-weight=\"600\">").append(Html.escape(panel.title())).append("</text>\n");
    for (Shade shade : shades) {
      double from = frame.x(Math.max(0, shade.from()));
      double to = frame.x(Math.min(xMax, shade.to()));
      out.append("<rect class=\"fault\" x=\"").append(f(from)).append("\" y=\"").append(y0).append("\" width=\"")
          .append(f(Math.max(0, to - from))).append("\" height=\"").append(y1 - y0)
          .append("\" fill=\"#f9d6d5\" fill-opacity=\"0.7\"><title>").append(Html.escape(shade.label()))
          .append("</title></rect>\n");
      int room = (int) ((to - from - 6) / 6.2);
      String label = shade.label().length() <= room ? shade.label()
          : room > 3 ? shade.label().substring(0, room - 3) + "..." : "";
      out.append("<text x=\"").append(f(from + 4)).append("\" y=\"").append(y0 + 13)
          .append("\" font-size=\"11\" fill=\"#8e2b27\">").append(Html.escape(label)).append("</text>\n");
    }
    axes(out, frame);
    for (Reference reference : references) {
      double y = frame.y(reference.y());
      out.append("<line x1=\"").append(x0).append("\" y1=\"").append(f(y)).append("\" x2=\"").append(x1)
          .append("\" y2=\"").append(f(y)).append("\" stroke=\"").append(REFERENCE_COLOR)
          .append("\" stroke-dasharray=\"5 4\"><title>").append(Html.escape(reference.name()))
          .append("</title></line>\n");
    }
    for (Series series : panel.series()) {
      out.append("<path fill=\"none\" stroke=\"").append(series.color()).append("\" stroke-width=\"1.7\" d=\"")
          .append(path(series, frame)).append("\"><title>").append(Html.escape(series.name()))
          .append("</title></path>\n");
    }
    out.append("</g>\n");
  }

  private void axes(StringBuilder out, Frame frame) {
    out.append("<g font-size=\"11\" fill=\"#444\">\n");
    for (double tick : frame.scale().ticks()) {
      double y = frame.y(tick);
      out.append("<line x1=\"").append(frame.x0()).append("\" y1=\"").append(f(y)).append("\" x2=\"")
          .append(frame.x1()).append("\" y2=\"").append(f(y)).append("\" stroke=\"#e4e4e4\"/>");
      out.append("<text x=\"").append(frame.x0() - 6).append("\" y=\"").append(f(y + 4))
          .append("\" text-anchor=\"end\">").append(tickLabel(tick)).append("</text>\n");
    }
    double step = Scale.niceStep(xMax / 8);
    for (double tick = 0; tick <= xMax + 1e-9; tick += step) {
      double x = frame.x(tick);
      out.append("<line x1=\"").append(f(x)).append("\" y1=\"").append(frame.y1()).append("\" x2=\"").append(f(x))
          .append("\" y2=\"").append(frame.y1() + 5).append("\" stroke=\"#444\"/>");
      out.append("<text x=\"").append(f(x)).append("\" y=\"").append(frame.y1() + 17)
          .append("\" text-anchor=\"middle\">").append(tickLabel(tick)).append("</text>\n");
    }
    out.append("<line x1=\"").append(frame.x0()).append("\" y1=\"").append(frame.y1()).append("\" x2=\"")
        .append(frame.x1()).append("\" y2=\"").append(frame.y1()).append("\" stroke=\"#444\"/>");
    out.append("<line x1=\"").append(frame.x0()).append("\" y1=\"").append(frame.y0()).append("\" x2=\"")
        .append(frame.x0()).append("\" y2=\"").append(frame.y1()).append("\" stroke=\"#444\"/>\n");
    out.append("<text x=\"").append((frame.x0() + frame.x1()) / 2).append("\" y=\"").append(frame.y1() + 34)
        .append("\" text-anchor=\"middle\">").append(Html.escape(xLabel)).append("</text>\n");
    int middle = (frame.y0() + frame.y1()) / 2;
    out.append("<text transform=\"translate(").append(frame.x0() - 46).append(' ').append(middle)
        .append(") rotate(-90)\" text-anchor=\"middle\">").append(Html.escape(yLabel)).append("</text>\n</g>\n");
  }

  private static String path(Series series, Frame frame) {
    StringBuilder d = new StringBuilder();
    boolean drawing = false;
    int points = Math.min(series.xs().size(), series.ys().size());
    for (int i = 0; i < points; i++) {
      double y = series.ys().get(i);
      if (!frame.scale().plottable(y)) {
        drawing = false;
        continue;
      }
      d.append(drawing ? " L" : (d.isEmpty() ? "M" : " M")).append(f(frame.x(series.xs().get(i)))).append(' ')
          .append(f(frame.y(y)));
      drawing = true;
    }
    return d.toString();
  }

  /** A tick value short enough for an axis: {@code 250}, {@code 1.5k}, {@code 10k}. */
  static String tickLabel(double value) {
    return Math.abs(value) >= 1000 ? Numbers.text(value / 1000) + "k" : Numbers.text(value);
  }

  private static String f(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  /** Where a panel's plot area is, and how values map into it. */
  private record Frame(int x0, int x1, int y0, int y1, double xMax, Scale scale) {

    double x(double value) {
      return x0 + (x1 - x0) * Math.max(0, Math.min(value, xMax)) / xMax;
    }

    double y(double value) {
      return y1 - (y1 - y0) * scale.fraction(value);
    }
  }
}
