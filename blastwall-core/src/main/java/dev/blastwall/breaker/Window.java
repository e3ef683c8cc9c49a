package dev.blastwall.breaker;

/**
 * The recent outcomes a closed circuit judges the upstream by. Implementations are lock-free and safe for any
 * number of recording and reading threads; a reader racing with recorders may miss the outcomes being recorded
 * at that instant, never more.
 */
sealed interface Window permits CountWindow, TimeWindow {

  /**
   * Adds one outcome, observed at ticker reading {@code now}. Must not allocate on the common path.
   *
   * @return whether the window may now break thresholds it did not break before; {@code false} only when the
   *     outcome provably left every rate and the call count where they were or lower, so the caller may skip
   *     {@link #exceeds} (which reads counters every recorder writes)
   */
  boolean record(long now, Outcome outcome);

  /** Whether the window, as of {@code now}, breaks {@code thresholds}. Must not allocate. */
  boolean exceeds(long now, Thresholds thresholds);

  /** The window's numbers as of {@code now}. */
  Counts counts(long now);

  /** Whether {@code now} matters to this window; a count window ignores it, so callers may skip the clock read. */
  default boolean usesTime() {
    return true;
  }
}
