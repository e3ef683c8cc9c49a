package dev.blastwall.lab.topology;

import java.time.Duration;

/**
 * Durations as the lab writes them in reports and YAML: {@code 250ms}, {@code 5s}, {@code 1500us}. Lab files read
 * them back with the YAML reader, which also bounds them.
 */
public final class Durations {

  private Durations() {}

  /** The shortest exact text for {@code duration} in ms, s, us or ns. */
  public static String text(Duration duration) {
    long nanos = duration.toNanos();
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos + "ns";
  }
}
