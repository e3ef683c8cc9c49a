package dev.blastwall.lab.run;

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
    int openBreakers) {}
