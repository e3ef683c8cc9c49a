package dev.blastwall.breaker;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The trip rule of a closed circuit. Immutable and thread-safe. */
final class Thresholds {

  final int minimumCalls;
  final double failureRate;
  /** Percent, or {@link Double#NaN} when slow calls never trip the circuit. */
  final double slowCallRate;

  Thresholds(int minimumCalls, double failureRate, double slowCallRate) {
    this.minimumCalls = minimumCalls;
    this.failureRate = failureRate;
    this.slowCallRate = slowCallRate;
  }

  boolean slowCallsTrip() {
    return !Double.isNaN(slowCallRate);
  }

  /**
   * Whether a window holding these numbers should open the circuit. Compares {@code failures * 100} with
   * {@code threshold * calls} rather than dividing, so that a rate exactly at the threshold trips exactly.
   */
  boolean exceeded(long calls, long failures, long slowCalls) {
    if (calls < minimumCalls || calls == 0) {
      return false;
    }
    // NaN compares false, so a disabled slow-call threshold never trips.
    return failures * 100.0 >= failureRate * calls || slowCalls * 100.0 >= slowCallRate * calls;
  }

  /** Why {@code counts} trips the circuit, or {@code null} if it does not (any more). */
  @Nullable String reason(Counts counts) {
    if (!exceeded(counts.calls(), counts.failures(), counts.slowCalls())) {
      return null;
    }
    if (counts.failures() * 100.0 >= failureRate * counts.calls()) {
      return String.format(Locale.ROOT, "failure rate %.1f%% >= %.1f%% over %d calls", counts.failureRate(),
          failureRate, counts.calls());
    }
    return String.format(Locale.ROOT, "slow-call rate %.1f%% >= %.1f%% over %d calls", counts.slowCallRate(),
        slowCallRate, counts.calls());
  }
}
