package dev.blastwall.lab.report;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.report.TextTable.Align;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.FaultWindow;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Numbers;
import dev.blastwall.lab.scenario.ScenarioResult;
import dev.blastwall.lab.topology.Durations;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Scenario results as plain ASCII for a terminal: lines of at most {@value #WIDTH} characters. */
public final class TerminalTable {

  /** The widest line written. */
  public static final int WIDTH = 120;

  private TerminalTable() {}

  /**
   * One scenario: a header (name, title, seed, duration, rate, SLO, fault windows, VALID or INVALID with the lab's
   * reasons, verdict), a table with one row per metric and one column per mode that ran, then the checks.
   */
  public static String render(ScenarioResult result) {
    StringBuilder out = new StringBuilder();
    paragraph(out, result.scenario() + ": " + result.title());
    paragraph(out, "seed " + result.seed() + " | duration " + Durations.text(result.duration()) + " | rate "
        + Numbers.text(result.rate()) + " rps | SLO " + Numbers.text(result.sloMs()) + " ms");
    for (FaultWindow window : result.faultWindows()) {
      paragraph(out, "fault " + Numbers.text(window.fromSeconds()) + "s to " + Numbers.text(window.toSeconds())
          + "s: " + window.label());
    }
    if (result.valid()) {
      paragraph(out, "VALID: the lab kept up in every mode");
    } else {
      paragraph(out, "INVALID: the lab itself was a bottleneck, so the figures cannot be trusted");
      for (Map.Entry<Mode, ModeResult> entry : result.modes().entrySet()) {
        for (String reason : entry.getValue().health().reasons()) {
          paragraph(out, "  " + entry.getKey().label() + ": " + reason);
        }
      }
    }
    paragraph(out, "verdict: " + Verdict.of(result));
    out.append('\n').append(metrics(result)).append('\n').append(checks(result));
    return out.toString();
  }

  /**
   * One line per scenario: its name, verdict ({@code PASS}, {@code FAIL n of m} or {@code INVALID}) and its first
   * check's figure.
   */
  public static String summary(List<ScenarioResult> results) {
    TextTable table = new TextTable(List.of("scenario", "verdict", "key figure"),
        List.of(Align.LEFT, Align.LEFT, Align.LEFT));
    for (ScenarioResult result : results) {
      table.row(List.of(result.scenario(), Verdict.of(result), Verdict.keyFigure(result)));
    }
    return table.render(WIDTH);
  }

  private static String metrics(ScenarioResult result) {
    List<String> headers = new ArrayList<>(List.of("metric"));
    MetricRows.modes(result).forEach(mode -> headers.add(mode.label()));
    List<Align> aligns = new ArrayList<>(List.of(Align.LEFT));
    aligns.addAll(Collections.nCopies(headers.size() - 1, Align.RIGHT));
    TextTable table = new TextTable(headers, aligns);
    for (MetricRow row : MetricRows.of(result)) {
      if (row.isHeading()) {
        table.section(row.label());
      } else {
        List<String> cells = new ArrayList<>(List.of(row.label()));
        cells.addAll(row.values());
        table.row(cells);
      }
    }
    return table.render(WIDTH);
  }

  private static String checks(ScenarioResult result) {
    if (result.checks().isEmpty()) {
      return "checks: none\n";
    }
    TextTable table = new TextTable(List.of("mode", "figure", "expectation", "theory", "measured", "result"),
        List.of(Align.LEFT, Align.LEFT, Align.LEFT, Align.LEFT, Align.RIGHT, Align.LEFT));
    for (Check check : result.checks()) {
      table.row(List.of(check.mode(), check.figure(), check.expectation(), check.theory(),
          MetricRows.number(check.measured()), check.passed() ? "PASS" : "FAIL"));
    }
    return "checks\n" + table.render(WIDTH);
  }

  // Wrapped lines keep the text's indent, so a reason stays under its heading.
  private static void paragraph(StringBuilder out, String text) {
    String body = text.stripLeading();
    String indent = text.substring(0, text.length() - body.length());
    for (String line : TextTable.wrap(body, WIDTH - indent.length())) {
      out.append(indent).append(line).append('\n');
    }
  }
}
