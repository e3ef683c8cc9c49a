package dev.blastwall.lab.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.scenario.ScenarioResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalTableTest {

  @Test
  void header_saysWhatRan_andWhetherTheLabKeptUp() {
    String text = TerminalTable.render(Results.retryStorm());
    assertThat(text).startsWith("retry-storm: A backend fails half its calls\n")
        .contains("seed 42 | duration 30s | rate 200 rps | SLO 300 ms\n")
        .contains("fault 10s to 20s: backend: errors 50% UNAVAILABLE\n")
        .contains("fault 22s to 25s: backend: down\n")
        .contains("VALID: the lab kept up in every mode\n")
        .contains("verdict: FAIL 1 of 2\n");
  }

  @Test
  void everyLine_isPlainAsciiWithinTheWidth() {
    for (ScenarioResult result : List.of(Results.retryStorm(), Results.invalid("x"), Results.naiveOnly())) {
      String text = TerminalTable.render(result);
      assertThat(text.lines()).allSatisfy(line -> {
        assertThat(line.length()).isLessThanOrEqualTo(TerminalTable.WIDTH);
        assertThat(line.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
      });
    }
  }

  @Test
  void metricRows_showOneValuePerMode_inAlignedColumns() {
    List<String> table = metricTable(TerminalTable.render(Results.retryStorm()));
    assertThat(cells(table.getFirst())).containsExactly("metric", "naive", "blastwall");
    int bar = table.getFirst().indexOf(" | ");
    int secondBar = table.getFirst().indexOf(" | ", bar + 1);
    for (String line : table) {
      if (!line.startsWith("--") && !line.startsWith("-")) {
        assertThat(line.indexOf(" | ")).as(line).isEqualTo(bar);
        assertThat(line.indexOf(" | ", bar + 1)).as(line).isEqualTo(secondBar);
      }
    }
    assertThat(row(table, "user requests", 0)).containsExactly("user requests", "6000", "6000");
    assertThat(row(table, "success rate", 0)).containsExactly("success rate", "98%", "98%");
    assertThat(row(table, "p99.9 ms", 0)).containsExactly("p99.9 ms", "180.25", "180.25");
    assertThat(row(table, "max in-flight", 0)).containsExactly("max in-flight", "37", "37");
    // The same rows again over the fault window, where amplification differs and p99.9 is unknown.
    assertThat(row(table, "amplification", 1)).containsExactly("amplification", "1.9", "1.05");
    assertThat(row(table, "p99.9 ms", 1)).containsExactly("p99.9 ms", "-", "-");
    assertThat(table).anyMatch(line -> line.startsWith("-- fault window (10s to 25s) "));
    // Error kinds are the union over modes, 0 where a mode saw none.
    assertThat(row(table, "errors TIMEOUT", 0)).containsExactly("errors TIMEOUT", "3", "0");
    assertThat(row(table, "errors UNAVAILABLE", 0)).containsExactly("errors UNAVAILABLE", "120", "7");
    assertThat(row(table, "slow_share", 0)).containsExactly("slow_share", "0.18", "0.18");
    assertThat(row(table, "points", 0)).containsExactly("points", "list of 2", "list of 2");
    assertThat(row(table, "recovered", 0)).containsExactly("recovered", "true", "true");
  }

  @Test
  void checks_listModeFigureExpectationTheoryMeasuredAndVerdict() {
    String text = TerminalTable.render(Results.retryStorm());
    List<String> lines = text.substring(text.indexOf("checks\n")).lines().toList();
    assertThat(cells(lines.get(1)))
        .containsExactly("mode", "figure", "expectation", "theory", "measured", "result");
    assertThat(cells(lines.get(3)))
        .containsExactly("naive", "fault.amplification", ">= 1.8", "1.875 = 1 + 0.5 + 0.25 + 0.125", "1.9", "PASS");
    assertThat(cells(lines.get(4)))
        .containsExactly("blastwall", "fault.amplification", "<= 1.15", "1.1 with a 10% retry budget", "1.2", "FAIL");
  }

  @Test
  void invalidRun_saysSo_withTheReasonsPerMode() {
    String text = TerminalTable.render(Results.invalid("slow-dependency"));
    assertThat(text).contains("INVALID: the lab itself was a bottleneck")
        .contains("  naive: missed 150 of 6000 sends\n").contains("  naive: CPU at 99%\n")
        .contains("verdict: INVALID\n").doesNotContain("VALID: the lab kept up");
  }

  @Test
  void oneMode_givesOneValueColumn() {
    List<String> table = metricTable(TerminalTable.render(Results.naiveOnly()));
    assertThat(cells(table.getFirst())).containsExactly("metric", "naive");
    assertThat(row(table, "amplification", 1)).containsExactly("amplification", "1.9");
  }

  @Test
  void summary_givesOneLinePerScenario_withVerdictAndKeyFigure() {
    String text = TerminalTable.summary(
        List.of(Results.retryStorm(), Results.passing("overload"), Results.invalid("outage")));
    List<String> lines = text.lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(cells(lines.get(2))).containsExactly("retry-storm", "FAIL 1 of 2",
        "naive fault.amplification = 1.9 (expected >= 1.8; theory 1.875 = 1 + 0.5 + 0.25 + 0.125)");
    assertThat(cells(lines.get(3)))
        .containsExactly("overload", "PASS", "blastwall fault.p99_ms = 120 (expected <= 350)");
    assertThat(cells(lines.get(4))).element(1).isEqualTo("INVALID");
  }

  @Test
  void longCells_wrapWithinTheirColumn_insteadOfWideningTheTable() {
    TextTable table = new TextTable(List.of("a", "b"), List.of(TextTable.Align.LEFT, TextTable.Align.RIGHT));
    table.row(List.of("short", "1"));
    table.row(List.of("one two three four five six seven eight nine ten", "22"));
    List<String> lines = table.render(24).lines().toList();
    assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(24));
    assertThat(lines).hasSizeGreaterThan(4);
    assertThat(lines.get(3)).endsWith(" | 22");
    assertThat(String.join(" ", lines.subList(3, lines.size()).stream()
        .map(line -> line.substring(0, line.indexOf(" |") < 0 ? line.length() : line.indexOf(" |")).strip())
        .toList())).isEqualTo("one two three four five six seven eight nine ten");
  }

  /** The metric table's lines: from its header to the blank line before the checks. */
  private static List<String> metricTable(String text) {
    List<String> lines = text.lines().toList();
    int start = 0;
    while (!lines.get(start).startsWith("metric ")) {
      start++;
    }
    List<String> table = new ArrayList<>();
    for (int i = start; i < lines.size() && !lines.get(i).isEmpty(); i++) {
      table.add(lines.get(i));
    }
    return table;
  }

  /** The cells of the {@code occurrence}-th (from 0) row labelled {@code label}. */
  private static List<String> row(List<String> table, String label, int occurrence) {
    return table.stream().filter(line -> cells(line).getFirst().equals(label)).skip(occurrence).findFirst()
        .map(TerminalTableTest::cells).orElseThrow(() -> new AssertionError("no row " + label + " #" + occurrence));
  }

  private static List<String> cells(String line) {
    return Arrays.stream(line.split(" \\| ", -1)).map(String::strip).toList();
  }
}
