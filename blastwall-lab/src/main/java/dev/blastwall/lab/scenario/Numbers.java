package dev.blastwall.lab.scenario;

import java.util.Locale;

/** Numbers as the lab prints them: up to three decimals, no trailing zeros. */
public final class Numbers {

  private Numbers() {}

  /** {@code value} with at most three decimals and no trailing zeros; NaN and infinities as words. */
  public static String text(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return Double.toString(value);
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    String text = String.format(Locale.ROOT, "%.3f", value);
    int end = text.length();
    while (text.charAt(end - 1) == '0') {
      end--;
    }
    return text.substring(0, end);
  }
}
