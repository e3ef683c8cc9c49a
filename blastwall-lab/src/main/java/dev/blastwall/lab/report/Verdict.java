package dev.blastwall.lab.report;

import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ScenarioResult;

/** A scenario's verdict and key figure in words, as the summary line and the index card show them. */
final class Verdict {

  private Verdict() {}

  /** {@code INVALID} when the lab did not keep up, else {@code PASS} or {@code FAIL n of m} (n failed checks). */
  static String of(ScenarioResult result) {
    if (!result.valid()) {
      return "INVALID";
    }
    long failed = result.checks().stream().filter(check -> !check.passed()).count();
    return failed == 0 ? "PASS" : "FAIL " + failed + " of " + result.checks().size();
  }

  /** A CSS-friendly kind of the verdict: {@code pass}, {@code fail} or {@code invalid}. */
  static String kind(ScenarioResult result) {
    if (!result.valid()) {
      return "invalid";
    }
    return result.passed() ? "pass" : "fail";
  }

  /** The first check, the scenario's key figure, in one line: mode, figure, measured, expected, theory. */
  static String keyFigure(ScenarioResult result) {
    if (result.checks().isEmpty()) {
      return "no checks";
    }
    Check check = result.checks().getFirst();
    String line = check.mode() + " " + check.figure() + " = " + MetricRows.number(check.measured())
        + " (expected " + check.expectation();
    return line + (check.theory().isEmpty() ? ")" : "; theory " + check.theory() + ")");
  }
}
