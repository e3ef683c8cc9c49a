package dev.blastwall.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's answers that need no run: the list, and every kind of bad input, each with its exit status. */
class LabMainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final LabMain main = new LabMain(new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8));

  private int execute(String... args) {
    return main.execute(List.of(args));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void listNamesEveryScenarioWithItsDefaults() {
    assertThat(execute("list")).isZero();
    assertThat(out()).contains("retry-storm", "slow-dependency", "fanout-tail", "overload", "outage", "queueing",
        "30s", "200/s");
  }

  @Test
  void anUnknownScenarioIsAUsageErrorNamingTheChoices() {
    assertThat(execute("run", "nope")).isEqualTo(2);
    assertThat(err()).contains("scenario: \"nope\" (expected: one of [retry-storm");
  }

  @Test
  void badOptionsAreUsageErrorsNamingTheOption() {
    assertThat(execute("run", "retry-storm", "--mode", "fast")).isEqualTo(2);
    assertThat(err()).contains("--mode: \"fast\" (expected: naive, blastwall or both)");
    assertThat(execute("run", "retry-storm", "--duration", "2")).isEqualTo(2);
    assertThat(err()).contains("--duration: 2 (expected: seconds, 3 to 3600)");
    assertThat(execute("run", "retry-storm", "--rate")).isEqualTo(2);
    assertThat(err()).contains("--rate: no value");
    assertThat(execute("run", "retry-storm", "--seed", "x")).isEqualTo(2);
    assertThat(err()).contains("--seed: \"x\" (expected: an integer)");
    assertThat(execute("demo", "--json", "x.json")).isEqualTo(2);
    assertThat(execute("run", "retry-storm", "--all")).isEqualTo(2);
    assertThat(execute("frobnicate")).isEqualTo(2);
    assertThat(err()).contains("command: \"frobnicate\" (expected: list, run or demo)");
  }

  @Test
  void runWithoutAScenarioSaysWhatIsMissing() {
    assertThat(execute("run")).isEqualTo(2);
    assertThat(err()).contains("run: a scenario name is missing");
  }

  @Test
  void anInvalidPlanFileIsReportedWithItsLine(@TempDir Path dir) throws IOException {
    Path plan = dir.resolve("plan.yaml");
    Files.writeString(plan, "entry: a\nservices:\n  a: {workers: -1}\n");
    assertThat(execute("run", "--file", plan.toString())).isEqualTo(2);
    assertThat(err()).contains("plan.yaml:3: services.a.workers: -1 (expected: at least 1)");
    assertThat(execute("run", "--file", dir.resolve("missing.yaml").toString())).isEqualTo(2);
    assertThat(err()).contains("missing.yaml");
  }

  @Test
  void helpPrintsUsage() {
    assertThat(execute()).isZero();
    assertThat(out()).contains("./blastwall demo", "./blastwall lab run NAME");
  }
}
