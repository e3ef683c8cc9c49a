package dev.blastwall.internal;

import java.time.Duration;
import java.util.Locale;

/** Argument checks that all fail with one message shape: {@code name: value (expected: ...)}. */
public final class Checks {

  /** How much of an untrusted value a message quotes: enough to recognise it, never a flood. */
  public static final int MAX_QUOTED_CHARS = 64;

  private Checks() {}

  /**
   * An untrusted value as it may safely appear in a message: in double quotes, its first {@value #MAX_QUOTED_CHARS}
   * characters with quotes, backslashes, control and invisible formatting characters escaped as in Java source,
   * followed by {@code ...} when cut.
   */
  public static String quote(CharSequence value) {
    int shown = Math.min(value.length(), MAX_QUOTED_CHARS);
    if (shown < value.length() && Character.isHighSurrogate(value.charAt(shown - 1))) {
      shown--; // never cut a surrogate pair in two
    }
    StringBuilder out = new StringBuilder(shown + 8).append('"');
    for (int i = 0; i < shown; i++) {
      char c = value.charAt(i);
      int type = Character.getType(c);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || (type == Character.SURROGATE && !pairedAt(value, i))) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append(shown < value.length() ? "...\"" : "\"").toString();
  }

  private static boolean pairedAt(CharSequence value, int i) {
    char c = value.charAt(i);
    return Character.isHighSurrogate(c)
        ? i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))
        : i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
  }

  /** Builds the message every invalid argument in Blastwall uses. */
  public static String invalid(String name, Object value, String expected) {
    return name + ": " + value + " (expected: " + expected + ")";
  }

  public static IllegalArgumentException invalidArgument(String name, Object value, String expected) {
    return new IllegalArgumentException(invalid(name, value, expected));
  }

  public static int checkRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw invalidArgument(name, value, min + " <= " + name + " <= " + max);
    }
    return value;
  }

  public static long checkAtLeast(String name, long value, long min) {
    if (value < min) {
      throw invalidArgument(name, value, ">= " + min);
    }
    return value;
  }

  public static double checkRange(String name, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw invalidArgument(name, value, min + " <= " + name + " <= " + max);
    }
    return value;
  }

  /** A duration that is not negative. */
  public static Duration checkNotNegative(String name, Duration value) {
    if (value.isNegative()) {
      throw invalidArgument(name, value, ">= 0");
    }
    return value;
  }

  /** A duration strictly greater than zero. */
  public static Duration checkPositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw invalidArgument(name, value, "> 0");
    }
    return value;
  }

  /** A duration within {@code [min, max]}. */
  public static Duration checkRange(String name, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw invalidArgument(name, value, min + " <= " + name + " <= " + max);
    }
    return value;
  }

  /** Guards builder options that may be set once only, so a second call is a visible mistake. */
  public static void checkNotSet(String name, boolean alreadySet) {
    if (alreadySet) {
      throw new IllegalStateException(name + " was already set (expected: set once)");
    }
  }

  /** Saturating conversion to nanoseconds: durations beyond the long range clamp instead of throwing. */
  public static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException overflow) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
