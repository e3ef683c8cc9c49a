package dev.blastwall.redis.internal;

/**
 * Redis did not answer a script: unreachable, too slow, or an error reply. The public classes turn it into their
 * own failure ({@code IdempotencyStoreException}) or posture (the rate limiter's fail open or closed).
 */
public final class RedisUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RedisUnavailableException(String message) {
    super(message);
  }

  public RedisUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
