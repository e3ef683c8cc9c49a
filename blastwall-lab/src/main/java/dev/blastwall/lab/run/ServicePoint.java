package dev.blastwall.lab.run;

import java.util.List;

/**
 * One service (all its replicas together) over one second of a run.
 *
 * @param second the second of the run, from 0
 * @param arrivals requests that reached the service (retries and hedges included), admitted or not
 * @param completed requests it answered with OK (degraded included)
 * @param failed requests it answered with an error, sheds excluded
 * @param shed requests it refused without working on them (queue full, admission, expired deadline)
 * @param maxInflight the most requests inside the service (queued or being worked on) at a sample
 * @param maxQueue the most requests waiting for a worker at a sample
 * @param retries retries this service's clients sent to its dependencies
 * @param hedges hedged attempts this service's clients sent
 * @param openBreakers how many of this service's breakers (one per upstream) were open or half-open at the sample
 * @param replicaArrivals per replica (by index), the requests that reached it; they sum to {@code arrivals}
 * @param sojourns requests answered in this second (shed ones excluded)
 * @param sojournNanos their total time in the service, from arrival at a replica to the answer (queue included,
 *     transport excluded): the time in system of queueing theory
 */
public record ServicePoint(
    int second,
    long arrivals,
    long completed,
    long failed,
    long shed,
    int maxInflight,
    int maxQueue,
    long retries,
    long hedges,
    int openBreakers,
    List<Long> replicaArrivals,
    long sojourns,
    long sojournNanos) {

  /** Copies the per-replica arrivals. */
  public ServicePoint {
    replicaArrivals = List.copyOf(replicaArrivals);
  }

  /** A point without times in system. */
  public ServicePoint(int second, long arrivals, long completed, long failed, long shed, int maxInflight,
      int maxQueue, long retries, long hedges, int openBreakers, List<Long> replicaArrivals) {
    this(second, arrivals, completed, failed, shed, maxInflight, maxQueue, retries, hedges, openBreakers,
        replicaArrivals, 0, 0);
  }

  /** A point without per-replica arrivals. */
  public ServicePoint(int second, long arrivals, long completed, long failed, long shed, int maxInflight,
      int maxQueue, long retries, long hedges, int openBreakers) {
    this(second, arrivals, completed, failed, shed, maxInflight, maxQueue, retries, hedges, openBreakers, List.of(), 0,
        0);
  }
}
