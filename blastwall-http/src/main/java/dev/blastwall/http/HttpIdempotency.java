package dev.blastwall.http;

import dev.blastwall.context.Idempotency;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Whether an HTTP request may be sent more than once, from its method and what the operation is declared to be.
 *
 * <p>GET, HEAD, PUT, DELETE and OPTIONS are idempotent (RFC 9110 section 9.2.2): repeating one leaves the server as
 * one request would. Every other method (POST, PATCH, anything unknown) is repeatable only when its operation is
 * <em>declared keyed</em>: the server deduplicates on {@code Idempotency-Key}. Then the key is generated once per
 * logical call and every retry and hedge sends the same one. A key the application put on a request by itself,
 * without that declaration, is sent as it is but makes nothing retryable: nothing says the server honours it, and a
 * key the server ignores makes a retry run the mutation twice. Method names are case-sensitive, as HTTP defines.
 */
public final class HttpIdempotency {

  private HttpIdempotency() {}

  /** Whether {@code method} is idempotent by its definition: GET, HEAD, PUT, DELETE or OPTIONS. */
  public static boolean isIdempotentMethod(String method) {
    return switch (method) {
      case "GET", "HEAD", "PUT", "DELETE", "OPTIONS" -> true;
      default -> false;
    };
  }

  /**
   * The idempotency of one logical call with {@code method}.
   *
   * @param declaredKeyed whether the operation is declared deduplicated by the server on its idempotency key
   * @param newKey makes the call's key, asked once and only when {@code declaredKeyed}
   */
  public static Idempotency of(String method, boolean declaredKeyed, Supplier<String> newKey) {
    boolean idempotent = isIdempotentMethod(method);
    if (declaredKeyed) {
      return new Idempotency(idempotent, newKey.get());
    }
    return idempotent ? Idempotency.IDEMPOTENT : Idempotency.NON_IDEMPOTENT;
  }

  /** A fresh random key (a UUID, 36 visible ASCII characters). */
  public static String newKey() {
    return UUID.randomUUID().toString();
  }
}
