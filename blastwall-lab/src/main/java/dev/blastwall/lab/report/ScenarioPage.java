package dev.blastwall.lab.report;

import static dev.blastwall.lab.report.Html.escape;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.FaultWindow;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Numbers;
import dev.blastwall.lab.scenario.ScenarioResult;
import dev.blastwall.lab.scenario.SeriesPoint;
import dev.blastwall.lab.topology.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One scenario's HTML page: title and claim, an INVALID banner when the lab did not keep up, each mode's setup, the
 * checks, the summary table, and the charts over time with each mode in its own panel.
 */
final class ScenarioPage {

  private ScenarioPage() {}

  static String render(ScenarioResult result) {
    StringBuilder body = new StringBuilder();
    body.append("<p class=\"muted\"><a href=\"index.html\">All scenarios</a></p>\n");
    body.append("<h1>").append(escape(result.scenario())).append(": ").append(escape(result.title()))
        .append(" <span class=\"badge ").append(Verdict.kind(result)).append("\">")
        .append(escape(Verdict.of(result))).append("</span></h1>\n");
    body.append("<p class=\"meta\">seed ").append(result.seed()).append(" &middot; duration ")
        .append(escape(Durations.text(result.duration()))).append(" &middot; rate ")
        .append(escape(Numbers.text(result.rate()))).append(" rps &middot; SLO ")
        .append(escape(Numbers.text(result.sloMs()))).append(" ms</p>\n");
    if (!result.valid()) {
      banner(body, result);
    }
    body.append("<p class=\"claim\">").append(escape(result.claim())).append("</p>\n");
    faults(body, result.faultWindows());
    body.append("<h2>Setups</h2>\n<div class=\"setups\">\n");
    result.modes().forEach((mode, modeResult) -> body.append("<div><h3>").append(escape(mode.label()))
        .append("</h3><p>").append(escape(modeResult.setup())).append("</p></div>\n"));
    body.append("</div>\n");
    checks(body, result.checks());
    summary(body, result);
    body.append("<h2>Over time</h2>\n");
    if (result.modes().isEmpty()) {
      body.append("<p class=\"muted\">no mode ran</p>\n");
    } else {
      for (ChartSpec spec : ChartSpec.STANDARD) {
        body.append(chart(spec, result));
      }
      body.append(SweepCharts.render(result));
    }
    return Html.page(result.scenario() + ": " + result.title(), body.toString());
  }

  private static void banner(StringBuilder body, ScenarioResult result) {
    body.append("<div class=\"banner\"><strong>INVALID run:</strong> the lab itself was a bottleneck, so these "
        + "figures cannot be trusted.<ul>\n");
    for (Map.Entry<Mode, ModeResult> entry : result.modes().entrySet()) {
      for (String reason : entry.getValue().health().reasons()) {
        body.append("<li>").append(escape(entry.getKey().label())).append(": ").append(escape(reason))
            .append("</li>\n");
      }
    }
    body.append("</ul></div>\n");
  }

  private static void faults(StringBuilder body, List<FaultWindow> windows) {
    if (windows.isEmpty()) {
      return;
    }
    body.append("<p><strong>Faults:</strong></p><ul>\n");
    for (FaultWindow window : windows) {
      body.append("<li>").append(escape(Numbers.text(window.fromSeconds()))).append(" s to ")
          .append(escape(Numbers.text(window.toSeconds()))).append(" s: ").append(escape(window.label()))
          .append("</li>\n");
    }
    body.append("</ul>\n");
  }

  private static void checks(StringBuilder body, List<Check> checks) {
    body.append("<h2>Checks</h2>\n");
    if (checks.isEmpty()) {
      body.append("<p class=\"muted\">none</p>\n");
      return;
    }
    body.append("<table>\n<tr><th>mode</th><th>figure</th><th>expected</th><th>theory</th><th>measured</th>"
        + "<th>result</th></tr>\n");
    for (Check check : checks) {
      String kind = check.passed() ? "pass" : "fail";
      body.append("<tr><td>").append(escape(check.mode())).append("</td><td>").append(escape(check.figure()))
          .append("</td><td>").append(escape(check.expectation())).append("</td><td>")
          .append(escape(check.theory())).append("</td><td class=\"num\">")
          .append(escape(MetricRows.number(check.measured()))).append("</td><td><span class=\"badge ").append(kind)
          .append("\">").append(check.passed() ? "PASS" : "FAIL").append("</span></td></tr>\n");
    }
    body.append("</table>\n");
  }

  private static void summary(StringBuilder body, ScenarioResult result) {
    List<Mode> modes = MetricRows.modes(result);
    body.append("<h2>Summary</h2>\n<table>\n<tr><th>metric</th>");
    modes.forEach(mode -> body.append("<th>").append(escape(mode.label())).append("</th>"));
    body.append("</tr>\n");
    for (MetricRow row : MetricRows.of(result)) {
      if (row.isHeading()) {
        body.append("<tr class=\"section\"><th colspan=\"").append(modes.size() + 1).append("\">")
            .append(escape(row.label())).append("</th></tr>\n");
      } else {
        body.append("<tr><td>").append(escape(row.label())).append("</td>");
        row.values().forEach(value -> body.append("<td class=\"num\">").append(escape(value)).append("</td>"));
        body.append("</tr>\n");
      }
    }
    body.append("</table>\n");
  }

  private static String chart(ChartSpec spec, ScenarioResult result) {
    double seconds = result.duration().toNanos() / 1e9;
    for (ModeResult mode : result.modes().values()) {
      seconds = Math.max(seconds, mode.series().size());
    }
    SvgChart chart = new SvgChart(spec.title(), spec.yLabel(), spec.log(), seconds > 0 ? seconds : 1);
    result.modes().forEach((mode, modeResult) -> chart.panel(mode.label(), lines(spec, modeResult.series())));
    result.faultWindows().forEach(window -> chart.shade(window.fromSeconds(), window.toSeconds(), window.label()));
    if (spec.slo()) {
      chart.reference("SLO " + Numbers.text(result.sloMs()) + " ms", result.sloMs());
    }
    return chart.render();
  }

  private static List<SvgChart.Series> lines(ChartSpec spec, List<SeriesPoint> points) {
    // Each point covers [second, second + 1), so it is drawn at the middle of its second.
    List<Double> xs = points.stream().map(point -> point.second() + 0.5).toList();
    List<SvgChart.Series> series = new ArrayList<>();
    for (ChartSpec.Line line : spec.lines()) {
      series.add(new SvgChart.Series(line.name(), line.color(), xs,
          points.stream().map(point -> line.value().applyAsDouble(point)).toList()));
    }
    return series;
  }
}
