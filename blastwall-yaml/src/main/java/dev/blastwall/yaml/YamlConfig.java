package dev.blastwall.yaml;

import dev.blastwall.config.BlastwallConfig;
import dev.blastwall.config.ConfigException;
import dev.blastwall.config.ConfigNode;
import dev.blastwall.config.ConfigReader;
import dev.blastwall.internal.Untrusted;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Blastwall's configuration written in YAML ({@code docs/configuration.md}), read onto core's model:
 *
 * <pre>{@code
 * BlastwallConfig config = YamlConfig.load(Path.of("blastwall.yaml"));
 * UpstreamRegistry upstreams = UpstreamRegistry.fromConfig(config, Environment.system());
 * }</pre>
 *
 * <p>Scalars are read as the text written (YAML's types are not resolved), so the model's rules read every value
 * the same way in YAML and in a flat map. A document is refused, with a {@link ConfigException} naming its line,
 * when it is not YAML or passes a limit: {@value #MAX_CHARACTERS} characters, {@value #MAX_DEPTH} levels of
 * mappings and lists, {@value #MAX_SCALAR} characters in a key or value; aliases, keys that are not plain values,
 * duplicate keys and a second document are refused too. Nothing but a {@code ConfigException} escapes, whatever the
 * text.
 */
public final class YamlConfig {

  /** The most characters a document may have: 1 MiB, a hundred times a large configuration. */
  public static final int MAX_CHARACTERS = 1 << 20;

  /** The most levels of mappings and lists, the top one included; a configuration nests about six. */
  public static final int MAX_DEPTH = 64;

  /** The most characters in one key or value. */
  public static final int MAX_SCALAR = 4096;

  private YamlConfig() {}

  /**
   * The configuration in the file at {@code file}, read as UTF-8; errors start with the file's name and line.
   *
   * @throws ConfigException if the file is not UTF-8 or does not read as a configuration
   * @throws IOException if the file cannot be read
   */
  public static BlastwallConfig load(Path file) throws IOException {
    Path name = file.getFileName();
    String source = name == null ? file.toString() : name.toString();
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // Read no further than the most bytes MAX_CHARACTERS can take in UTF-8, and one more: a huge file is refused
      // without being read whole.
      bytes = in.readNBytes(MAX_CHARACTERS * 4 + 1);
    }
    CharBuffer text = CharBuffer.allocate(Math.min(bytes.length, MAX_CHARACTERS + 1));
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CoderResult result = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(in, text, true);
    if (result.isError()) {
      int line = 1;
      for (int i = 0; i < in.position(); i++) {
        line += bytes[i] == '\n' ? 1 : 0;
      }
      throw new ConfigException("encoding", "not UTF-8", "a YAML file in UTF-8").at(source + ":" + line);
    }
    text.flip();
    return read(text.toString(), source);
  }

  /**
   * The configuration {@code yaml} describes; errors start with {@code source} and the line.
   *
   * @throws ConfigException if it is not YAML, passes a limit, or does not describe a valid configuration
   */
  public static BlastwallConfig read(String yaml, String source) {
    Parsed parsed = parseWithLines(yaml, source);
    try {
      return ConfigReader.read(parsed.root());
    } catch (ConfigException invalid) {
      Integer line = lineOf(parsed.lines(), invalid.path());
      throw invalid.at(line == null ? source : source + ":" + line);
    }
  }

  /**
   * The tree of {@code yaml}, for {@link ConfigReader} or a reader of another section's own.
   *
   * @throws ConfigException if it is not YAML or passes a limit
   */
  public static ConfigNode parse(String yaml, String source) {
    return parseWithLines(yaml, source).root();
  }

  private record Parsed(ConfigNode root, Map<String, Integer> lines) {}

  private static Parsed parseWithLines(String yaml, String source) {
    if (yaml.length() > MAX_CHARACTERS) {
      // Named at the line where the limit is passed, like every other refusal.
      throw new ConfigException("size", "more than " + MAX_CHARACTERS + " characters",
          "at most " + MAX_CHARACTERS + " characters, 1 MiB").at(source + ":" + lineAt(yaml, MAX_CHARACTERS));
    }
    LoadSettings settings = LoadSettings.builder().setLabel(source).setAllowDuplicateKeys(false).build();
    TreeBuilder builder = new TreeBuilder(
        new ParserImpl(settings, new StreamReader(settings, yaml)), source, MAX_DEPTH, MAX_SCALAR);
    try {
      return new Parsed(builder.build(), builder.lines());
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(mark -> mark.getLine() + 1).orElse(builder.line());
      throw new ConfigException("document", Untrusted.escape(String.valueOf(e.getProblem()).strip()), "valid YAML")
          .at(source + ":" + line);
    } catch (YamlEngineException e) {
      throw new ConfigException("document", Untrusted.escape(String.valueOf(e.getMessage()).strip()), "valid YAML")
          .at(source + ":" + builder.line());
    }
  }

  /** The line (from 1) of the character at {@code index}. */
  private static int lineAt(String text, int index) {
    int line = 1;
    for (int i = 0; i < index; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /** The line of the value at {@code path}, or of the closest enclosing value written. */
  private static @Nullable Integer lineOf(Map<String, Integer> lines, String path) {
    String at = path;
    while (!at.isEmpty()) {
      Integer line = lines.get(at);
      if (line != null) {
        return line;
      }
      int cut = Math.max(at.lastIndexOf('.'), at.lastIndexOf('['));
      at = cut < 0 ? "" : at.substring(0, cut);
    }
    return lines.get("");
  }
}
