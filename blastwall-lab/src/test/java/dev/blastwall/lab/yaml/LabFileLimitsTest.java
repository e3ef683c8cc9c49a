package dev.blastwall.lab.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile files: nested thousands deep (the parser, the reader and the error renderer used to recurse into a
 * StackOverflowError), aliases that expand into a deep or huge value, and files too large to read.
 */
class LabFileLimitsTest {

  private static final String PLAN = "entry: a\nservices:\n  a: {}\n";
  private static final String TOO_DEEP = "(expected: at most " + LabFile.MAX_DEPTH + " levels of mappings and lists)";

  @Test
  void flowListsNestedThousandsDeep_failOnTheLineWithTheLimit() {
    for (int depth : new int[] {1_000, 2_000, 20_000}) {
      String yaml = PLAN + "load: " + "[".repeat(depth) + "]".repeat(depth) + "\n";
      assertThatThrownBy(() -> LabFile.parse(yaml, "deep.yaml"))
          .isInstanceOf(LabFileException.class)
          .hasMessage("deep.yaml:4: nesting: " + (LabFile.MAX_DEPTH + 1) + " levels " + TOO_DEEP)
          .hasNoCause();
    }
  }

  @Test
  void flowMappingsNestedThousandsDeep_failOnTheLineWithTheLimit() {
    for (int depth : new int[] {1_000, 2_000, 20_000}) {
      String yaml = PLAN + "load: " + "{a: ".repeat(depth) + "1" + "}".repeat(depth) + "\n";
      assertThatThrownBy(() -> LabFile.parse(yaml, "deep.yaml"))
          .isInstanceOf(LabFileException.class)
          .hasMessage("deep.yaml:4: nesting: " + (LabFile.MAX_DEPTH + 1) + " levels " + TOO_DEEP);
    }
  }

  @Test
  void blockMappingsAndListsNestedThousandsDeep_failOnTheLineWhereTheLimitIsPassed() {
    StringBuilder mappings = new StringBuilder(PLAN + "load:\n");
    StringBuilder lists = new StringBuilder(PLAN + "load:\n");
    // 1,400 levels indented one more space each: as deep as 1 MiB of block style goes.
    for (int level = 1; level <= 1_400; level++) {
      mappings.append(" ".repeat(level)).append("k:\n");
      lists.append(" ".repeat(level)).append("-\n");
    }
    // load is level 1 (the root mapping), its value level 2 on line 5: level MAX_DEPTH + 1 starts on that line + ...
    int line = 5 + (LabFile.MAX_DEPTH + 1) - 2;
    for (StringBuilder yaml : new StringBuilder[] {mappings, lists}) {
      LabFileException failure =
          catchThrowableOfType(LabFileException.class, () -> LabFile.parse(yaml.toString(), "deep.yaml"));
      assertThat(failure).hasMessageEndingWith(TOO_DEEP);
      assertThat(failure.line()).isEqualTo(OptionalInt.of(line));
    }
  }

