package dev.blastwall.limit;

import dev.blastwall.internal.Checks;

/** The range check every limit builder ends with. */
final class LimitRange {

  private LimitRange() {}

  /** The range must be ordered and hold the starting value; {@code minName} is the builder's name for the floor. */
  static void check(String minName, int min, int maxLimit, int initialLimit) {
    if (min > maxLimit) {
      throw Checks.invalidArgument(minName, min, "<= maxLimit (" + maxLimit + ")");
    }
    if (initialLimit < min || initialLimit > maxLimit) {
      throw Checks.invalidArgument("initialLimit", initialLimit, min + " <= initialLimit <= " + maxLimit);
    }
  }

  /** log10 of the limit, at least 1: the step unit Vegas scales its thresholds and moves by. */
  static double log10AtLeastOne(double limit) {
    return Math.max(1.0, Math.log10(limit));
  }
}
