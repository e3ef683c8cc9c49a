package dev.blastwall.lab.run;

/**
 * A circuit breaker of {@code caller}'s client for {@code upstream} changed state.
 *
 * @param caller the service whose client holds the breaker ("user" for the load generator's client)
 * @param upstream the service called
 * @param atSeconds when, in seconds from the measured run's start
 * @param from the state before (CLOSED, OPEN, HALF_OPEN, ...)
 * @param to the state after
 */
public record BreakerChange(String caller, String upstream, double atSeconds, String from, String to) {}
