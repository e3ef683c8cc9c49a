package dev.blastwall.limit;

/**
 * Lets a limit change at most once per round trip, as TCP congestion control does.
 *
 * <p>Why: a request admitted before the limit last changed ran at the old concurrency, so its rtt and its drop
 * describe the old limit. Acting on every such sample repeats one congestion signal once per request in flight:
 * a limit of 50 whose queue just built up would be cut 50 times for one overload, and raised 50 times (doubling
 * it) before the first slow reply could arrive. Only samples admitted at or after the last change may move the
 * limit again; older ones are still used for measurements such as the no-load rtt.
 */
final class RoundTrips {

  private RoundTrips() {}

  /**
   * Whether a request admitted at {@code startNanos} saw the current limit, which last changed at
   * {@code lastChangeNanos} (the completion of the sample that changed it), or never if {@code changed} is false.
   */
  static boolean isFresh(boolean changed, long lastChangeNanos, long startNanos) {
    // Compared as a difference so the order survives a ticker that wraps around.
    return !changed || startNanos - lastChangeNanos >= 0;
  }
}
