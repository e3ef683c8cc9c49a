package dev.blastwall.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a YAML document is refused, with the message and line it is refused with. */
class YamlConfigErrorsTest {

  private static void assertRefused(String yaml, String message) {
    assertThatThrownBy(() -> YamlConfig.read(yaml, "blastwall.yaml"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void anUnknownKeyNamesTheNearestOneAndItsLine() {
    assertRefused("""
        upstreams:
          inventory:
            retry:
              max-atempts: 3
        """, "blastwall.yaml:4: upstreams.inventory.retry.max-atempts: unknown key "
        + "(expected: one of max-attempts, backoff, base, cap, budget; did you mean max-attempts?)");
    assertRefused("upstream: {}\n",
        "blastwall.yaml:1: upstream: unknown key (expected: one of upstreams, grpc, server; did you mean upstreams?)");
  }

  @Test
  void valuesOfTheWrongTypeOrOutOfRange() {
    assertRefused("""
        upstreams:
          inventory:
            timeout: 300
        """, "blastwall.yaml:3: upstreams.inventory.timeout: \"300\" (expected: a duration > 0 with a unit of ns, "
        + "us, ms, s or m, like 300ms)");
    assertRefused("""
        upstreams:
          inventory:
            breaker: [failure-rate]
        """, "blastwall.yaml:3: upstreams.inventory.breaker: a list (expected: a mapping of settings)");
    assertRefused("""
        upstreams:
          inventory:
            breaker: {failure-rate: 50}
        """, "blastwall.yaml:3: upstreams.inventory.breaker.failure-rate: \"50\" (expected: a fraction > 0 and <= 1 "
        + "(0.5 is half the calls))");
    assertRefused("""
        upstreams:
          inventory:
            timeout: {ms: 300}
        """, "blastwall.yaml:3: upstreams.inventory.timeout: a mapping (expected: a duration > 0 with a unit of ns, "
        + "us, ms, s or m, like 300ms)");
    assertRefused("""
        upstreams:
          inventory: {}
        grpc:
          client:
            default-upstream: inventory
            methods:
              shop.Inventory: {upstream: inventroy}
        """, "blastwall.yaml:7: grpc.client.methods[\"shop.Inventory\"].upstream: \"inventroy\" "
        + "(expected: one of the upstreams inventory)");
  }

  @Test
  void whatYamlAllowsAndAConfigurationDoesNot() {
    assertRefused("""
        upstreams:
          base: &defaults {timeout: 1s}
          inventory: *defaults
        """, "blastwall.yaml:3: upstreams.inventory: *defaults (expected: no aliases: write the value out)");
    assertRefused("""
        upstreams:
          inventory: {timeout: 1s}
          inventory: {timeout: 2s}
        """, "blastwall.yaml:3: upstreams.inventory: a duplicate key (expected: each key once in a mapping)");
    assertRefused("? [a, b]\n: 1\n", "blastwall.yaml:1: document: a list as a key (expected: a plain key)");
    assertRefused("upstreams: {}\n---\nupstreams: {}\n",
        "blastwall.yaml:2: document: a second document (expected: one document)");
    assertRefused("upstreams: [\n", "blastwall.yaml:2: document: expected the node content, but found '<stream end>' (expected: valid YAML)");
    assertRefused("- a\n- b\n", "blastwall.yaml:1: document: a list (expected: a mapping of upstreams, grpc, server)");
  }

  @Test
  void theLimits() {
    assertRefused("[".repeat(65) + "]".repeat(65) + "\n",
        "blastwall.yaml:1: nesting: 65 levels (expected: at most 64 levels of mappings and lists)");
    assertRefused("upstreams: " + "x".repeat(YamlConfig.MAX_SCALAR + 1) + "\n",
        "blastwall.yaml:1: upstreams: 4097 characters (expected: at most 4096 characters in a key or value)");
    assertRefused("#".repeat(YamlConfig.MAX_CHARACTERS + 1),
        "blastwall.yaml:1: size: more than 1048576 characters (expected: at most 1048576 characters, 1 MiB)");
  }

  @Test
  void anEmptyDocumentIsAnEmptyConfiguration() {
    assertThat(YamlConfig.read("", "empty.yaml").upstreams()).isEmpty();
    assertThat(YamlConfig.read("# nothing\n", "empty.yaml").grpcClient()).isNull();
  }

  @Test
  void aFileIsReadNoFurtherThanTheLimit(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("big.yaml");
    Files.writeString(file, "#".repeat(3 * YamlConfig.MAX_CHARACTERS));
    assertThatThrownBy(() -> YamlConfig.load(file)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("big.yaml:1: size: more than 1048576 characters");
    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, "upstreams:\n  inventory:\n    # caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> YamlConfig.load(latin1)).isInstanceOf(ConfigException.class)
        .hasMessage("latin1.yaml:3: encoding: not UTF-8 (expected: a YAML file in UTF-8)");
    Path small = dir.resolve("small.yaml");
    Files.writeString(small, "upstreams:\n  inventory: {timeout: 1s}\n");
    assertThat(YamlConfig.load(small).upstreams()).containsOnlyKeys("inventory");
  }
}
