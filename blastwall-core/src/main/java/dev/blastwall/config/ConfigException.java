package dev.blastwall.config;

import dev.blastwall.internal.Checks;

/**
 * A configuration that does not read: an unknown key, a value of the wrong type or out of range, settings that do
 * not fit together, or a document that does not parse. The message names the path and the value as given, and
 * says what was expected: {@code upstreams.inventory.retry.max-attempts: "abc" (expected: an integer 1..10)}.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String path;

  /**
   * An error about the value at {@code path}.
   *
   * @param shown the value as the message shows it: quoted and bounded with the project's quoting if it came from
   *     outside ({@code "abc"}), or a description ({@code unknown key}, {@code a mapping})
   */
  public ConfigException(String path, String shown, String expected) {
    super(Checks.invalid(path, shown, expected));
    this.path = path;
  }

  /** The path of the value the error is about; empty for the document as a whole. */
  public String path() {
    return path;
  }
}
