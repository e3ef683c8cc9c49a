package dev.blastwall.lab.yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The keys of one mapping of a lab file, checked against the keys allowed there. */
final class Fields {

  private final YamlPath path;
  private final Map<String, Value> values;

  private Fields(YamlPath path, Map<String, Value> values) {
    this.path = path;
    this.values = values;
  }

  static Fields of(YamlPath path, Map<?, ?> map, Set<String> allowed) {
    Map<String, Value> values = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw InvalidValue.of(path, entry.getKey(), "keys among " + describe(allowed));
      }
      if (!allowed.contains(key)) {
        throw new InvalidValue(
            path.key(key), path.key(key) + ": unknown key (expected: one of " + describe(allowed) + ")");
      }
      values.put(key, new Value(path.key(key), entry.getValue()));
    }
    return new Fields(path, values);
  }

  /** The allowed keys, sorted, for messages. */
  static String describe(Set<String> allowed) {
    List<String> sorted = new ArrayList<>(allowed);
    sorted.sort(null);
    return String.join(", ", sorted);
  }

  YamlPath path() {
    return path;
  }

  /** The value of {@code key}, or null when the mapping does not have it. */
  @Nullable Value get(String key) {
    return values.get(key);
  }

  /** The value of {@code key}, which must be there. */
  Value required(String key, String expected) {
    Value value = values.get(key);
    if (value == null) {
      throw InvalidValue.missing(path.key(key), expected);
    }
    return value;
  }

  /** Exactly one of {@code kinds} is present: that one. */
  String exactlyOne(List<String> kinds, String what) {
    List<String> present = values.keySet().stream().filter(kinds::contains).toList();
    if (present.size() != 1) {
      throw new InvalidValue(
          path,
          path + ": " + (present.isEmpty() ? "no " + what : present.size() + " kinds " + present)
              + " (expected: exactly one of " + String.join(", ", kinds) + ")");
    }
    return present.getFirst();
  }
}
