package dev.blastwall.lab.scenario;

/**
 * A stretch of the run when a fault was active, for shading charts.
 *
 * @param fromSeconds start, from the measured run's start
 * @param toSeconds end
 * @param label what the fault was, e.g. "backend: errors 50% UNAVAILABLE"
 */
public record FaultWindow(double fromSeconds, double toSeconds, String label) {}
