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
  void aPlanNestedThousandsDeepOrTooLarge_isOneLineAndAUsageStatus(@TempDir Path dir) throws IOException {
    Path deep = dir.resolve("deep.yaml");
    Files.writeString(deep, "entry: a\nservices:\n  a: {}\nload: " + "[".repeat(5_000) + "]".repeat(5_000) + "\n");
    assertThat(execute("run", "--file", deep.toString())).isEqualTo(2);
    assertThat(err()).startsWith("blastwall lab: " + deep + ":4: nesting: 65 levels (expected: at most 64 levels")
        .doesNotContain("\tat ", "Exception", "Error");

    Path large = dir.resolve("large.yaml");
    Files.writeString(large, "entry: a\nservices:\n  a: {}\n" + "#".repeat(2 << 20));
    err.reset();
    assertThat(execute("run", "--file", large.toString())).isEqualTo(2);
    assertThat(err()).startsWith("blastwall lab: " + large + ": size: more than 1048576 bytes");
  }

  @Test
  void anErrorOrAnUnexpectedExceptionInARun_isOneLineAndItsOwnStatus() {
    List<Throwable> failures = List.of(new OutOfMemoryError("Java heap space"), new StackOverflowError(),
        new IllegalStateException("port in use\n\tat somewhere " + "x".repeat(500)));
    for (Throwable failure : failures) {
      ByteArrayOutputStream errors = new ByteArrayOutputStream();
      LabMain failing = new LabMain(new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(errors, true, StandardCharsets.UTF_8), (plan, mode, seed, progress) -> {
            throw sneaky(failure);
          });

      assertThat(failing.execute(List.of("run", "retry-storm", "--mode", "naive"))).isEqualTo(LabMain.INTERNAL_ERROR);
      List<String> lines = errors.toString(StandardCharsets.UTF_8).lines().toList();
      // The run's header, then the failure on one line.
      assertThat(lines).hasSize(2);
      assertThat(lines.getLast()).startsWith("blastwall lab: failed unexpectedly: " + failure.getClass().getName())
          .hasSizeLessThanOrEqualTo(250)
          .doesNotContain("\t");
    }
  }

  // A Throwable as an unchecked one, so the runner can throw an Error or an exception alike.
  private static RuntimeException sneaky(Throwable failure) {
    if (failure instanceof Error error) {
      throw error;
    }
    return (RuntimeException) failure;
  }

  @Test
  void helpPrintsUsage() {
    assertThat(execute()).isZero();
    assertThat(out()).contains("./blastwall demo", "./blastwall lab run NAME");
  }
}
