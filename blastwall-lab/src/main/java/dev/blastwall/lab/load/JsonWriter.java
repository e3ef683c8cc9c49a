package dev.blastwall.lab.load;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Just enough JSON for reports: objects, arrays, string keys, numbers. Non-finite numbers (a rate with nothing to
 * divide by) are written as {@code null}, since JSON has no NaN. Not thread-safe.
 */
final class JsonWriter {
  private final StringBuilder out = new StringBuilder();
  // Whether the next value in the current container needs a comma before it.
  private boolean needsComma;

  JsonWriter beginObject() {
    separate();
    out.append('{');
    needsComma = false;
    return this;
  }

  JsonWriter endObject() {
    out.append('}');
    needsComma = true;
    return this;
  }

  JsonWriter beginArray(String name) {
    name(name);
    out.append('[');
    needsComma = false;
    return this;
  }

  JsonWriter endArray() {
    out.append(']');
    needsComma = true;
    return this;
  }

  JsonWriter field(String name, long value) {
    name(name);
    out.append(value);
    needsComma = true;
    return this;
  }

  JsonWriter field(String name, double value) {
    name(name);
    if (Double.isFinite(value)) {
      // Six decimals keep a 99.9999% success rate apart from 100% without printing binary noise.
      out.append(BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString());
    } else {
      out.append("null");
    }
    needsComma = true;
    return this;
  }

  JsonWriter field(String name, String value) {
    name(name);
    string(value);
    needsComma = true;
    return this;
  }

  private void name(String name) {
    separate();
    string(name);
    out.append(':');
    needsComma = false;
  }

  private void separate() {
    if (needsComma) {
      out.append(',');
    }
  }

  private void string(String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
