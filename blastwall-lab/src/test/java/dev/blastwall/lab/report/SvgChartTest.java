package dev.blastwall.lab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SvgChartTest {

  @Test
  void linearScale_startsAtZero_withRoundTicksCoveringTheMax() {
    Scale scale = Scale.linearOf(List.of(3.0, 187.0, Double.NaN));
    assertThat(scale.min()).isZero();
    assertThat(scale.max()).isEqualTo(200);
    assertThat(scale.ticks()).containsExactly(0.0, 50.0, 100.0, 150.0, 200.0);
    assertThat(Scale.linearOf(List.of()).max()).isPositive();
    assertThat(Scale.niceStep(0.3)).isEqualTo(0.5);
    assertThat(Scale.niceStep(7)).isEqualTo(10);
  }

  @Test
  void logScale_spansWholeDecades_ofThePositiveValues() {
    Scale scale = Scale.logOf(List.of(0.0, 3.2, 5000.0, Double.NaN));
    assertThat(scale.min()).isEqualTo(1);
    assertThat(scale.max()).isEqualTo(10_000);
    assertThat(scale.ticks()).hasSize(5);
    assertThat(scale.fraction(100)).isCloseTo(0.5, within(1e-9));
    assertThat(scale.plottable(0)).isFalse();
  }

  @Test
  void missingValues_breakTheLine_andPanelsShareOneScale() {
    SvgChart chart = new SvgChart("c", "ms", false, 4)
        .panel("naive", List.of(new SvgChart.Series("p99", "#000", List.of(0.5, 1.5, 2.5, 3.5),
            List.of(10.0, Double.NaN, 30.0, 40.0))))
        .panel("blastwall", List.of(new SvgChart.Series("p99", "#000", List.of(0.5, 1.5), List.of(1000.0, 1.0))))
        .shade(1, 2, "fault");
    String svg = chart.render();
    String naivePath = between(svg, "d=\"", "\"");
    assertThat(naivePath).startsWith("M").contains(" M").doesNotContain("NaN");
    assertThat(naivePath.chars().filter(c -> c == 'M').count()).isEqualTo(2);
    // The y axis runs to 1000 in both panels, so naive's 40 sits near the bottom of its panel.
    assertThat(svg).contains(">1k</text>");
    assertThat(svg.split("<rect class=\"fault\"", -1)).hasSize(3);
    assertThat(svg.split(">p99</text>", -1)).as("one legend entry").hasSize(2);
  }

  private static String between(String text, String from, String to) {
    int start = text.indexOf(from) + from.length();
    return text.substring(start, text.indexOf(to, start));
  }
}
