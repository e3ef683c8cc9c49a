package dev.blastwall.lab.yaml;

import dev.blastwall.internal.Untrusted;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a value sits in a lab file: keys and list indexes from the root, written {@code services.gateway.calls[1]}.
 *
 * @param segments {@link String} keys and {@link Integer} indexes, outermost first
 */
record YamlPath(List<Object> segments) {

  static final YamlPath ROOT = new YamlPath(List.of());

  YamlPath {
    segments = List.copyOf(segments);
  }

  YamlPath key(String key) {
    return append(key);
  }

  YamlPath index(int index) {
    return append(index);
  }

  private YamlPath append(Object segment) {
    List<Object> longer = new ArrayList<>(segments);
    longer.add(segment);
    return new YamlPath(longer);
  }

  boolean isRoot() {
    return segments.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    for (Object segment : segments) {
      if (segment instanceof Integer index) {
        text.append('[').append(index).append(']');
      } else {
        if (!text.isEmpty()) {
          text.append('.');
        }
        // Keys are the file's own text: escaped and cut short like values.
        text.append(Untrusted.escape(String.valueOf(segment)));
      }
    }
    return text.toString();
  }
}
