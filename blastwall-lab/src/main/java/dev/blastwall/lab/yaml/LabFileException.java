package dev.blastwall.lab.yaml;

import java.util.OptionalInt;

/**
 * A lab file that cannot be read or does not describe a valid plan. The message names the source, the line when
 * known, the path of the value and what was expected: {@code checkout.yaml:7: services.a.workers: -1 (expected: at
 * least 1)}.
 */
public final class LabFileException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;

  LabFileException(String source, OptionalInt line, String detail) {
    super(source + (line.isPresent() ? ":" + line.getAsInt() : "") + ": " + detail);
    this.source = source;
    this.line = line.orElse(0);
  }

  /** The file name or label the plan was read from. */
  public String source() {
    return source;
  }

  /** The line (from 1) the error was found on, when known. */
  public OptionalInt line() {
    return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
  }
}
