package dev.blastwall.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.blastwall.config.BlastwallConfig;
import dev.blastwall.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The YAML reader against generated documents, valid and broken in every way a file can be: each one reads to the
 * model or is refused with a {@link ConfigException} that says where ({@code file:line}) and what
 * ({@code name: value (expected: ...)}), in one bounded line. The count is fixed, not a clock, and the seed too, so
 * a failure replays; the document is in the failure message (bounded).
 */
class YamlConfigFuzzTest {

  private static final long SEED = 0x5EEDF0CCL;
  private static final int DOCUMENTS = 10_000;
  private static final String SOURCE = "fuzz.yaml";
  // file:line, then name: value (expected: ...), on one line.
  private static final Pattern MESSAGE = Pattern.compile("fuzz\\.yaml:[0-9]+: \\S.*: .+ \\(expected: .+\\)");
  // The longest message: a path and a value each quoted at most ~410 characters, a list of keys, the expectation.
  private static final int MAX_MESSAGE = 2_000;

  private static final List<String> TOKENS = List.of(
      "abc", "-1", "0", "1", "1.5", "1e999", "99999999999999999999999999", "0x1F", ".inf", "~", "null", "true",
      "300", "300ms", "1.5s", "-5ms", "9223372036854775807ns", "[1, 2]", "{a: 1}", "''", "\"\"", "&a 1", "*a",
      "!!binary aGk=", "!foo bar", "'quoted'", "\"\\u0000\"", "| \n  block", ">-\n  folded", "|-", "@", "`", "%",
      "p95", "0.95", "95", "50", "0.5", "full-jitter", "keyed", "critical-plus", "inventory", "shop.Inventory/Get");
  private static final List<String> KEYS = List.of(
      "upstreams", "grpc", "server", "timeout", "attempt-timeout", "idempotent", "retry", "max-attempts", "backoff",
      "base", "cap", "budget", "ratio", "min-per-second", "window", "hedge", "delay", "percentile", "min-delay",
      "max-extra", "breaker", "failure-rate", "minimum-calls", "open", "half-open-probes", "bulkhead",
      "max-concurrent", "max-waiting", "max-wait", "rate-limit", "per-second", "burst", "client", "default-upstream",
      "deadline-slack", "fraction", "max", "methods", "upstream", "idempotency", "admission", "capacity", "reserve",
      "min-retry-after", "critical", "sheddable", "max-atempts", "Timeout", "retry_budget", "\u00e9t\u00e9", "a b");

  @Test
  void everyDocumentReadsOrIsRefusedWithWhereAndWhat(@TempDir Path dir) throws IOException {
    String example = example();
    SplittableRandom random = new SplittableRandom(SEED);
    int read = 0;
    int refused = 0;
    for (int i = 0; i < DOCUMENTS; i++) {
      String yaml = document(random, example, i);
      try {
        BlastwallConfig config = i % 100 == 50 ? load(random, dir, yaml) : YamlConfig.read(yaml, SOURCE);
        assertThat(config).isNotNull();
        read++;
      } catch (ConfigException refusal) {
        String message = Objects.requireNonNull(refusal.getMessage());
        if (message.length() > MAX_MESSAGE || !MESSAGE.matcher(message).matches()) {
          fail("document " + i + " refused with " + message.length() + " characters, not file:line: name: value "
              + "(expected: ...) on one line: " + bounded(message) + "\n--- the document:\n" + bounded(yaml));
        }
        refused++;
      } catch (RuntimeException | StackOverflowError | OutOfMemoryError other) {
        throw new AssertionError("document " + i + " threw " + other + "\n--- the document:\n" + bounded(yaml), other);
      }
    }
    // Both outcomes were exercised: the generator is not stuck on one side.
    assertThat(read).as("documents read").isGreaterThan(DOCUMENTS / 20);
    assertThat(refused).as("documents refused").isGreaterThan(DOCUMENTS / 2);
  }

  private static String document(SplittableRandom random, String example, int index) {
    // A few documents past the size limit or close under it; the rest small, so the run stays short.
    if (index % 1_000 == 7) {
      return example + "#" + "x".repeat(YamlConfig.MAX_CHARACTERS) + "\n";
    }
    if (index % 1_000 == 8) {
      String padding = "# " + "y".repeat(78) + "\n";
      return example + padding.repeat((YamlConfig.MAX_CHARACTERS - example.length()) / padding.length());
    }
    String base = random.nextInt(4) == 0 ? generated(random) : example;
    return switch (random.nextInt(14)) {
      case 0 -> base;
      case 1 -> base.substring(0, random.nextInt(base.length() + 1));
      case 2 -> replaceValue(random, base, TOKENS.get(random.nextInt(TOKENS.size())));
      case 3 -> insertLine(random, base, KEYS.get(random.nextInt(KEYS.size())) + ": "
          + TOKENS.get(random.nextInt(TOKENS.size())));
      case 4 -> {
        int depth = YamlConfig.MAX_DEPTH - 2 + random.nextInt(40);
        String open = random.nextBoolean() ? "[" : "{a: ";
        String close = open.equals("[") ? "]" : "}";
        yield "upstreams:\n  a: " + open.repeat(depth) + "1" + close.repeat(depth) + "\n";
      }
      case 5 -> "upstreams:\n  base: &d {timeout: 1s}\n  other: *d\n" + base;
      case 6 -> duplicateLine(random, base);
      case 7 -> base + "---\n" + base;
      case 8 -> insertChar(random, base, controlChar(random));
      case 9 -> base.replace("  ", random.nextBoolean() ? "\t" : " \t");
      case 10 -> replaceValue(random, base, "9".repeat(1 + random.nextInt(YamlConfig.MAX_SCALAR + 100)));
      case 11 -> swapChars(random, base, 1 + random.nextInt(8));
      case 12 -> insertChar(random, base, (char) (0xD800 + random.nextInt(0x800)));
      default -> generated(random);
    };
  }

