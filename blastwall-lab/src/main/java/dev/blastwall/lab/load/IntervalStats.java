package dev.blastwall.lab.load;

import dev.blastwall.context.Criticality;
import dev.blastwall.lab.internal.JsonText;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The figures for one stretch of a run: one interval, a window of intervals, or the whole run. Requests belong to
 * the interval of their intended start, whenever they completed. Latencies are in HdrHistograms (3 significant
 * digits, nanoseconds) measured from the intended start; a merged stretch adds the interval histograms together,
 * so its percentiles are exact to the histogram's precision, never averages of percentiles.
 *
 * <p>Immutable and thread-safe.
 */
public final class IntervalStats {

  /** HdrHistogram precision: 3 significant digits, i.e. within 0.1%. */
  static final int SIGNIFICANT_DIGITS = 3;

  private static final double NANOS_PER_MILLI = 1e6;
  private static final double NANOS_PER_SECOND = 1e9;

  private final long startNanos;
  private final long endNanos;
  private final long offered;
  private final long missed;
  private final long goodput;
  private final Map<Outcome.Kind, Long> byKind;
  private final Map<String, Long> errorsByKind;
  private final Map<Criticality, Long> sentByCriticality;
  private final Map<Criticality, Long> successByCriticality;
  private final Histogram latencies;
  private final Histogram successLatencies;

  IntervalStats(
      long startNanos,
      long endNanos,
      long offered,
      long missed,
      long goodput,
      Map<Outcome.Kind, Long> byKind,
      Map<String, Long> errorsByKind,
      Map<Criticality, Long> sentByCriticality,
      Map<Criticality, Long> successByCriticality,
      Histogram latencies,
      Histogram successLatencies) {
    this.startNanos = startNanos;
    this.endNanos = endNanos;
    this.offered = offered;
    this.missed = missed;
    this.goodput = goodput;
    this.byKind = Collections.unmodifiableMap(new EnumMap<>(byKind));
    this.errorsByKind = Collections.unmodifiableMap(new TreeMap<>(errorsByKind));
    this.sentByCriticality = Collections.unmodifiableMap(new EnumMap<>(sentByCriticality));
    this.successByCriticality = Collections.unmodifiableMap(new EnumMap<>(successByCriticality));
    this.latencies = latencies;
    this.successLatencies = successLatencies;
  }

  /**
   * Adds up {@code parts} (counts summed, histograms added) into a stretch from {@code startNanos} to
   * {@code endNanos}.
   */
  static IntervalStats merge(long startNanos, long endNanos, List<IntervalStats> parts) {
    long offered = 0;
    long missed = 0;
    long goodput = 0;
    Map<Outcome.Kind, Long> byKind = new EnumMap<>(Outcome.Kind.class);
    Map<String, Long> errors = new TreeMap<>();
    Map<Criticality, Long> sent = new EnumMap<>(Criticality.class);
    Map<Criticality, Long> success = new EnumMap<>(Criticality.class);
    Histogram all = newHistogram();
    Histogram ok = newHistogram();
    for (IntervalStats part : parts) {
      offered += part.offered;
      missed += part.missed;
      goodput += part.goodput;
      part.byKind.forEach((k, v) -> byKind.merge(k, v, Long::sum));
      part.errorsByKind.forEach((k, v) -> errors.merge(k, v, Long::sum));
      part.sentByCriticality.forEach((k, v) -> sent.merge(k, v, Long::sum));
      part.successByCriticality.forEach((k, v) -> success.merge(k, v, Long::sum));
      all.add(part.latencies);
      ok.add(part.successLatencies);
    }
    return new IntervalStats(startNanos, endNanos, offered, missed, goodput, byKind, errors, sent, success, all, ok);
  }

  static Histogram newHistogram() {
    // Auto-resizing: no ceiling to guess, a drain timeout of minutes still records exactly.
    return new Histogram(SIGNIFICANT_DIGITS);
  }

  /** Start of the stretch, nanoseconds from the run start (inclusive). */
  public long startNanos() {
    return startNanos;
  }

  /** End of the stretch, nanoseconds from the run start (exclusive). */
  public long endNanos() {
    return endNanos;
  }

  /** Arrivals the schedule intended in this stretch: sent plus missed. */
  public long offered() {
    return offered;
  }

  /** Requests actually sent: the user requests. Missed arrivals are not among them. */
  public long userRequests() {
    return offered - missed;
  }

  /** Arrivals the generator could not send within its lateness tolerance, so did not send (k6's dropped iterations). */
  public long missed() {
    return missed;
  }

  /** Requests that ended with {@code kind}. */
  public long count(Outcome.Kind kind) {
    return byKind.getOrDefault(kind, 0L);
  }

  /** Requests that ended OK or DEGRADED. */
  public long successes() {
    return count(Outcome.Kind.OK) + count(Outcome.Kind.DEGRADED);
  }

  /** Successes within the SLO. */
  public long goodputCount() {
    return goodput;
  }

