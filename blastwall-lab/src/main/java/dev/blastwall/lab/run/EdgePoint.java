package dev.blastwall.lab.run;

/**
 * One edge (caller to callee) over one second of a run, seen from the caller: each call's latency runs from the
 * caller's decision to call to its answer (waiting for a pool thread or a bulkhead, retries and hedges included),
 * and counts in the second the call ended.
 *
 * @param second the second of the run, from 0
 * @param calls calls that ended in that second
 * @param failed those of them that failed (any status but OK, refusals by the caller's own policies included)
 * @param p50Ms median latency, NaN without calls
 * @param p99Ms 99th percentile latency, NaN without calls
 * @param maxMs the slowest call, NaN without calls
 */
public record EdgePoint(int second, long calls, long failed, double p50Ms, double p99Ms, double maxMs) {}
