package dev.blastwall.lab.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.blastwall.internal.Untrusted;
import dev.blastwall.lab.plan.LabPlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lab file boundary under random and mutated input: the shipped example with lines deleted, duplicated and
 * swapped, characters flipped, control bytes and odd Unicode inserted, values replaced by huge numbers and deep
 * nesting, aliases scattered, the text cut short; and text made of YAML's own punctuation. Whatever comes in, the
 * only failure is a {@link LabFileException} naming a line, and a file that is read writes back to the same plan.
 * A fixed seed and a fixed count: the same cases every run, in a few seconds.
 */
class LabFileFuzzTest {

  private static final long SEED = 0x1AB_F11EL;
  private static final int MUTANTS = 1_500;
  private static final int RANDOM_FILES = 300;

  private static final String[] ODD_TEXT = {
      "\u0000", "\u0007", "\t", "\r", "\u001b[31m", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029", "\u202e",
      "\ufeff", "\ufffd", "\ud800", "\udfff", "\ud83d\ude00", "e\u0301", "\u0645\u0631\u062d\u0628\u0627", "\u4e2d",
      "\uffff", "%", "%d%s%n", "\\", "'", "\"", "!!binary", "!!python/object:x", "!!set", "? ", "<<: ", "---",
      "...", "&a ", "*a", "&b [1, 2]", "*b", "|", ">-", "#", "@", "`"};
  private static final String[] HUGE_VALUES = {
      "99999999999999999999", "-99999999999999999999", "2147483648", "9223372036854775808", "1e400", "-1e400",
      ".inf", "-.inf", ".nan", "0x7fffffffffffffff", "0o777777777777777777777", "-0", "1e-400", "4.9e-324",
      "99999999999999999999m", "9223372036854775807ns", "1e9s", "0.0000000001ns", "5 ms", "-5s", "60m", "61m",
      "3600.000000001s", "9".repeat(5_000), "9".repeat(3_000) + "ms", "~", "null", "[]", "{}", "\"\"", "''"};
  private static final String PUNCTUATION = ":-[]{},&*!|>'\"#%@` \t\n?~.0123456789abcsmn_\\";

  private final SplittableRandom random = new SplittableRandom(SEED);

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void mutatedAndRandomPlans_failOnlyWithALabFileExceptionNamingALine() throws IOException {
    String example = example();
    int read = 0;
    for (int i = 0; i < MUTANTS; i++) {
      String yaml = example;
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        yaml = mutate(yaml);
      }
      read += check("mutant " + i, yaml) ? 1 : 0;
    }
    for (int i = 0; i < RANDOM_FILES; i++) {
      check("random file " + i, randomText(1 + random.nextInt(400)));
    }
    // The mutations must leave some files valid, or the reader's happy path would go unfuzzed.
    assertThat(read).isGreaterThan(MUTANTS / 20);
  }

  // Parses `yaml`: true when it is a plan, false when it fails as documented; any other outcome fails the test.
  private static boolean check(String name, String yaml) {
    LabPlan plan;
    try {
      plan = LabFile.parse(yaml, "fuzz.yaml");
    } catch (LabFileException e) {
      String message = Objects.requireNonNull(e.getMessage());
      assertThat(message).as("%s: %s", name, Untrusted.escape(yaml)).startsWith("fuzz.yaml");
      if (!message.startsWith("fuzz.yaml: empty")) {
        assertThat(e.line()).as("%s: %s\n%s", name, message, InvalidValue.show(yaml)).isPresent();
      }
      return false;
    } catch (Throwable e) {
      // The input shown escaped and in full: a failure here is a case to turn into a test of its own.
      return fail(name + " threw " + e + " for " + yaml.replace("\n", "\\n").codePoints()
          .mapToObj(c -> c < 0x20 || c > 0x7e ? String.format(Locale.ROOT, "\\u%04x", c) : Character.toString(c))
          .reduce("", String::concat), e);
    }
    // What is read writes back to the same topology and faults.
    LabPlan again = LabFile.parse(LabFile.write(plan.topology(), plan.faults()), "written.yaml");
    assertThat(again.topology()).as(name).isEqualTo(plan.topology());
    assertThat(again.faults()).as(name).isEqualTo(plan.faults());
    return true;
  }

  private String mutate(String yaml) {
    List<String> lines = new ArrayList<>(yaml.lines().toList());
    if (lines.isEmpty()) {
      return randomText(20);
    }
    int at = random.nextInt(lines.size());
    String line = lines.get(at);
    switch (random.nextInt(10)) {
      case 0 -> lines.remove(at);
      case 1 -> lines.add(at, line);
      case 2 -> {
        int other = random.nextInt(lines.size());
        lines.set(at, lines.get(other));
        lines.set(other, line);
      }
      case 3 -> lines.set(at, replaceChar(line, PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length()))));
      case 4 -> lines.set(at, insert(line, ODD_TEXT[random.nextInt(ODD_TEXT.length)]));
      case 5 -> lines.set(at, replaceValue(line, HUGE_VALUES[random.nextInt(HUGE_VALUES.length)]));
      case 6 -> lines.set(at, replaceValue(line, nesting(random.nextInt(3_000))));
      case 7 -> lines.set(at, replaceValue(line, "&x" + random.nextInt(3) + " " + valueOf(line)));
      case 8 -> lines.set(at, replaceValue(line, "*x" + random.nextInt(3)));
      default -> {
        String text = String.join("\n", lines);
        return text.substring(0, random.nextInt(text.length() + 1));
      }
    }
    return String.join("\n", lines) + "\n";
  }

  private String replaceChar(String line, char replacement) {
    if (line.isEmpty()) {
      return String.valueOf(replacement);
    }
    int at = random.nextInt(line.length());
    return line.substring(0, at) + replacement + line.substring(at + 1);
  }

  private String insert(String line, String text) {
    int at = random.nextInt(line.length() + 1);
    return line.substring(0, at) + text + line.substring(at);
  }

  // The line with what follows its first ": " (or its list dash) replaced; the line unchanged apart from that.
  private static String replaceValue(String line, String value) {
    int colon = line.indexOf(": ");
    if (colon >= 0) {
      return line.substring(0, colon + 2) + value;
    }
    int dash = line.indexOf("- ");
    return dash >= 0 ? line.substring(0, dash + 2) + value : line + " " + value;
  }

  private static String valueOf(String line) {
    int colon = line.indexOf(": ");
    return colon >= 0 ? line.substring(colon + 2) : "1";
  }

  // Flow lists or mappings nested `depth` deep, balanced or not.
  private String nesting(int depth) {
    String open = random.nextBoolean() ? "[" : "{k: ";
    String close = open.equals("[") ? "]" : "}";
    return open.repeat(depth) + (random.nextBoolean() ? "1" + close.repeat(depth) : "");
  }

  private String randomText(int length) {
    StringBuilder text = new StringBuilder();
    while (text.length() < length) {
      if (random.nextInt(8) == 0) {
        text.append(ODD_TEXT[random.nextInt(ODD_TEXT.length)]);
      } else {
        text.append(PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length())));
      }
    }
    return text.toString();
  }

  private static String example() throws IOException {
    try (InputStream in = LabFileFuzzTest.class.getResourceAsStream("/dev/blastwall/lab/examples/checkout.yaml")) {
      return new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
