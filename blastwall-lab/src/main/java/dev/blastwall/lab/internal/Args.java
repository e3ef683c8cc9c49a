package dev.blastwall.lab.internal;

import dev.blastwall.internal.Checks;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The lab's argument checks, in Blastwall's one message shape (core's {@link Checks}), with the lab's own wording of
 * what is expected.
 */
public final class Args {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

  private Args() {}

  /** An {@link IllegalArgumentException} saying {@code name: value (expected: expected)}. */
  public static IllegalArgumentException invalid(String name, Object value, String expected) {
    return Checks.invalidArgument(name, value, expected);
  }

  /** {@code value} if it is at least {@code min}. */
  public static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw invalid(name, value, "at least " + min);
    }
    return value;
  }

  /** {@code value} if it lies in [min, max]. */
  public static double inRange(String name, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw invalid(name, value, "between " + min + " and " + max);
    }
    return value;
  }

  /** {@code value} if it is longer than zero. */
  public static Duration positive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw invalid(name, value, "a positive duration");
    }
    return value;
  }

  /** {@code value} if it is zero or longer. */
  public static Duration notNegative(String name, Duration value) {
    if (value.isNegative()) {
      throw invalid(name, value, "zero or a positive duration");
    }
    return value;
  }

  /** {@code value} if it is a lab name: lower case letters, digits and dashes, starting with a letter. */
  public static String labName(String name, String value) {
    if (!NAME.matcher(value).matches()) {
      throw invalid(name, "\"" + value + "\"", "lower-case letters, digits and '-', starting with a letter");
    }
    return value;
  }
}
