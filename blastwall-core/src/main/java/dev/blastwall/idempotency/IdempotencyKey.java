package dev.blastwall.idempotency;

import dev.blastwall.context.Idempotency;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Untrusted;

/**
 * Where a key is unique: one tenant's use of one key on one operation. Two tenants that pick the same key, or one
 * client that reuses a key on another operation, never see each other's record.
 *
 * <p>All three parts come from requests, so each is bounded and limited to visible ASCII (a store writes them to a
 * database or a Redis key, and an error message quotes them).
 *
 * @param tenant who the request acts for (the authenticated principal, an API key's account), 1 to
 *     {@value #MAX_TENANT_LENGTH} visible ASCII characters
 * @param operation the operation the key belongs to (a gRPC full method name, an HTTP method and route template),
 *     1 to {@value #MAX_OPERATION_LENGTH} visible ASCII characters
 * @param key the client's idempotency key, 1 to {@value Idempotency#MAX_KEY_LENGTH} visible ASCII characters
 */
public record IdempotencyKey(String tenant, String operation, String key) {

  /** Longest accepted tenant. */
  public static final int MAX_TENANT_LENGTH = 128;

  /** Longest accepted operation. */
  public static final int MAX_OPERATION_LENGTH = 256;

  public IdempotencyKey {
    checkVisibleAscii("tenant", tenant, MAX_TENANT_LENGTH);
    checkVisibleAscii("operation", operation, MAX_OPERATION_LENGTH);
    checkVisibleAscii("key", key, Idempotency.MAX_KEY_LENGTH);
  }

  /** Fails with {@code name: "value" (expected: 1 to max visible ASCII characters)} unless {@code value} fits. */
  static void checkVisibleAscii(String name, String value, int maxLength) {
    if (value.isEmpty() || value.length() > maxLength || !Checks.isVisibleAscii(value)) {
      throw Checks.invalidArgument(name, Untrusted.quote(value), "1 to " + maxLength + " visible ASCII characters");
    }
  }
}
