package dev.blastwall.breaker;

/**
 * The recent outcomes a closed circuit judges the upstream by. Implementations are lock-free and safe for any
 * number of recording and reading threads; a reader racing with recorders may miss the outcomes being recorded
 * at that instant, never more.
 */
sealed interface Window permits CountWindow, TimeWindow {

  /** Adds one outcome, observed at ticker reading {@code now}. Must not allocate on the common path. */
  void record(long now, Outcome outcome);

  /** Whether the window, as of {@code now}, breaks {@code thresholds}. Must not allocate. */
  boolean exceeds(long now, Thresholds thresholds);

  /** The window's numbers as of {@code now}. */
  Counts counts(long now);

  /** Whether {@code now} matters to this window; a count window ignores it, so callers may skip the clock read. */
  default boolean usesTime() {
    return true;
  }
}
