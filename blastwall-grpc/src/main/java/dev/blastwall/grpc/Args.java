package dev.blastwall.grpc;

import java.time.Duration;

/** Argument checks with Blastwall's one message shape, {@code name: value (expected: ...)}. */
final class Args {

  private Args() {}

  static IllegalArgumentException invalid(String name, Object value, String expected) {
    return new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
  }

  static void checkNotSet(String name, boolean alreadySet) {
    if (alreadySet) {
      throw new IllegalStateException(name + " was already set (expected: each option set at most once)");
    }
  }

  static Duration checkPositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw invalid(name, value, "> 0");
    }
    return value;
  }

  static Duration checkNotNegative(String name, Duration value) {
    if (value.isNegative()) {
      throw invalid(name, value, ">= 0");
    }
    return value;
  }

  /** A duration in nanoseconds, saturating instead of overflowing. */
  static long saturatedNanos(Duration value) {
    try {
      return value.toNanos();
    } catch (ArithmeticException overflow) {
      return value.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** A service name ({@code package.Service}) or full method name ({@code package.Service/Method}). */
  static String checkTarget(String target) {
    int slash = target.indexOf('/');
    boolean valid = !target.isBlank() && target.equals(target.strip())
        && (slash < 0 || (slash > 0 && slash < target.length() - 1 && target.indexOf('/', slash + 1) < 0));
    if (!valid) {
      throw invalid("target", '"' + target + '"', "a service name (pkg.Service) or full method name (pkg.Service/Method)");
    }
    return target;
  }
}
