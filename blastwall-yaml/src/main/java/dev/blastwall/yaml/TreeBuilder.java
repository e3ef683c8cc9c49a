package dev.blastwall.yaml;

import dev.blastwall.config.ConfigException;
import dev.blastwall.config.ConfigNode;
import dev.blastwall.internal.Untrusted;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionEndEvent;
import org.snakeyaml.engine.v2.events.DocumentStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.events.SequenceStartEvent;
import org.snakeyaml.engine.v2.parser.Parser;

/**
 * Builds the configuration tree from the parser's events, without recursion and without resolving types: every
 * scalar stays the text written, so {@code 3}, {@code "3"} and {@code 3s} are read by the model's own rules. What
 * YAML allows and a configuration needs not is refused here: aliases (a few of them can stand for billions of
 * nodes), keys that are not scalars, duplicate keys, nesting past the limit, over-long scalars, a second document.
 */
final class TreeBuilder {

  /** A mapping or list being read. */
  private static final class Open {
    final String path;
    final @Nullable Map<String, ConfigNode> entries;
    final @Nullable List<ConfigNode> items;
    @Nullable String key;

    Open(String path, boolean mapping) {
      this.path = path;
      this.entries = mapping ? new LinkedHashMap<>() : null;
      this.items = mapping ? null : new ArrayList<>();
    }
  }

  private final Parser parser;
  private final String source;
  private final int maxDepth;
  private final int maxScalar;
  private final Deque<Open> open = new ArrayDeque<>();
  private final Map<String, Integer> lines = new HashMap<>();
  private @Nullable ConfigNode root;
  private int documents;
  private int line = 1;

  TreeBuilder(Parser parser, String source, int maxDepth, int maxScalar) {
    this.parser = parser;
    this.source = source;
    this.maxDepth = maxDepth;
    this.maxScalar = maxScalar;
  }

  /** The line (from 1) of each node by its path. */
  Map<String, Integer> lines() {
    return lines;
  }

  /** The line (from 1) of the last event read. */
  int line() {
    return line;
  }

  /** The document's tree; an empty document is an empty mapping. */
  ConfigNode build() {
    while (parser.hasNext()) {
      Event event = parser.next();
      event.getStartMark().ifPresent(mark -> line = mark.getLine() + 1);
      switch (event) {
        case DocumentStartEvent unused -> {
          if (++documents > 1) {
            throw error("document", "a second document", "one document");
          }
        }
        case MappingStartEvent unused -> push(true);
        case SequenceStartEvent unused -> push(false);
        case CollectionEndEvent unused -> {
          Open closed = open.pop();
          add(closed.entries != null
              ? new ConfigNode.Mapping(closed.path, closed.entries)
              : new ConfigNode.Sequence(closed.path, closed.items == null ? List.of() : closed.items));
        }
        case ScalarEvent scalar -> scalar(scalar.getValue());
        case AliasEvent alias -> throw error(nextPath(), "*" + Untrusted.escape(alias.getAlias().getValue()),
            "no aliases: write the value out");
        default -> {}
      }
    }
    return root != null ? root : new ConfigNode.Mapping("", Map.of());
  }

  private void push(boolean mapping) {
    Open parent = open.peek();
    if (parent != null && parent.entries != null && parent.key == null) {
      throw error(parent.path, mapping ? "a mapping as a key" : "a list as a key", "a plain key");
    }
    if (open.size() + 1 > maxDepth) {
      throw error("nesting", (open.size() + 1) + " levels", "at most " + maxDepth + " levels of mappings and lists");
    }
    String path = nextPath();
    lines.putIfAbsent(path, line);
    open.push(new Open(path, mapping));
  }

  private void scalar(String value) {
    if (value.length() > maxScalar) {
      throw error(nextPath(), value.length() + " characters", "at most " + maxScalar + " characters in a key or value");
    }
    Open parent = open.peek();
    if (parent != null && parent.entries != null && parent.key == null) {
      if (parent.entries.containsKey(value)) {
        throw error(ConfigNode.childPath(parent.path, value), "a duplicate key", "each key once in a mapping");
      }
      parent.key = value;
      return;
    }
    String path = nextPath();
    lines.putIfAbsent(path, line);
    add(new ConfigNode.Scalar(path, value));
  }

  /** The path of the node that comes next. */
  private String nextPath() {
    Open parent = open.peek();
    if (parent == null) {
      return "";
    }
    if (parent.entries != null) {
      return parent.key == null ? parent.path : ConfigNode.childPath(parent.path, parent.key);
    }
    return ConfigNode.itemPath(parent.path, parent.items == null ? 0 : parent.items.size());
  }

  private void add(ConfigNode node) {
    Open parent = open.peek();
    if (parent == null) {
      root = node;
    } else if (parent.entries != null && parent.key != null) {
      parent.entries.put(parent.key, node);
      parent.key = null;
    } else if (parent.items != null) {
      parent.items.add(node);
    }
  }

  private ConfigException error(String path, String shown, String expected) {
    return new ConfigException(path.isEmpty() ? "document" : path, shown, expected).at(source + ":" + line);
  }
}
