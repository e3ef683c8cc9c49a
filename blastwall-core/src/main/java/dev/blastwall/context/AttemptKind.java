package dev.blastwall.context;

/** Why an attempt is being sent: the first try, a retry after a failure, or a hedge racing a slow attempt. */
public enum AttemptKind {
  /** The first attempt of a logical call. */
  ORIGINAL,
  /** An attempt sent because an earlier one failed. */
  RETRY,
  /** An extra attempt sent because an earlier one was slow, racing it. */
  HEDGE
}
