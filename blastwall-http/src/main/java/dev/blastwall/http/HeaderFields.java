package dev.blastwall.http;

import dev.blastwall.propagation.HeaderSink;
import dev.blastwall.propagation.HeaderSource;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * {@link HeaderSource}s and {@link HeaderSink}s over the JDK's header maps, and the one rule for a header that
 * arrives on several lines.
 *
 * <p>Repeated lines are combined into one value joined by commas, as RFC 9110 section 5.3 defines: a list header
 * ({@code tracestate}) reads as its whole list, and a header that allows one value (a deadline, a key) reads as a
 * value its parser refuses, so two conflicting deadlines are a clear refusal, never a silent pick of one. The
 * combined value is bounded ({@link #MAX_COMBINED_CHARS}); every Blastwall header value is far shorter, so a
 * longer one is refused by its parser whatever the cut-off part held.
 */
public final class HeaderFields {

  /** The longest combined value built from repeated lines; longer input is cut here, and then refused. */
  public static final int MAX_COMBINED_CHARS = 8192;

  private HeaderFields() {}

  /**
   * The value of a header that arrived as {@code lines}: {@code null} for none, the line itself for one, the lines
   * joined by {@code ","} for several (at most {@link #MAX_COMBINED_CHARS} characters, plus one).
   */
  public static @Nullable String combine(@Nullable List<String> lines) {
    if (lines == null || lines.isEmpty()) {
      return null;
    }
    if (lines.size() == 1) {
      return lines.get(0);
    }
    StringBuilder combined = new StringBuilder();
    for (String line : lines) {
      if (!combined.isEmpty()) {
        combined.append(',');
      }
      combined.append(line, 0, Math.min(line.length(), MAX_COMBINED_CHARS + 1 - combined.length()));
      if (combined.length() > MAX_COMBINED_CHARS) {
        break;
      }
    }
    return combined.toString();
  }

  /** A source that looks each (lower-case) name up with {@code lines}, which must ignore case. */
  public static HeaderSource source(Function<String, ? extends @Nullable List<String>> lines) {
    return name -> combine(lines.apply(name));
  }

  /**
   * A source over {@code headers}, whose lookup must ignore case, as both JDK header maps do
   * ({@code com.sun.net.httpserver.Headers}, {@code java.net.http.HttpHeaders.map()}).
   */
  public static HeaderSource source(Map<String, ? extends List<String>> headers) {
    return name -> combine(headers.get(name));
  }

  /** A source over a {@code java.net.http} response's headers. */
  public static HeaderSource source(java.net.http.HttpHeaders headers) {
    return name -> combine(headers.allValues(name));
  }

  /** A sink that replaces each header's lines in {@code headers} by the one value. */
  public static HeaderSink sink(Map<String, List<String>> headers) {
    return (name, value) -> headers.put(name, List.of(value));
  }
}
