package dev.blastwall.lab.load;

import org.jspecify.annotations.Nullable;

/**
 * How one request ended, as the user function reports it.
 *
 * @param kind what happened
 * @param errorKind for {@link Kind#ERROR}, a short label grouping errors in the report ("UNAVAILABLE", "503"); null
 *     otherwise
 */
public record Outcome(Kind kind, @Nullable String errorKind) {

  private static final Outcome OK = new Outcome(Kind.OK, null);
  private static final Outcome DEGRADED = new Outcome(Kind.DEGRADED, null);
  private static final Outcome TIMEOUT = new Outcome(Kind.TIMEOUT, null);

  /** The kinds of outcome. Successes are {@link #OK} and {@link #DEGRADED}. */
  public enum Kind {
    /** A full answer. */
    OK,
    /** A useful but reduced answer (a fallback, a cached or partial result): a success, counted apart. */
    DEGRADED,
    /** A failure; {@link Outcome#errorKind()} says which. */
    ERROR,
    /** No answer in time: reported by the user function, or the request was still in flight when the drain ended. */
    TIMEOUT
  }

  /**
   * Checks the pairing of kind and label.
   *
   * @throws IllegalArgumentException if an error has no (or a blank) label, or a non-error has one
   */
  public Outcome {
    if ((kind == Kind.ERROR) != (errorKind != null)) {
      throw new IllegalArgumentException(
          "errorKind: " + errorKind + " (expected: a label for ERROR and only for ERROR, kind " + kind + ")");
    }
    if (errorKind != null && errorKind.isBlank()) {
      throw new IllegalArgumentException("errorKind: \"" + errorKind + "\" (expected: not blank)");
    }
  }

  /** A full answer. */
  public static Outcome ok() {
    return OK;
  }

  /** A reduced answer, still a success. */
  public static Outcome degraded() {
    return DEGRADED;
  }

  /** A failure labelled {@code errorKind}. */
  public static Outcome error(String errorKind) {
    return new Outcome(Kind.ERROR, errorKind);
  }

  /** No answer in time. */
  public static Outcome timeout() {
    return TIMEOUT;
  }

  /** Whether this is {@link Kind#OK} or {@link Kind#DEGRADED}. */
  public boolean isSuccess() {
    return kind == Kind.OK || kind == Kind.DEGRADED;
  }
}
