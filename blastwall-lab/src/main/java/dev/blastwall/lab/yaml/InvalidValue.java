package dev.blastwall.lab.yaml;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A value of a lab file that does not fit, at {@link #path()}; {@link LabFile} adds the source and the line. Not
 * public: callers see {@link LabFileException}.
 */
final class InvalidValue extends RuntimeException {

  private static final long serialVersionUID = 1L;
  private static final int LONGEST_SHOWN = 60;

  @SuppressWarnings("serial") // Never serialized: caught inside LabFile and turned into a LabFileException.
  private final YamlPath path;

  /** {@code message} as it stands, for the value at {@code path}. */
  InvalidValue(YamlPath path, String message) {
    super(message, null, false, false);
    this.path = path;
  }

  /** {@code path: value (expected: expected)}, the value shown as written. */
  static InvalidValue of(YamlPath path, @Nullable Object value, String expected) {
    return new InvalidValue(path, prefix(path) + show(value) + " (expected: " + expected + ")");
  }

  /** {@code path: missing (expected: expected)}. */
  static InvalidValue missing(YamlPath path, String expected) {
    return new InvalidValue(path, path + ": missing (expected: " + expected + ")");
  }

  /**
   * A check of the model that failed on values read at {@code path}: its message ({@code name: value (expected:
   * ...)}) prefixed with the path.
   */
  static InvalidValue fromModel(YamlPath path, IllegalArgumentException failure) {
    String message = String.valueOf(failure.getMessage());
    return new InvalidValue(path, prefix(path) + message);
  }

  private static String prefix(YamlPath path) {
    return path.isRoot() ? "" : path + ": ";
  }

  YamlPath path() {
    return path;
  }

  /** A value as YAML would write it (strings quoted), cut short when long. */
  static String show(@Nullable Object value) {
    String text = render(value);
    return text.length() <= LONGEST_SHOWN ? text : text.substring(0, LONGEST_SHOWN - 3) + "...";
  }

  private static String render(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String text) {
      return "\"" + text + "\"";
    }
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream()
          .map(entry -> entry.getKey() + ": " + render(entry.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    if (value instanceof List<?> list) {
      return list.stream().map(InvalidValue::render).collect(Collectors.joining(", ", "[", "]"));
    }
    return String.valueOf(value);
  }
}
