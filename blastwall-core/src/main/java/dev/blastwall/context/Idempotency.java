package dev.blastwall.context;

import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Untrusted;
import org.jspecify.annotations.Nullable;

/**
 * Whether repeating a call is safe, which decides whether Blastwall may retry or hedge it.
 *
 * <p>A naturally idempotent operation (a read, a PUT by id) may be repeated freely. A mutation is safe to repeat
 * only when it carries an idempotency key that the server deduplicates on: the key is generated once per logical
 * call and reused by all its retries and hedges. A key is therefore a promise, made by whoever sets it (the caller,
 * with {@link #withKey}; an adapter only for operations declared as deduplicated): a key the server ignores makes a
 * retry run the mutation twice.
 *
 * @param idempotent whether the operation is idempotent by its nature
 * @param key the idempotency key, or {@code null} when the call carries none
 */
public record Idempotency(boolean idempotent, @Nullable String key) {

  /** Longest accepted key (what payment APIs accept; long enough for a UUID plus a client prefix). */
  public static final int MAX_KEY_LENGTH = 255;

  /** A naturally idempotent operation. */
  public static final Idempotency IDEMPOTENT = new Idempotency(true, null);

  /** An operation that must not be repeated: never retried, never hedged. */
  public static final Idempotency NON_IDEMPOTENT = new Idempotency(false, null);

  public Idempotency {
    if (key != null && (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !Checks.isVisibleAscii(key))) {
      // Keys arrive from peers (headers, metadata): the message shows them bounded and escaped.
      throw Checks.invalidArgument("key", Untrusted.quote(key),
          "1 to " + MAX_KEY_LENGTH + " visible ASCII characters");
    }
  }

  /** A non-idempotent operation made safe to retry by {@code key}. */
  public static Idempotency withKey(String key) {
    return new Idempotency(false, key);
  }

  /** Whether the operation may be sent more than once: idempotent by nature, or deduplicated by a key. */
  public boolean isRepeatable() {
    return idempotent || key != null;
  }
}
