package dev.blastwall.internal;

import org.jspecify.annotations.Nullable;

/**
 * Quotes a value that came from outside (a header, metadata, a config entry) for an error message or a status
 * description. A peer controls the value; the message is printed by loggers and may travel back on the wire
 * (gRPC percent-encodes a description up to 3 bytes a character, and a client refuses trailers over 8 KiB). So
 * only a bounded prefix is shown, escaped, with the full length when it was cut:
 *
 * <ul>
 *   <li>at most {@value #MAX_SHOWN_CHARS} characters of the value, then {@code ... (2800 chars)} when it is longer;
 *   <li>visible ASCII and the space as they are, except {@code "} and {@code \} (escaped as {@code \"} and
 *       {@code \\}, so the quotes cannot be closed early);
 *   <li>other ASCII (control bytes, DEL) as {@code \x07}; anything above ASCII as {@code \u2028}, one escape per
 *       UTF-16 unit, so no line separator, terminal escape or bidirectional override reaches a log raw.
 * </ul>
 *
 * <p>The result is at most 408 characters, whatever the value: 64 escapes of 6, the quotes and the length.
 */
public final class Untrusted {

  /** How many characters of a value a message shows. Enough to recognise a value; no more than a log line needs. */
  public static final int MAX_SHOWN_CHARS = 64;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Untrusted() {}

  /** {@code value} in double quotes, bounded and escaped as the class describes; {@code null} as {@code null}. */
  public static String quote(@Nullable CharSequence value) {
    return value == null ? "null" : bounded(value, true);
  }

  /**
   * {@code value} bounded and escaped as the class describes, without the quotes: for text that stands in a message
   * as a name or a path (a config key, a parser's complaint), where quotes would read as part of it.
   */
  public static String escape(CharSequence value) {
    return bounded(value, false);
  }

  /**
   * Appends {@code c} to {@code out} escaped as the class describes: for a caller that lays out a value of its own
   * shape (a YAML list, a mapping) and bounds it itself.
   */
  public static void appendEscaped(StringBuilder out, char c) {
    if (c == '"' || c == '\\') {
      out.append('\\').append(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out.append(c);
    } else if (c < 0x80) {
      out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
    } else {
      out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
          .append(HEX[c & 0xf]);
    }
  }

  private static String bounded(CharSequence value, boolean quoted) {
    int length = value.length();
    int shown = Math.min(length, MAX_SHOWN_CHARS);
    StringBuilder out = new StringBuilder(shown + 24);
    if (quoted) {
      out.append('"');
    }
    for (int i = 0; i < shown; i++) {
      appendEscaped(out, value.charAt(i));
    }
    if (quoted) {
      out.append('"');
    }
    if (shown < length) {
      out.append("... (").append(length).append(" chars)");
    }
    return out.toString();
  }
}
