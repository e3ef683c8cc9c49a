package dev.blastwall.lab.report;

import static dev.blastwall.lab.report.Html.escape;

import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ScenarioResult;
import java.util.List;

/** The report's index: one card per scenario with its verdict, its key figure and a link to its page. */
final class IndexPage {

  private IndexPage() {}

  static String render(List<ScenarioResult> results) {
    long passed = results.stream().filter(result -> result.valid() && result.passed()).count();
    StringBuilder body = new StringBuilder();
    body.append("<h1>Blastwall lab report</h1>\n<p class=\"meta\">").append(results.size())
        .append(" scenarios, ").append(passed).append(" passed. Each scenario runs as teams usually build it (naive) ")
        .append("and with Blastwall, on the same seed and schedule.</p>\n<div class=\"cards\">\n");
    for (ScenarioResult result : results) {
      card(body, result);
    }
    body.append("</div>\n");
    return Html.page("Blastwall lab report", body.toString());
  }

  private static void card(StringBuilder body, ScenarioResult result) {
    String page = HtmlReport.pageName(result);
    body.append("<div class=\"card\">\n<h2><a href=\"").append(escape(page)).append("\">")
        .append(escape(result.scenario())).append("</a> <span class=\"badge ").append(Verdict.kind(result))
        .append("\">").append(escape(Verdict.of(result))).append("</span></h2>\n<p>").append(escape(result.title()))
        .append("</p>\n");
    if (result.checks().isEmpty()) {
      body.append("<p class=\"muted\">no checks</p>\n");
    } else {
      Check key = result.checks().getFirst();
      body.append("<p><strong>").append(escape(key.mode())).append(' ').append(escape(key.figure()))
          .append("</strong>: measured <strong>").append(escape(MetricRows.number(key.measured())))
          .append("</strong>, expected ").append(escape(key.expectation()));
      if (!key.theory().isEmpty()) {
        body.append(", theory ").append(escape(key.theory()));
      }
      body.append("</p>\n");
    }
    body.append("<p><a href=\"").append(escape(page)).append("\">charts and details</a></p>\n</div>\n");
  }
}
