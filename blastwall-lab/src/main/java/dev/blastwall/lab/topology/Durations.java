package dev.blastwall.lab.topology;

import java.time.Duration;

/** Durations as the lab writes them in YAML and reports: {@code 250ms}, {@code 5s}, {@code 1500us}. */
public final class Durations {

  private Durations() {}

  /** The shortest exact text for {@code duration} in ms, s, us or ns. */
  public static String text(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos + "ns";
  }

  /**
   * Parses {@code 250ms}, {@code 5s}, {@code 1.5s}, {@code 2m}, {@code 100us}, {@code 10ns}.
   *
   * @throws IllegalArgumentException naming {@code name} when the text is not such a duration
   */
  public static Duration parse(String name, String text) {
    String trimmed = text.trim();
    int unitAt = 0;
    while (unitAt < trimmed.length()
        && (Character.isDigit(trimmed.charAt(unitAt)) || trimmed.charAt(unitAt) == '.')) {
      unitAt++;
    }
    String number = trimmed.substring(0, unitAt);
    String unit = trimmed.substring(unitAt).trim();
    long nanosPerUnit =
        switch (unit) {
          case "ns" -> 1L;
          case "us" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          default -> -1L;
        };
    if (number.isEmpty() || nanosPerUnit < 0) {
      throw invalid(name, text);
    }
    try {
      double value = Double.parseDouble(number);
      return Duration.ofNanos(Math.round(value * nanosPerUnit));
    } catch (NumberFormatException e) {
      throw invalid(name, text);
    }
  }

  private static IllegalArgumentException invalid(String name, String text) {
    return new IllegalArgumentException(
        name + ": \"" + text + "\" (expected: a number and a unit, one of ns, us, ms, s, m, e.g. 250ms)");
  }
}
