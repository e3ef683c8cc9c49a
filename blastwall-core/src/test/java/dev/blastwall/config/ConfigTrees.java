package dev.blastwall.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Configuration trees for tests, written as nested maps, lists and strings, with the paths a reader gives them. */
final class ConfigTrees {

  private ConfigTrees() {}

  /** The tree of {@code value}: a map is a mapping (in its order), a list a sequence, anything else a scalar. */
  static ConfigNode tree(Object value) {
    return node("", value);
  }

  /** A mapping of {@code keysAndValues}, in order: {@code map("timeout", "1s", "retry", map(...))}. */
  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static ConfigNode node(String path, Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, ConfigNode> entries = new LinkedHashMap<>();
      map.forEach((key, child) -> entries.put((String) key, node(ConfigNode.childPath(path, (String) key), child)));
      return new ConfigNode.Mapping(path, entries);
    }
    if (value instanceof List<?> list) {
      List<ConfigNode> items = new ArrayList<>();
      for (Object item : list) {
        items.add(node(ConfigNode.itemPath(path, items.size()), item));
      }
      return new ConfigNode.Sequence(path, items);
    }
    return new ConfigNode.Scalar(path, String.valueOf(value));
  }
}
