package dev.blastwall.time;

/**
 * A monotonic source of nanoseconds. Only differences between two readings mean anything.
 *
 * <p>Every Blastwall policy reads time through a {@code Ticker} so that tests can drive it with a fake one
 * ({@code dev.blastwall.testing.FakeTicker}); {@link #system()} is the only place core reads the real clock.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {

  /** Returns the current reading in nanoseconds; successive readings never decrease. */
  long nanos();

  /** The ticker backed by {@link System#nanoTime()}. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