  @Test
  void nestingUpToTheLimit_isReadAndItsValueShownShort() {
    // The root mapping, services and a are levels 1 to 3: MAX_DEPTH - 3 lists under a are exactly at the limit.
    int depth = LabFile.MAX_DEPTH - 3;
    String yaml = "entry: a\nservices:\n  a: {workers: " + "[".repeat(depth) + "]".repeat(depth) + "}\n";
    assertThatThrownBy(() -> LabFile.parse(yaml, "deep.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessageStartingWith("deep.yaml:3: services.a.workers: [[[[")
        .hasMessageEndingWith("... (expected: a whole number)");
  }

  @Test
  void aliasesThatNestWhatTheyReferTo_countTheNestingTheyExpandTo() {
    // Each anchor nests the previous one 10 lists deeper: 10 aliases stand for 110 levels.
    StringBuilder yaml = new StringBuilder("entry: a\nservices:\n  a: {}\nx0: &x0 1\n");
    for (int i = 1; i <= 10; i++) {
      yaml.append('x').append(i).append(": &x").append(i).append(' ')
          .append("[".repeat(10)).append("*x").append(i - 1).append("]".repeat(10)).append('\n');
    }
    LabFileException failure =
        catchThrowableOfType(LabFileException.class, () -> LabFile.parse(yaml.toString(), "alias.yaml"));
    assertThat(failure).hasMessageContaining("nesting: ").hasMessageEndingWith(TOO_DEEP);
    assertThat(failure.line()).isPresent();
  }

  @Test
  void anAliasInsideWhatItRefersTo_isRefusedRatherThanReadForever() {
    String slowTail = "{slow_tail: &t {base: {slow_tail: *t}, probability: 0.5, slow: 1s}}";
    assertThatThrownBy(() -> LabFile.parse("entry: a\nservices:\n  a: {service_time: " + slowTail + "}\n", "loop.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessage("loop.yaml:3: alias: *t inside the value it refers to "
            + "(expected: an alias after the end of its anchor's value)");
  }

  @Test
  void aValueThatAliasesExpandToBillionsOfItems_isShownShortAndAtOnce() {
    // 24 levels, each a list of the previous one twice: 2^27 leaves from 48 aliases (the file may use 50).
    StringBuilder yaml = new StringBuilder("entry: a\nservices:\n  a:\n    workers:\n");
    yaml.append("      - &l0 [ha, ha, ha, ha, ha, ha, ha, ha]\n");
    for (int i = 1; i <= 24; i++) {
      yaml.append("      - &l").append(i).append(" [*l").append(i - 1).append(", *l").append(i - 1).append("]\n");
    }
    assertThatThrownBy(() -> LabFile.parse(yaml.toString(), "laughs.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessageStartingWith("laughs.yaml:5: services.a.workers: [[\"ha\", \"ha\", ")
        .hasMessageEndingWith("... (expected: a whole number)");
  }

  @Test
  void moreThanFiftyAliasesOfCollections_areRefused() {
    StringBuilder yaml = new StringBuilder("entry: a\nservices:\n  a: {}\nx: &x [1]\ny: [");
    yaml.append("*x, ".repeat(51)).append("]\n");
    assertThatThrownBy(() -> LabFile.parse(yaml.toString(), "aliases.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessageStartingWith("aliases.yaml:5: ")
        .hasMessageContaining("50");
  }

  @Test
  void aTextLargerThanTheLimit_failsOnTheLineWhereTheLimitIsPassed() {
    String comment = "# " + "x".repeat(98) + "\n";
    String yaml = PLAN + comment.repeat(LabFile.MAX_CHARACTERS / comment.length() + 1);
    LabFileException failure = catchThrowableOfType(LabFileException.class, () -> LabFile.parse(yaml, "big.yaml"));
    assertThat(failure).hasMessageMatching("big\\.yaml:\\d+: size: more than " + LabFile.MAX_CHARACTERS
        + " characters \\(expected: at most " + LabFile.MAX_CHARACTERS + " characters, 1 MiB\\)");
    assertThat(failure.line()).hasValue(3 + LabFile.MAX_CHARACTERS / comment.length() + 1);
  }

  @Test
  void aFileLargerThanTheLimit_isRefusedWithoutReadingItWhole(@TempDir Path dir) throws IOException {
    Path big = dir.resolve("big.yaml");
    Files.writeString(big, PLAN + "#".repeat(LabFile.MAX_BYTES), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> LabFile.load(big))
        .isInstanceOf(LabFileException.class)
        .hasMessage(big + ": size: more than " + LabFile.MAX_BYTES + " bytes (expected: at most "
            + LabFile.MAX_BYTES + " bytes, 1 MiB)");
    Path exact = dir.resolve("exact.yaml");
    Files.writeString(exact, PLAN + "#".repeat(LabFile.MAX_BYTES - PLAN.length()), StandardCharsets.UTF_8);
    assertThat(LabFile.load(exact).topology().entry()).isEqualTo("a");
  }

  @Test
  void aFileThatIsNotUtf8_isRefusedNamingTheEncoding(@TempDir Path dir) throws IOException {
    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, (PLAN + "# caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> LabFile.load(latin1))
        .isInstanceOf(LabFileException.class)
        .hasMessage(latin1 + ":4: encoding: not UTF-8 (expected: a YAML file in UTF-8)");
  }

  @Test
  void controlCharactersInAValue_areShownEscaped() {
    assertThatThrownBy(() -> LabFile.parse("entry: \"a\\e[2J\\0\\u202e\"\nservices:\n  a: {}\n", "ctl.yaml"))
        .isInstanceOf(LabFileException.class)
        .hasMessage("ctl.yaml:1: entry: \"a\\x1b[2J\\x00\\u202e\" (expected: one of the services [a])");
  }
}
