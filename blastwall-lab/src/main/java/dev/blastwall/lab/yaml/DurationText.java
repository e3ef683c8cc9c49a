package dev.blastwall.lab.yaml;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as lab files write them: digits, optionally a point and more digits, then a unit (ns, us, ms, s, m) with
 * no space, as in {@code 250ms} or {@code 1.5s}; at most {@link #MAX}. Read exactly (a decimal, not a double), so a
 * huge number is refused as too long rather than rounded or clamped, and never parsed digit by digit at length.
 */
final class DurationText {

  /** The longest duration a lab file may write: a run lasts at most an hour, so nothing in it needs longer. */
  static final Duration MAX = Duration.ofMinutes(60);

  static final String EXPECTED = "a number and a unit, one of ns, us, ms, s, m, e.g. 250ms";

  private static final Pattern FORM = Pattern.compile("([0-9]+)(?:\\.([0-9]+))?(ns|us|ms|s|m)");
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(MAX.toNanos());
  // MAX in the smallest unit has 13 digits: a whole part with more is longer than MAX whatever its digits.
  private static final int MAX_WHOLE_DIGITS = Long.toString(MAX.toNanos()).length();
  // Fraction digits past these are below a nanosecond even in minutes (1e-12 m = 0.06 ns).
  private static final int MAX_FRACTION_DIGITS = 12;

  private DurationText() {}

  /** The duration {@code text} at {@code path} writes, to the nanosecond (rounded half up). */
  static Duration parse(YamlPath path, String text) {
    Matcher form = FORM.matcher(text);
    if (!form.matches()) {
      throw InvalidValue.of(path, text, EXPECTED);
    }
    String whole = form.group(1).replaceFirst("^0+(?=[0-9])", "");
    String fraction = form.group(2) == null ? "0" : form.group(2);
    if (whole.length() > MAX_WHOLE_DIGITS) {
      throw tooLong(path, text);
    }
    BigDecimal number = new BigDecimal(whole + "." + fraction.substring(0, Math.min(fraction.length(),
        MAX_FRACTION_DIGITS)));
    BigDecimal nanos = number.multiply(BigDecimal.valueOf(nanosPerUnit(form.group(3))))
        .setScale(0, RoundingMode.HALF_UP);
    if (nanos.compareTo(MAX_NANOS) > 0) {
      throw tooLong(path, text);
    }
    return Duration.ofNanos(nanos.longValueExact());
  }

  private static long nanosPerUnit(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      default -> 60_000_000_000L;
    };
  }

  private static InvalidValue tooLong(YamlPath path, String text) {
    return InvalidValue.of(path, text, "a duration of at most 60m");
  }
}
