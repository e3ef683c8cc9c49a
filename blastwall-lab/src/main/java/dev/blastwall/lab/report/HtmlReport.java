package dev.blastwall.lab.report;

import dev.blastwall.lab.internal.Args;
import dev.blastwall.lab.scenario.ScenarioResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Scenario results as self-contained HTML: one page per scenario ({@code <scenario>.html}) with its checks, summary
 * and charts over time as inline SVG, and an {@code index.html} with one card per scenario. Pages load nothing from
 * anywhere (inline CSS, no scripts, no fonts), so they open offline and can be mailed as files.
 */
public final class HtmlReport {

  private HtmlReport() {}

  /**
   * Writes the pages into {@code dir}, creating it if needed, replacing files of the same names.
   *
   * @return the index page's path
   * @throws IllegalArgumentException when a scenario's name is not a lab name, is {@code index}, or appears twice
   * @throws IOException when a file cannot be written
   */
  public static Path write(List<ScenarioResult> results, Path dir) throws IOException {
    Set<String> names = new HashSet<>();
    for (ScenarioResult result : results) {
      Args.labName("scenario", result.scenario());
      if (result.scenario().equals("index") || !names.add(result.scenario())) {
        throw Args.invalid("scenario", "\"" + result.scenario() + "\"", "a unique name other than index");
      }
    }
    Files.createDirectories(dir);
    for (ScenarioResult result : results) {
      Files.writeString(dir.resolve(pageName(result)), ScenarioPage.render(result), StandardCharsets.UTF_8);
    }
    Path index = dir.resolve("index.html");
    Files.writeString(index, IndexPage.render(results), StandardCharsets.UTF_8);
    return index;
  }

  /** The file name of a scenario's page. */
  static String pageName(ScenarioResult result) {
    return result.scenario() + ".html";
  }
}
