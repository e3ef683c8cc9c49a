package dev.blastwall.internal;

import java.time.Duration;

/**
 * Argument checks that all fail with one message shape: {@code name: value (expected: ...)}. An untrusted value in
 * such a message is quoted with {@link Untrusted#quote}.
 */
public final class Checks {

  private Checks() {}

  /** Whether every character is visible ASCII ({@code !} to {@code ~}): what keys and header tokens may hold. */
  public static boolean isVisibleAscii(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
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
