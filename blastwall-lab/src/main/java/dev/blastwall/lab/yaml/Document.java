package dev.blastwall.lab.yaml;

import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.Mark;
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
   * Parses {@code yaml}; syntax errors and duplicate keys throw snakeyaml-engine's marked exceptions.
   *
   * @param sourceName the name snakeyaml-engine puts in its marks
   */
  static Document parse(String yaml, String sourceName) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(sourceName)
            .setAllowDuplicateKeys(false)
            // YAML 1.2's recommended schema: ~ and null are null, true and false booleans, 0x1F and .inf numbers.
            .setSchema(new CoreSchema())
            // Anchors are allowed for sharing a block, but a billion-laughs file must not blow up the lab.
            .setMaxAliasesForCollections(50)
            .build();
    // Compose's own class sits in a package the module does not export; this is its body.
    Optional<Node> root =
        new Composer(settings, new ParserImpl(settings, new StreamReader(settings, yaml))).getSingleNode();
    Object raw = root.isPresent() ? new StandardConstructor(settings).constructSingleDocument(root) : null;
    return new Document(root.orElse(null), new Value(YamlPath.ROOT, raw));
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
