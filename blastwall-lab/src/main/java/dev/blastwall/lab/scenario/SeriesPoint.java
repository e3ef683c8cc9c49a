package dev.blastwall.lab.scenario;

import java.util.Map;

/**
 * One second of a run, for charts and the JSON series.
 *
 * @param second from the measured run's start
 * @param offeredRps arrivals scheduled in this second (missed sends included)
 * @param achievedRps answers of requests scheduled in this second
 * @param goodputRps of which ok or degraded within the SLO
 * @param successRate share of this second's requests answered ok or degraded
 * @param p50Ms latency percentiles of this second's requests
 * @param p90Ms 90th percentile
 * @param p99Ms 99th percentile
 * @param p999Ms 99.9th percentile
 * @param maxMs the slowest
 * @param amplification backend arrivals in this second per user request sent in it
 * @param inflight the most user requests in flight at this second's sample
 * @param retries retries sent by all services' clients in this second
 * @param hedges hedges sent in this second
 * @param shed requests refused by services in this second
 * @param openBreakers breakers open or half-open at the sample, all services together
 * @param arrivals requests arriving at each service in this second
 * @param maxQueue the longest queue of each service at the sample
 * @param maxInflight the most requests inside each service (queued or being worked on) at the sample
 */
public record SeriesPoint(
    int second,
    double offeredRps,
    double achievedRps,
    double goodputRps,
    double successRate,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double p999Ms,
    double maxMs,
    double amplification,
    int inflight,
    long retries,
    long hedges,
    long shed,
    int openBreakers,
    Map<String, Long> arrivals,
    Map<String, Integer> maxQueue,
    Map<String, Integer> maxInflight) {

  /** Copies the maps. */
  public SeriesPoint {
    arrivals = Map.copyOf(arrivals);
    maxQueue = Map.copyOf(maxQueue);
    maxInflight = Map.copyOf(maxInflight);
  }

  /** A point without per-service in-flight counts. */
  public SeriesPoint(int second, double offeredRps, double achievedRps, double goodputRps, double successRate,
      double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs, double amplification, int inflight,
      long retries, long hedges, long shed, int openBreakers, Map<String, Long> arrivals,
      Map<String, Integer> maxQueue) {
    this(second, offeredRps, achievedRps, goodputRps, successRate, p50Ms, p90Ms, p99Ms, p999Ms, maxMs, amplification,
        inflight, retries, hedges, shed, openBreakers, arrivals, maxQueue, Map.of());
  }
}
