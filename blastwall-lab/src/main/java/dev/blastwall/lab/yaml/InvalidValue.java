package dev.blastwall.lab.yaml;

import dev.blastwall.internal.Untrusted;
import java.util.List;
import java.util.Map;
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

  /**
   * A value as YAML would write it (strings quoted and escaped as {@link Untrusted} escapes), cut short when long. Only as much
   * is rendered as is shown, so a value an alias expands to billions of items, or one that contains itself, is shown
   * at once.
   */
  static String show(@Nullable Object value) {
    StringBuilder text = new StringBuilder();
    render(value, text);
    return text.length() <= LONGEST_SHOWN ? text.toString() : text.substring(0, LONGEST_SHOWN - 3) + "...";
  }

  // Appends `value` to `text` until `text` is longer than what is shown; each level adds a character first, so the
  // recursion is as shallow as what is shown is long.
  private static void render(@Nullable Object value, StringBuilder text) {
    if (text.length() > LONGEST_SHOWN) {
      return;
    }
    if (value instanceof String string) {
      text.append('"');
      appendEscaped(string, text);
      text.append('"');
    } else if (value instanceof Map<?, ?> map) {
      text.append('{');
      String separator = "";
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (text.length() > LONGEST_SHOWN) {
          return;
        }
        text.append(separator);
        if (entry.getKey() instanceof String key) {
          appendEscaped(key, text);
        } else {
          render(entry.getKey(), text);
        }
        text.append(": ");
        render(entry.getValue(), text);
        separator = ", ";
      }
      text.append('}');
    } else if (value instanceof List<?> list) {
      text.append('[');
      String separator = "";
      for (Object item : list) {
        if (text.length() > LONGEST_SHOWN) {
          return;
        }
        text.append(separator);
        render(item, text);
        separator = ", ";
      }
      text.append(']');
    } else {
      appendEscaped(String.valueOf(value), text);
    }
  }

  // Escapes as every quoted value in Blastwall is escaped (Untrusted), stopping once `text` is longer than is shown.
  private static void appendEscaped(String string, StringBuilder text) {
    for (int i = 0; i < string.length() && text.length() <= LONGEST_SHOWN; i++) {
      Untrusted.appendEscaped(text, string.charAt(i));
    }
  }
}
