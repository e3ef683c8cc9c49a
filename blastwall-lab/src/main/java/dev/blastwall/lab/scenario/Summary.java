package dev.blastwall.lab.scenario;

import java.util.Map;

/**
 * What users saw over a stretch of a run (the whole run, or the fault window), with the load it put on the backends.
 *
 * @param userRequests user requests sent (missed sends excluded)
 * @param amplification requests arriving at all services but the entry, per user request
 * @param successRate share of user requests answered ok or degraded
 * @param goodputRps answers ok or degraded within the SLO, per second
 * @param degradedRate share of user requests answered degraded
 * @param p50Ms latency percentiles of all user requests (errors and timeouts included), from their intended start
 * @param p90Ms 90th percentile
 * @param p99Ms 99th percentile
 * @param p999Ms 99.9th percentile
 * @param maxMs the slowest
 * @param maxInflight the most user requests in flight at a sample
 * @param errorsByKind failures by label (status names, TIMEOUT)
 */
public record Summary(
    long userRequests,
    double amplification,
    double successRate,
    double goodputRps,
    double degradedRate,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double p999Ms,
    double maxMs,
    int maxInflight,
    Map<String, Long> errorsByKind) {

  /** Copies the map. */
  public Summary {
    errorsByKind = Map.copyOf(errorsByKind);
  }
}
