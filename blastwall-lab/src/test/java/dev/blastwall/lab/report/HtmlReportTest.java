package dev.blastwall.lab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.lab.scenario.ScenarioResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

  private static final Pattern LINK = Pattern.compile("(?i)\\b(?:src|href)\\s*=\\s*[\"']?([^\"'\\s>]*)");

  @TempDir Path dir;

  private List<ScenarioResult> results() {
    return List.of(Results.retryStorm(), Results.passing("overload"), Results.invalid("outage"));
  }

  @Test
  void writesOnePagePerScenario_andAnIndexLinkingToEach() throws IOException {
    Path index = HtmlReport.write(results(), dir.resolve("report"));
    assertThat(index).isEqualTo(dir.resolve("report/index.html")).exists();
    String html = Files.readString(index);
    for (String name : List.of("retry-storm", "overload", "outage")) {
      assertThat(dir.resolve("report/" + name + ".html")).exists();
      assertThat(html).contains("href=\"" + name + ".html\"");
    }
    assertThat(html).contains("<span class=\"badge fail\">FAIL 1 of 2</span>")
        .contains("<span class=\"badge pass\">PASS</span>").contains("<span class=\"badge invalid\">INVALID</span>")
        .contains("measured <strong>1.9</strong>, expected &gt;= 1.8, theory 1.875 = 1 + 0.5 + 0.25 + 0.125");
  }

  @Test
  void pages_loadNothingFromElsewhere() throws IOException {
    HtmlReport.write(results(), dir);
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String html = Files.readString(file);
        Matcher links = LINK.matcher(html);
        while (links.find()) {
          String target = links.group(1);
          assertThat(target).as(file + ": " + target).doesNotContain("//").doesNotContain(":").endsWith(".html");
        }
        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("<link")
            .doesNotContain("@import").doesNotContain("url(").doesNotContain("<img");
      }
    }
  }

  @Test
  void scenarioPage_hasOneSvgPerChart_andEachFaultWindowShadedInEachPanel() {
    String html = ScenarioPage.render(Results.retryStorm());
    int charts = ChartSpec.STANDARD.size();
    // The standard charts over time, plus one for the fixture's utilization sweep figure "points".
    assertThat(count(html, "<svg ")).isEqualTo(charts + 1);
    // Two windows, two panels (naive and blastwall) per chart.
    assertThat(count(html, "<rect class=\"fault\"")).isEqualTo(charts * 2 * 2);
    assertThat(html).contains(">naive</text>").contains(">blastwall</text>").contains("backend: down");
    String naiveOnly = ScenarioPage.render(Results.naiveOnly());
    assertThat(count(naiveOnly, "<rect class=\"fault\"")).isEqualTo(charts * 2);
    assertThat(naiveOnly).doesNotContain(">blastwall</text>");
  }

  @Test
  void sweepFigure_isChartedAgainstUtilization_oneLinePerMillisecondField() {
    String html = ScenarioPage.render(Results.retryStorm());
    String sweep = html.substring(html.indexOf("aria-label=\"points: latency against utilization\""));
    sweep = sweep.substring(0, sweep.indexOf("</svg>"));
    assertThat(sweep).contains(">utilization</text>").contains(">mean_ms</text>");
    assertThat(count(sweep, "<path ")).as("one line per panel").isEqualTo(2);
    assertThat(ScenarioPage.render(Results.scenario("x", "t", Results.both(true), List.of())))
        .contains("points: latency against utilization");
  }

  @Test
  void scenarioPage_showsClaimSetupsChecksAndSummary() {
    String html = ScenarioPage.render(Results.retryStorm());
    assertThat(html).contains("Retries multiply load: 3 retries at 50% failures send 1.875x.")
        .contains("naive setup: 3 retries &quot;everywhere&quot;").contains("blastwall setup")
        .contains("<td>1.875 = 1 + 0.5 + 0.25 + 0.125</td><td class=\"num\">1.9</td>")
        .contains("<tr><td>errors UNAVAILABLE</td><td class=\"num\">120</td><td class=\"num\">7</td></tr>")
        .contains("fault window (10s to 25s)").contains("SLO 300 ms").doesNotContain("class=\"banner\"");
  }

  @Test
  void invalidRun_showsABannerWithItsReasons() {
    String html = ScenarioPage.render(Results.invalid("outage"));
    assertThat(html).contains("class=\"banner\"").contains("<li>naive: missed 150 of 6000 sends</li>")
        .contains("<li>naive: CPU at 99%</li>");
  }

  @Test
  void text_isEscaped() {
    ScenarioResult result = Results.scenario("retry-storm", "<script>alert('x')</script> & co",
        Results.both(true), List.of());
    String html = ScenarioPage.render(result);
    assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co");
  }

  @Test
  void badOrDuplicateScenarioNames_areRejectedBeforeAnythingIsWritten() {
    assertThatThrownBy(() -> HtmlReport.write(List.of(Results.passing("a"), Results.passing("a")), dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(
            "scenario: \"a\" (expected: a unique name other than index)");
    assertThatThrownBy(() -> HtmlReport.write(List.of(Results.passing("index")), dir))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HtmlReport.write(List.of(Results.passing("../etc")), dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("scenario: \"../etc\" (expected: ");
    assertThat(dir).isEmptyDirectory();
  }

  private static int count(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }
}
