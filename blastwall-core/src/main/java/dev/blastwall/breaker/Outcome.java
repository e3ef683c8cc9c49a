package dev.blastwall.breaker;

/** What one finished call tells a window. Enum constants, so recording an outcome never allocates. */
enum Outcome {
  /** Succeeded within the slow-call duration. */
  SUCCESS(1),
  /** Succeeded, but took longer than the slow-call duration. */
  SLOW(2),
  /** Failed in a way that is the upstream's fault. */
  FAILURE(3);

  /** How a count window stores it in an int slot; never 0, which marks an empty slot. */
  final int code;

  Outcome(int code) {
    this.code = code;
  }
}
