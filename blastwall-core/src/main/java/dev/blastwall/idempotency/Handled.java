package dev.blastwall.idempotency;

/**
 * What a keyed handler produced: its response and whether that response is final (stored and replayed to every
 * retry) or a retryable failure (sent once, not stored, the key released so the next retry runs).
 *
 * @param response what to send the caller
 * @param store whether to keep it for replay
 */
public record Handled(StoredResponse response, boolean store) {

  /** A final answer (a success, or a failure that a retry would only repeat, such as a validation error). */
  public static Handled result(StoredResponse response) {
    return new Handled(response, true);
  }

  /** A failure worth retrying (overloaded, a dependency down): not stored, so the retry runs the handler again. */
  public static Handled retryable(StoredResponse response) {
    return new Handled(response, false);
  }
}
