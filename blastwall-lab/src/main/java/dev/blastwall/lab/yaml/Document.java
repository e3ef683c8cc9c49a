package dev.blastwall.lab.yaml;

import dev.blastwall.internal.Untrusted;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * A lab file read by snakeyaml-engine into plain maps, lists and scalars, keeping the node tree beside them so an
 * error found later, in the model, can still name its line. This is what {@code Load} does, in its two steps
 * (compose, then construct), so the nodes are not thrown away.
 */
final class Document {

  private final @Nullable Node root;
  private final Value value;

  private Document(@Nullable Node root, Value value) {
    this.root = root;
    this.value = value;
  }

  /**
   * Parses {@code yaml} within the limits of {@link LabFile}.
   *
   * @param sourceName the name errors start with; snakeyaml-engine puts it in its marks too
   * @throws LabFileException if it is not YAML, has duplicate keys, or passes a limit
   */
  static Document parse(String yaml, String sourceName) {
    // Checked here, not with the engine's setCodePointLimit: the engine checks between tokens only, so it misses
    // a huge scalar until after reading it, and comments after the last token altogether.
    if (yaml.length() > LabFile.MAX_CHARACTERS && yaml.codePointCount(0, yaml.length()) > LabFile.MAX_CHARACTERS) {
      throw new LabFileException(sourceName, lineAt(yaml, yaml.offsetByCodePoints(0, LabFile.MAX_CHARACTERS)),
          "size: more than " + LabFile.MAX_CHARACTERS + " characters (expected: at most " + LabFile.MAX_CHARACTERS
              + " characters, 1 MiB)");
    }
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(sourceName)
            .setAllowDuplicateKeys(false)
            // YAML 1.2's recommended schema: ~ and null are null, true and false booleans, 0x1F and .inf numbers.
            .setSchema(new CoreSchema())
            // Anchors are allowed for sharing a block, but a billion-laughs file must not blow up the lab.
            .setMaxAliasesForCollections(LabFile.MAX_ALIASES)
            .build();
    ParserLimits parser = new ParserLimits(
        new ParserImpl(settings, new StreamReader(settings, yaml)), sourceName, LabFile.MAX_DEPTH, LabFile.MAX_SCALAR);
    try {
      // Compose's own class sits in a package the module does not export; this is its body.
      Optional<Node> root = new Composer(settings, parser).getSingleNode();
      Object raw = root.isPresent() ? new StandardConstructor(settings).constructSingleDocument(root) : null;
      return new Document(root.orElse(null), new Value(YamlPath.ROOT, raw));
    } catch (MarkedYamlEngineException e) {
      OptionalInt line = e.getProblemMark().map(mark -> OptionalInt.of(mark.getLine() + 1)).orElse(OptionalInt.empty());
      throw new LabFileException(sourceName, line, "not valid YAML: " + problem(e));
    } catch (YamlEngineException e) {
      // The engine's limit on aliases fails without a mark: the parser read up to the alias that passed it.
      if (parser.collectionAliases() > LabFile.MAX_ALIASES) {
        throw new LabFileException(sourceName, parser.lastLine(), "aliases: more than " + LabFile.MAX_ALIASES
            + " of mappings and lists (expected: at most " + LabFile.MAX_ALIASES + ")");
      }
      throw new LabFileException(sourceName, parser.lastLine(), "not valid YAML: " + Untrusted.escape(
          String.valueOf(e.getMessage())));
    }
  }

  // The line (from 1) of the character at `index`.
  private static OptionalInt lineAt(String text, int index) {
    int line = 1;
    for (int i = 0; i < index; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return OptionalInt.of(line);
  }

  private static String problem(MarkedYamlEngineException e) {
    String problem = String.valueOf(e.getProblem()).trim();
    String context = e.getContext() == null ? "" : e.getContext().trim();
    int contextLine = e.getContextMark().map(Mark::getLine).orElse(-1) + 1;
    return Untrusted.escape(
        context.isEmpty() ? problem : problem + " (" + context + (contextLine > 0 ? " on line " + contextLine : "") + ")");
  }

  Value value() {
    return value;
  }

  /** The line (from 1) of the value at {@code path}, or of its closest enclosing value that exists. */
  OptionalInt lineOf(YamlPath path) {
    Node node = root;
    if (node == null) {
      return OptionalInt.empty();
    }
    for (Object segment : path.segments()) {
      Node next = child(node, segment);
      if (next == null) {
        break;
      }
      node = next;
    }
    return node.getStartMark().map(Mark::getLine).map(line -> OptionalInt.of(line + 1)).orElse(OptionalInt.empty());
  }

  private static @Nullable Node child(Node node, Object segment) {
    if (node instanceof MappingNode mapping && segment instanceof String key) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
          return tuple.getValueNode();
        }
      }
    }
    if (node instanceof SequenceNode sequence && segment instanceof Integer index
        && index < sequence.getValue().size()) {
      return sequence.getValue().get(index);
    }
    return null;
  }
}
