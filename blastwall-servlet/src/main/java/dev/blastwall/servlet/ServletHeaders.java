package dev.blastwall.servlet;

import dev.blastwall.http.HeaderFields;
import dev.blastwall.propagation.HeaderSource;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A request's headers as a {@link HeaderSource}, with {@link HeaderFields}' rule for repeated lines. Lines are
 * collected only until their characters pass {@link HeaderFields#MAX_COMBINED_CHARS}: a request repeating a header
 * thousands of times costs a bounded list, and the combined value (cut there anyway) is refused by its parser.
 */
final class ServletHeaders implements HeaderSource {

  private final HttpServletRequest request;

  ServletHeaders(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public @Nullable String get(String name) {
    Enumeration<String> lines = request.getHeaders(name);
    if (lines == null || !lines.hasMoreElements()) {
      return null;
    }
    String first = lines.nextElement();
    if (!lines.hasMoreElements()) {
      return first;
    }
    List<String> all = new ArrayList<>(4);
    all.add(first);
    int chars = first.length();
    while (lines.hasMoreElements() && chars <= HeaderFields.MAX_COMBINED_CHARS) {
      String line = lines.nextElement();
      all.add(line);
      chars += line.length() + 1;
    }
    return HeaderFields.combine(all);
  }
}
