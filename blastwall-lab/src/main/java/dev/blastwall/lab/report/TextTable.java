package dev.blastwall.lab.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-ASCII table with aligned columns, fitted to a width: when the natural widths do not fit, the widest column
 * is narrowed and its cells wrap onto more lines. Section rows span the whole table. Not thread-safe.
 */
final class TextTable {

  /** How a column's cells sit in it. */
  enum Align {
    LEFT,
    RIGHT
  }

  private static final String SEPARATOR = " | ";
  // Narrower than this and cells become unreadable; the table overflows instead.
  private static final int MIN_COLUMN = 6;

  private final List<String> headers;
  private final List<Align> aligns;
  // A row is either cells (one per column) or a section title (a one-element list flagged by sections).
  private final List<List<String>> rows = new ArrayList<>();
  private final List<Boolean> sections = new ArrayList<>();

  TextTable(List<String> headers, List<Align> aligns) {
    if (headers.size() != aligns.size() || headers.isEmpty()) {
      throw new IllegalArgumentException(
          "aligns: " + aligns.size() + " (expected: one per header, " + headers.size() + ", at least one)");
    }
    this.headers = List.copyOf(headers);
    this.aligns = List.copyOf(aligns);
  }

  TextTable row(List<String> cells) {
    if (cells.size() != headers.size()) {
      throw new IllegalArgumentException("cells: " + cells + " (expected: " + headers.size() + " cells)");
    }
    rows.add(List.copyOf(cells));
    sections.add(false);
    return this;
  }

  TextTable section(String title) {
    rows.add(List.of(title));
    sections.add(true);
    return this;
  }

  /** The table in lines of at most {@code maxWidth} characters (unless even the narrowest columns do not fit). */
  String render(int maxWidth) {
    int[] widths = new int[headers.size()];
    measure(widths, headers);
    for (int i = 0; i < rows.size(); i++) {
      if (!sections.get(i)) {
        measure(widths, rows.get(i));
      }
    }
    while (total(widths) > maxWidth) {
      int widest = 0;
      for (int c = 1; c < widths.length; c++) {
        if (widths[c] > widths[widest]) {
          widest = c;
        }
      }
      if (widths[widest] <= MIN_COLUMN) {
        break;
      }
      widths[widest]--;
    }
    StringBuilder out = new StringBuilder();
    line(out, widths, headers, false);
    StringBuilder rule = new StringBuilder();
    for (int c = 0; c < widths.length; c++) {
      rule.append(c == 0 ? "" : "-+-").append("-".repeat(widths[c]));
    }
    out.append(rule).append('\n');
    for (int i = 0; i < rows.size(); i++) {
      if (sections.get(i)) {
        String title = "-- " + rows.get(i).getFirst() + " ";
        out.append(title).append("-".repeat(Math.max(0, total(widths) - title.length()))).append('\n');
      } else {
        line(out, widths, rows.get(i), true);
      }
    }
    return out.toString();
  }

  private static void measure(int[] widths, List<String> cells) {
    for (int c = 0; c < cells.size(); c++) {
      widths[c] = Math.max(widths[c], cells.get(c).length());
    }
  }

  private static int total(int[] widths) {
    int sum = SEPARATOR.length() * (widths.length - 1);
    for (int width : widths) {
      sum += width;
    }
    return sum;
  }

  private void line(StringBuilder out, int[] widths, List<String> cells, boolean aligned) {
    List<List<String>> wrapped = new ArrayList<>();
    int height = 1;
    for (int c = 0; c < cells.size(); c++) {
      List<String> lines = wrap(cells.get(c), widths[c]);
      wrapped.add(lines);
      height = Math.max(height, lines.size());
    }
    for (int l = 0; l < height; l++) {
      StringBuilder text = new StringBuilder();
      for (int c = 0; c < cells.size(); c++) {
        List<String> lines = wrapped.get(c);
        String part = l < lines.size() ? lines.get(l) : "";
        String pad = " ".repeat(widths[c] - part.length());
        text.append(c == 0 ? "" : SEPARATOR);
        text.append(aligned && aligns.get(c) == Align.RIGHT ? pad + part : part + pad);
      }
      out.append(text.toString().stripTrailing()).append('\n');
    }
  }

  /** {@code text} broken at spaces into lines of at most {@code width}; words longer than that are cut. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    String rest = text.strip();
    while (rest.length() > width) {
      int cut = rest.lastIndexOf(' ', width);
      if (cut <= 0) {
        lines.add(rest.substring(0, width));
        rest = rest.substring(width).stripLeading();
      } else {
        lines.add(rest.substring(0, cut));
        rest = rest.substring(cut + 1).stripLeading();
      }
    }
    lines.add(rest);
    return lines;
  }
}
