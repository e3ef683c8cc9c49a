package dev.blastwall.lab.report;

import java.util.List;

/**
 * One row of the summary table: a metric and its value per mode, already formatted; or a section heading, which has
 * no values.
 *
 * @param label the metric, or the section's title
 * @param values one text per mode, in mode order; empty for a heading
 */
record MetricRow(String label, List<String> values) {

  MetricRow {
    values = List.copyOf(values);
  }

  static MetricRow heading(String title) {
    return new MetricRow(title, List.of());
  }

  boolean isHeading() {
    return values.isEmpty();
  }
}
