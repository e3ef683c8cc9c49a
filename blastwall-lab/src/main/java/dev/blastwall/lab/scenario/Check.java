package dev.blastwall.lab.scenario;

/**
 * One criterion of a scenario, judged on a measured figure.
 *
 * @param mode the mode whose figure is judged ({@code naive}, {@code blastwall}), or {@code both} for a comparison
 * @param figure the figure's JSON name, e.g. {@code fault.amplification}
 * @param expectation what must hold, e.g. {@code >= 1.8}
 * @param theory the theoretical value and where it comes from, e.g. {@code 1.875 = 1 + 0.5 + 0.25 + 0.125}; empty if
 *     none
 * @param measured the figure measured
 * @param passed whether the expectation holds
 */
public record Check(
    String mode, String figure, String expectation, String theory, double measured, boolean passed) {

  /** A check that {@code measured >= bound}. */
  public static Check atLeast(String mode, String figure, double bound, String theory, double measured) {
    return new Check(mode, figure, ">= " + Numbers.text(bound), theory, measured, measured >= bound);
  }

  /** A check that {@code measured <= bound}. */
  public static Check atMost(String mode, String figure, double bound, String theory, double measured) {
    return new Check(mode, figure, "<= " + Numbers.text(bound), theory, measured, measured <= bound);
  }

  /** A check that {@code measured} lies within {@code tolerance} of {@code target}. */
  public static Check near(
      String mode, String figure, double target, double tolerance, String theory, double measured) {
    return new Check(mode, figure, Numbers.text(target) + " +- " + Numbers.text(tolerance), theory, measured,
        Math.abs(measured - target) <= tolerance);
  }
}
