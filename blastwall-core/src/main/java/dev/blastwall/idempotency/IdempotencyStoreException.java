package dev.blastwall.idempotency;

/**
 * The store could not answer (database or Redis unreachable, full, timed out). The request's fate is unknown to the
 * store, so a keyed operation fails closed by default: the handler does not run.
 */
public class IdempotencyStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public IdempotencyStoreException(String message) {
    super(message);
  }

  public IdempotencyStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
