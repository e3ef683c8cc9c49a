package dev.blastwall.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A configuration as a neutral tree of mappings, lists and scalars, whatever it was written in (a flat map of
 * properties, YAML). Scalars are kept as the text written, so every format reads values by the same rules and
 * every error quotes the value as given. Each node knows its path, which errors name:
 * {@code upstreams.inventory.retry.max-attempts}.
 */
public sealed interface ConfigNode {

  /** Where the node is, for messages: {@code upstreams.inventory.timeout}, {@code grpc.client.methods["a.B/C"]}. */
  String path();

  /** A mapping of keys to nodes, in the order written. */
  record Mapping(String path, Map<String, ConfigNode> entries) implements ConfigNode {
    public Mapping {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The node under {@code key}, or null. */
    public @Nullable ConfigNode get(String key) {
      return entries.get(key);
    }
  }

  /** A list of nodes. */
  record Sequence(String path, List<ConfigNode> items) implements ConfigNode {
    public Sequence {
      items = List.copyOf(items);
    }
  }

  /**
   * A value, without quotes; blanks around it are ignored when it is read.
   *
   * @param text the value to read
   * @param written the value as its source wrote it, which errors quote: the same as {@code text} unless the
   *     source's reader converted it (the flat map's percent keys become fractions)
   */
  record Scalar(String path, String text, String written) implements ConfigNode {
    /** A value read as written. */
    public Scalar(String path, String text) {
      this(path, text, text);
    }
  }

  /**
   * The path of {@code key} inside the node at {@code parent}, for readers of other formats to name their nodes the
   * same way: a plain key ({@code [A-Za-z0-9_-]}) after a dot, any other quoted in brackets.
   */
  static String childPath(String parent, String key) {
    return Paths.child(parent, key);
  }

  /** The path of item {@code index} (from 0) of the list at {@code parent}: {@code faults[0]}. */
  static String itemPath(String parent, int index) {
    return Paths.item(parent, index);
  }
}