  /** Errors by their label, sorted by label. */
  public Map<String, Long> errorsByKind() {
    return errorsByKind;
  }

  /** Successes over user requests; NaN when none was sent. */
  public double successRate() {
    return ratio(successes(), userRequests());
  }

  /** DEGRADED answers over user requests; NaN when none was sent. */
  public double degradedRate() {
    return ratio(count(Outcome.Kind.DEGRADED), userRequests());
  }

  /** Requests sent with {@code criticality}. */
  public long sent(Criticality criticality) {
    return sentByCriticality.getOrDefault(criticality, 0L);
  }

  /** Success rate among requests of {@code criticality}; NaN when none was sent. */
  public double successRate(Criticality criticality) {
    return ratio(successByCriticality.getOrDefault(criticality, 0L), sent(criticality));
  }

  /** Intended arrivals per second over this stretch. */
  public double offeredRps() {
    return perSecond(offered);
  }

  /** Requests sent per second over this stretch: the achieved send rate. */
  public double achievedRps() {
    return perSecond(userRequests());
  }

  /** Successes within the SLO per second over this stretch. */
  public double goodputRps() {
    return perSecond(goodput);
  }

  /** Latency at {@code percentile} (0 to 100) over all outcomes, in ms; NaN when nothing was recorded. */
  public double latencyMillis(double percentile) {
    return percentileMillis(latencies, percentile);
  }

  /** Latency at {@code percentile} (0 to 100) over successes only, in ms; NaN when there were none. */
  public double successLatencyMillis(double percentile) {
    return percentileMillis(successLatencies, percentile);
  }

  /** How many requests, whatever their outcome, took at most {@code latency} (to the histogram's 3 digits). */
  public long countAtOrBelow(java.time.Duration latency) {
    return latencies.getTotalCount() == 0 ? 0 : latencies.getCountBetweenValues(0, Math.max(0, latency.toNanos()));
  }

  /** The mean latency over all outcomes, in ms; NaN when nothing was recorded. */
  public double meanMillis() {
    return latencies.getTotalCount() == 0 ? Double.NaN : latencies.getMean() / NANOS_PER_MILLI;
  }

  /** The median latency over all outcomes, in ms. */
  public double p50Millis() {
    return latencyMillis(50);
  }

  /** The 90th percentile latency over all outcomes, in ms. */
  public double p90Millis() {
    return latencyMillis(90);
  }

  /** The 99th percentile latency over all outcomes, in ms. */
  public double p99Millis() {
    return latencyMillis(99);
  }

  /** The 99.9th percentile latency over all outcomes, in ms. */
  public double p999Millis() {
    return latencyMillis(99.9);
  }

  /** The highest latency over all outcomes, in ms; NaN when nothing was recorded. */
  public double maxMillis() {
    return latencies.getTotalCount() == 0 ? Double.NaN : latencies.getMaxValue() / NANOS_PER_MILLI;
  }

  /** A copy of the all-outcomes histogram, in nanoseconds. */
  Histogram latencies() {
    return latencies.copy();
  }

  /** A copy of the successes histogram, in nanoseconds. */
  Histogram successLatencies() {
    return successLatencies.copy();
  }

  /** The figures as a JSON object, without a series. */
  public String toJson() {
    return JsonText.write(summary());
  }

  /** The summary fields, in the order the JSON shows them; the caller may add to the map. */
  Map<String, Object> summary() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("user_requests", userRequests());
    fields.put("success_rate", successRate());
    fields.put("goodput_rps", goodputRps());
    fields.put("degraded_rate", degradedRate());
    fields.put("p50_ms", p50Millis());
    fields.put("p90_ms", p90Millis());
    fields.put("p99_ms", p99Millis());
    fields.put("p999_ms", p999Millis());
    fields.put("max_ms", maxMillis());
    fields.put("missed", missed);
    return fields;
  }

  /** A per-interval point for a series. */
  Map<String, Object> point() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("t_s", startNanos / NANOS_PER_SECOND);
    fields.put("offered_rps", offeredRps());
    fields.put("user_requests", userRequests());
    fields.put("success_rate", successRate());
    fields.put("goodput_rps", goodputRps());
    fields.put("p50_ms", p50Millis());
    fields.put("p99_ms", p99Millis());
    fields.put("max_ms", maxMillis());
    fields.put("missed", missed);
    return fields;
  }

  @Override
  public String toString() {
    return "IntervalStats" + toJson();
  }

  private double perSecond(long count) {
    long span = endNanos - startNanos;
    return span <= 0 ? Double.NaN : count * NANOS_PER_SECOND / span;
  }

  private static double ratio(long part, long whole) {
    return whole == 0 ? Double.NaN : (double) part / whole;
  }

  private static double percentileMillis(Histogram histogram, double percentile) {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile: " + percentile + " (expected: 0 to 100)");
    }
    return histogram.getTotalCount() == 0
        ? Double.NaN
        : histogram.getValueAtPercentile(percentile) / NANOS_PER_MILLI;
  }
}
