package dev.blastwall.lab.plan;

import java.util.Locale;

/** The two ways a lab run configures the same services. */
public enum Mode {
  /** What teams write without thinking: see {@link NaiveSetup}. */
  NAIVE,
  /** Blastwall's recommended setup: see {@link BlastwallSetup}. */
  BLASTWALL;

  /** The name used on the command line and in JSON: {@code naive}, {@code blastwall}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode labelled {@code label}. */
  public static Mode parse(String label) {
    for (Mode mode : values()) {
      if (mode.label().equals(label)) {
        return mode;
      }
    }
    throw new IllegalArgumentException("mode: \"" + label + "\" (expected: naive or blastwall)");
  }
}
