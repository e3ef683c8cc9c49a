package dev.blastwall.lab.report;

/** Escaping and the page frame shared by the HTML pages: one inline style sheet, no external resources. */
final class Html {

  // Inline so a page opens offline and alone; system fonts only.
  private static final String STYLE = """
      body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 24px auto;
        max-width: 1180px; padding: 0 10px; }
      h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 26px 0 8px; }
      h3 { font-size: 14px; margin: 10px 0 2px; }
      .meta, .muted { color: #555; } .claim { max-width: 900px; }
      .badge { display: inline-block; padding: 1px 8px; border-radius: 4px; font-weight: 600; color: #fff; }
      .pass { background: #2e7d32; } .fail { background: #c62828; } .invalid { background: #8d6e00; }
      .banner { background: #fff4cc; border: 1px solid #d6b400; padding: 8px 12px; border-radius: 4px;
        margin: 12px 0; }
      table { border-collapse: collapse; margin: 6px 0; }
      th, td { padding: 3px 10px; border-bottom: 1px solid #e3e3e3; }
      th { text-align: left; background: #f5f5f5; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
      tr.section th { background: #eceff4; font-weight: 600; }
      .setups { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
      .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 14px; }
      .card { border: 1px solid #ddd; border-radius: 6px; padding: 12px 14px; }
      .card h2 { margin: 0 0 6px; font-size: 16px; } svg { display: block; margin: 8px 0 18px; }
      svg text { font-family: system-ui, sans-serif; }
      """;

  private Html() {}

  /** {@code text} safe inside an element or a double-quoted attribute. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A whole document titled {@code title} around {@code body} (already HTML). */
  static String page(String title, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + escape(title)
        + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
  }
}
