package dev.blastwall.lab.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A chart's y scale: linear from zero to a round maximum, or logarithmic over whole decades. Built from all the
 * values a chart shows, so panels drawn with one scale compare directly.
 *
 * @param log whether the scale is logarithmic
 * @param min the bottom value (0 on a linear scale, a power of ten on a log scale)
 * @param max the top value
 * @param step the distance between ticks (linear scales only)
 */
record Scale(boolean log, double min, double max, double step) {

  /** A linear scale from 0 covering the finite values, with about five round ticks. */
  static Scale linearOf(List<Double> values) {
    double top = values.stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).max().orElse(0);
    double step = niceStep(top > 0 ? top / 5 : 0.2);
    return new Scale(false, 0, Math.max(step, Math.ceil(top / step - 1e-9) * step), step);
  }

  /** A log scale over the whole decades holding the positive finite values (1 to 10 when there are none). */
  static Scale logOf(List<Double> values) {
    double low = values.stream().filter(Scale::positive).mapToDouble(Double::doubleValue).min().orElse(1);
    double high = values.stream().filter(Scale::positive).mapToDouble(Double::doubleValue).max().orElse(10);
    double min = Math.pow(10, Math.floor(Math.log10(low)));
    double max = Math.pow(10, Math.ceil(Math.log10(high)));
    return new Scale(true, min, max > min ? max : min * 10, 10);
  }

  /** A round step (1, 2 or 5 times a power of ten) at least {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double decade = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double factor : new double[] {1, 2, 5, 10}) {
      if (factor * decade >= raw * (1 - 1e-9)) {
        return factor * decade;
      }
    }
    return 10 * decade;
  }

  /** Whether {@code value} can be drawn: finite, and positive on a log scale. */
  boolean plottable(double value) {
    return log ? positive(value) : Double.isFinite(value);
  }

  /** Where {@code value} sits from bottom (0) to top (1), clamped; 0 when it cannot be drawn. */
  double fraction(double value) {
    if (!plottable(value)) {
      return 0;
    }
    double fraction = log
        ? (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
        : (value - min) / (max - min);
    return Math.max(0, Math.min(1, fraction));
  }

  /** The tick values, bottom to top: every step, or every decade. */
  List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    if (log) {
      for (double tick = min; tick <= max * (1 + 1e-9); tick *= 10) {
        ticks.add(tick);
      }
    } else {
      long count = Math.round((max - min) / step);
      for (long i = 0; i <= count; i++) {
        ticks.add(min + i * step);
      }
    }
    return ticks;
  }

  private static boolean positive(double value) {
    return Double.isFinite(value) && value > 0;
  }
}
