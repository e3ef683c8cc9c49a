package dev.blastwall.lab.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes a tree of maps, lists, strings, numbers, booleans and nulls as compact JSON. Maps keep their iteration order,
 * so callers choose the key order. Non-finite numbers become {@code null}: JSON has no NaN (a rate with nothing to
 * divide by). The lab's one JSON writer: the run reports and the load figures both use it.
 */
public final class JsonText {

  private JsonText() {}

  /** {@code value} as JSON. */
  public static String write(@Nullable Object value) {
    StringBuilder out = new StringBuilder();
    value(out, value);
    return out.toString();
  }

  private static void value(StringBuilder out, @Nullable Object value) {
    switch (value) {
      case null -> out.append("null");
      case String text -> string(out, text);
      case Boolean bool -> out.append(bool);
      case Long number -> out.append(number);
      case Integer number -> out.append(number);
      case Short number -> out.append(number);
      case Byte number -> out.append(number);
      case Number number -> decimal(out, number.doubleValue());
      case Map<?, ?> map -> object(out, map);
      case List<?> list -> array(out, list);
      default -> throw new IllegalArgumentException(
          "value: " + value.getClass().getName() + " (expected: a map, list, string, number, boolean or null)");
    }
  }

  private static void decimal(StringBuilder out, double value) {
    if (Double.isFinite(value)) {
      // Six decimals keep a 99.9999% success rate apart from 100% without printing binary noise.
      out.append(BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString());
    } else {
      out.append("null");
    }
  }

  private static void object(StringBuilder out, Map<?, ?> map) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(out, String.valueOf(entry.getKey()));
      out.append(':');
      value(out, entry.getValue());
    }
    out.append('}');
  }

  private static void array(StringBuilder out, List<?> list) {
    out.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      value(out, list.get(i));
    }
    out.append(']');
  }

  private static void string(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          // Other control characters, and the line separators that break JavaScript embedding, as escapes.
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
