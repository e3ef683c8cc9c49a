package dev.blastwall.lab.report;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.scenario.FaultWindow;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Numbers;
import dev.blastwall.lab.scenario.ScenarioResult;
import dev.blastwall.lab.scenario.Summary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The summary table's rows, shared by the terminal table and the HTML page so both show the same figures: the overall
 * summary, the same over the fault window, errors by kind, then the scenario's own figures. A value missing in a mode
 * shows as {@code -}.
 */
final class MetricRows {

  static final String MISSING = "-";

  private MetricRows() {}

  static List<MetricRow> of(ScenarioResult result) {
    List<ModeResult> modes = List.copyOf(result.modes().values());
    List<MetricRow> rows = new ArrayList<>();
    rows.add(MetricRow.heading("overall"));
    summaryRows(rows, modes, ModeResult::overall);
    if (modes.stream().anyMatch(mode -> mode.fault() != null)) {
      rows.add(MetricRow.heading("fault window" + faultSpan(result.faultWindows())));
      summaryRows(rows, modes, ModeResult::fault);
    }
    TreeSet<String> figures = new TreeSet<>();
    modes.forEach(mode -> figures.addAll(mode.figures().keySet()));
    if (!figures.isEmpty()) {
      rows.add(MetricRow.heading("scenario figures"));
      for (String name : figures) {
        rows.add(new MetricRow(name, values(modes, mode -> figure(mode.figures().get(name)))));
      }
    }
    return rows;
  }

  /** The modes that ran, in mode order: the table's columns. */
  static List<Mode> modes(ScenarioResult result) {
    return List.copyOf(result.modes().keySet());
  }

  private static void summaryRows(
      List<MetricRow> rows, List<ModeResult> modes, Function<ModeResult, @Nullable Summary> pick) {
    rows.add(row("user requests", modes, pick, summary -> Long.toString(summary.userRequests())));
    rows.add(row("amplification", modes, pick, summary -> number(summary.amplification())));
    rows.add(row("success rate", modes, pick, summary -> percent(summary.successRate())));
    rows.add(row("goodput rps", modes, pick, summary -> number(summary.goodputRps())));
    rows.add(row("degraded rate", modes, pick, summary -> percent(summary.degradedRate())));
    rows.add(row("p50 ms", modes, pick, summary -> number(summary.p50Ms())));
    rows.add(row("p99 ms", modes, pick, summary -> number(summary.p99Ms())));
    rows.add(row("p99.9 ms", modes, pick, summary -> number(summary.p999Ms())));
    rows.add(row("max in-flight", modes, pick, summary -> Integer.toString(summary.maxInflight())));
    TreeSet<String> kinds = new TreeSet<>();
    for (ModeResult mode : modes) {
      Summary summary = pick.apply(mode);
      if (summary != null) {
        kinds.addAll(summary.errorsByKind().keySet());
      }
    }
    for (String kind : kinds) {
      rows.add(row("errors " + kind, modes, pick,
          summary -> Long.toString(summary.errorsByKind().getOrDefault(kind, 0L))));
    }
  }

  private static MetricRow row(String label, List<ModeResult> modes, Function<ModeResult, @Nullable Summary> pick,
      Function<Summary, String> format) {
    return new MetricRow(label, values(modes, mode -> {
      Summary summary = pick.apply(mode);
      return summary == null ? MISSING : format.apply(summary);
    }));
  }

  private static List<String> values(List<ModeResult> modes, Function<ModeResult, String> value) {
    return modes.stream().map(value).toList();
  }

  private static String faultSpan(List<FaultWindow> windows) {
    if (windows.isEmpty()) {
      return "";
    }
    double from = windows.stream().mapToDouble(FaultWindow::fromSeconds).min().orElseThrow();
    double to = windows.stream().mapToDouble(FaultWindow::toSeconds).max().orElseThrow();
    return " (" + Numbers.text(from) + "s to " + Numbers.text(to) + "s)";
  }

  /** A figure's value as a cell: numbers as the lab prints them, lists and maps by their size. */
  static String figure(@Nullable Object value) {
    return switch (value) {
      case null -> MISSING;
      case Number number -> number(number.doubleValue());
      case List<?> list -> "list of " + list.size();
      case Map<?, ?> map -> map.size() + " entries";
      default -> value.toString();
    };
  }

  /** {@code value} as the lab prints numbers, or {@code -} when not finite. */
  static String number(double value) {
    return Double.isFinite(value) ? Numbers.text(value) : MISSING;
  }

  /** A share in [0, 1] as a percentage, or {@code -} when not finite. */
  static String percent(double share) {
    return Double.isFinite(share) ? Numbers.text(share * 100) + "%" : MISSING;
  }
}
