package dev.blastwall.config;

import dev.blastwall.internal.Checks;

/**
 * A configuration that does not read: an unknown key, a value of the wrong type or out of range, settings that do
 * not fit together, or a document that does not parse. The message names the path and the value as given, and
 * says what was expected: {@code upstreams.inventory.retry.max-attempts: "abc" (expected: an integer 1..10)}; a
 * reader that knows where the value was written puts that first: {@code app.yaml:7: upstreams...}.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String shown;
  private final String expected;

  /**
   * An error about the value at {@code path}.
   *
   * @param shown the value as the message shows it: quoted and bounded with the project's quoting if it came from
   *     outside ({@code "abc"}), or a description ({@code unknown key}, {@code a mapping})
   */
  public ConfigException(String path, String shown, String expected) {
    this(Checks.invalid(path.isEmpty() ? "document" : path, shown, expected), path, shown, expected);
  }

  private ConfigException(String message, String path, String shown, String expected) {
    super(message);
    this.path = path;
    this.shown = shown;
    this.expected = expected;
  }

  /** The same error, its message starting with where the value was written: {@code app.yaml:7}. */
  public ConfigException at(String where) {
    ConfigException located = new ConfigException(where + ": " + getMessage(), path, shown, expected);
    located.initCause(this);
    return located;
  }

  /** The path of the value the error is about; empty for the document as a whole. */
  public String path() {
    return path;
  }

  /** The value as the message shows it. */
  public String shown() {
    return shown;
  }

  /** What was expected instead. */
  public String expected() {
    return expected;
  }
}
