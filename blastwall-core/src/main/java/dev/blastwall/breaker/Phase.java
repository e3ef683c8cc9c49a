package dev.blastwall.breaker;

import dev.blastwall.breaker.CircuitBreaker.State;
import org.jspecify.annotations.Nullable;

/**
 * One immutable state of a breaker's state machine. The breaker swaps whole phases by CAS, so every decision
 * (trip, probe admission, close) is taken against one consistent view and a transition can happen only once.
 *
 * <p>The {@linkplain #generation generation} counts state changes: it grows by one on every transition (and on a
 * reset), never on a probe-count update. Permits carry it, so an outcome from a call admitted in an earlier
 * generation is recognised and ignored instead of being credited to the wrong phase.
 */
final class Phase {

  /** Permits keep 30 bits of the generation and one bit for "probe"; stays non-negative as an int. */
  private static final long GENERATION_BITS = (1L << 30) - 1;

  final State state;
  final long generation;
  /** Ticker reading when this state began. */
  final long enteredAt;
  /** Trips since the circuit was last closed; sets how long an open circuit stays open. */
  final int consecutiveTrips;
  /** Where outcomes go: CLOSED and FORCED_CLOSED only. */
  final @Nullable Window window;
  /** OPEN and HALF_OPEN: the window's numbers when the circuit opened, kept for snapshots. */
  final Counts tripCounts;
  /** Why the circuit is in this state; shown in rejections. */
  final String cause;
  /** OPEN: how long it stays open. */
  final long openNanos;
  /** HALF_OPEN: probes admitted and not yet finished. */
  final int probesInFlight;
  /** HALF_OPEN: probes that succeeded so far. */
  final int probeSuccesses;

  private Phase(State state, long generation, long enteredAt, int consecutiveTrips, @Nullable Window window,
      Counts tripCounts, String cause, long openNanos, int probesInFlight, int probeSuccesses) {
    this.state = state;
    this.generation = generation;
    this.enteredAt = enteredAt;
    this.consecutiveTrips = consecutiveTrips;
    this.window = window;
    this.tripCounts = tripCounts;
    this.cause = cause;
    this.openNanos = openNanos;
    this.probesInFlight = probesInFlight;
    this.probeSuccesses = probeSuccesses;
  }

  /** The first phase of a new breaker. */
  static Phase initial(long now, Window window) {
    return new Phase(State.CLOSED, 1, now, 0, window, Counts.EMPTY, "closed", 0, 0, 0);
  }

  /** CLOSED or FORCED_CLOSED with an empty window. Closing forgets earlier trips. */
  static Phase closed(Phase from, State state, long now, Window window, String cause) {
    return new Phase(state, from.generation + 1, now, 0, window, Counts.EMPTY, cause, 0, 0, 0);
  }

  /** OPEN, counting one more trip. */
  static Phase open(Phase from, long now, long openNanos, Counts tripCounts, String cause) {
    return new Phase(State.OPEN, from.generation + 1, now, from.consecutiveTrips + 1, null, tripCounts, cause,
        openNanos, 0, 0);
  }

  /** HALF_OPEN, with the caller that triggered it already holding the first probe. */
  static Phase halfOpen(Phase open, long now) {
    return new Phase(State.HALF_OPEN, open.generation + 1, now, open.consecutiveTrips, null, open.tripCounts,
        open.cause, 0, 1, 0);
  }

  /** FORCED_OPEN or DISABLED: no window, no trips. */
  static Phase manual(Phase from, State state, long now, String cause) {
    return new Phase(state, from.generation + 1, now, 0, null, Counts.EMPTY, cause, 0, 0, 0);
  }

  /** This HALF_OPEN phase with other probe counts; the same generation, so its permits stay valid. */
  Phase withProbes(int inFlight, int successes) {
    return new Phase(state, generation, enteredAt, consecutiveTrips, window, tripCounts, cause, openNanos,
        inFlight, successes);
  }

  /** The permit for a call admitted in this phase. */
  int permit(boolean probe) {
    return (int) ((generation & GENERATION_BITS) << 1) | (probe ? 1 : 0);
  }

  /** Whether {@code permit} was handed out by this phase (or by an update of it with other probe counts). */
  boolean issued(int permit) {
    return permit >= 0 && (permit >>> 1) == (int) (generation & GENERATION_BITS);
  }
}