  /** {@code yaml} from a file, now and then with a byte that is not UTF-8 (Latin-1, a lone continuation, 0xFF). */
  private static BlastwallConfig load(SplittableRandom random, Path dir, String yaml) throws IOException {
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    if (random.nextBoolean() && bytes.length > 0) {
      byte[] bad = {(byte) 0xE9, (byte) 0x80, (byte) 0xFF, (byte) 0xC0, (byte) 0xED};
      bytes[random.nextInt(bytes.length)] = bad[random.nextInt(bad.length)];
    }
    Path file = dir.resolve(SOURCE);
    Files.write(file, bytes);
    return YamlConfig.load(file);
  }

  /** A configuration of random sections, keys and values: often valid, often not. */
  private static String generated(SplittableRandom random) {
    StringBuilder yaml = new StringBuilder("upstreams:\n");
    int upstreams = 1 + random.nextInt(3);
    for (int u = 0; u < upstreams; u++) {
      yaml.append("  u").append(u).append(":\n");
      yaml.append("    timeout: ").append(1 + random.nextInt(2000)).append("ms\n");
      switch (random.nextInt(5)) {
        case 0 -> yaml.append("    retry: {max-attempts: ").append(1 + random.nextInt(12)).append(", backoff: ")
            .append(List.of("full-jitter", "constant", "none", "equal-jitter", "sideways").get(random.nextInt(5)))
            .append("}\n");
        case 1 -> yaml.append("    hedge: {percentile: 0.").append(random.nextInt(1, 10_000)).append("}\n");
        case 2 -> yaml.append("    breaker: {failure-rate: ").append(random.nextInt(3)).append('.')
            .append(random.nextInt(100)).append(", window: ").append(random.nextInt(0, 300)).append("}\n");
        case 3 -> yaml.append("    bulkhead: {max-concurrent: ").append(random.nextInt(-1, 100))
            .append(", max-waiting: ").append(random.nextInt(3)).append(", max-wait: ").append(random.nextInt(3))
            .append("ms}\n");
        default -> yaml.append("    rate-limit: {per-second: ").append(random.nextInt(0, 1000)).append("}\n");
      }
    }
    if (random.nextBoolean()) {
      yaml.append("server:\n  admission: {capacity: ").append(random.nextInt(0, 50))
          .append(", reserve: {critical: 0.").append(random.nextInt(1, 99)).append("}}\n");
    }
    return yaml.toString();
  }

  /** {@code base} with the value after one colon replaced by {@code value}. */
  private static String replaceValue(SplittableRandom random, String base, String value) {
    List<String> lines = List.of(base.split("\n", -1));
    int at = random.nextInt(lines.size());
    String line = lines.get(at);
    int colon = line.indexOf(": ");
    String replaced = colon < 0 ? line + " " + value : line.substring(0, colon + 2) + value;
    return String.join("\n", lines.subList(0, at)) + (at == 0 ? "" : "\n") + replaced + "\n"
        + String.join("\n", lines.subList(at + 1, lines.size()));
  }

  private static String insertLine(SplittableRandom random, String base, String line) {
    List<String> lines = List.of(base.split("\n", -1));
    int at = random.nextInt(lines.size());
    String indent = lines.get(at).replaceAll("^( *).*$", "$1");
    return String.join("\n", lines.subList(0, at)) + (at == 0 ? "" : "\n") + indent + line + "\n"
        + String.join("\n", lines.subList(at, lines.size()));
  }

  private static String duplicateLine(SplittableRandom random, String base) {
    List<String> lines = List.of(base.split("\n", -1));
    int at = random.nextInt(lines.size());
    return insertLine(random, base, lines.get(at).strip());
  }

  private static String insertChar(SplittableRandom random, String base, char c) {
    int at = random.nextInt(base.length() + 1);
    return base.substring(0, at) + c + base.substring(at);
  }

  private static char controlChar(SplittableRandom random) {
    char[] chars = {'\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u2028', '\u202e', '\ufeff', '\ufffe', '\r'};
    return chars[random.nextInt(chars.length)];
  }

  private static String swapChars(SplittableRandom random, String base, int swaps) {
    char[] chars = base.toCharArray();
    for (int s = 0; s < swaps && chars.length > 1; s++) {
      int a = random.nextInt(chars.length);
      int b = random.nextInt(chars.length);
      char kept = chars[a];
      chars[a] = chars[b];
      chars[b] = kept;
    }
    return new String(chars);
  }

  private static String bounded(String text) {
    return text.length() <= 2_000 ? text : text.substring(0, 2_000) + "... (" + text.length() + " chars)";
  }

  private static String example() throws IOException {
    try (InputStream in = Objects.requireNonNull(YamlConfigFuzzTest.class.getResourceAsStream("blastwall.yaml"))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
