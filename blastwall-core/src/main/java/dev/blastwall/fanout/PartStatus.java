package dev.blastwall.fanout;

/** How one part of a {@link Fanout} ended. */
public enum PartStatus {
  /** The part answered. */
  OK,
  /** The part failed, timed out or returned a rejected result, and its fallback answered instead. */
  DEGRADED,
  /** The part failed (after its own pipeline's retries), and no fallback answered. */
  FAILED,
  /** The fanout's deadline passed while the part was still running; it was cancelled. */
  TIMED_OUT,
  /** The part was cancelled unfinished: a required part failed, or the caller gave up. */
  CANCELLED
}
