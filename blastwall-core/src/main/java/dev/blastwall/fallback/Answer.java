package dev.blastwall.fallback;

import dev.blastwall.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * A value together with whether it is the real one or a stand-in. Callers count degraded answers (a rising count
 * is an outage in progress that users do not see yet), and aggregators build partial responses from them, flagging
 * the degraded parts instead of hiding them.
 *
 * <p>Immutable; thread-safe when the value is.
 *
 * @param value the answer: the call's result, or the fallback's stand-in when {@code degraded}
 * @param degraded whether {@code value} is a stand-in because the call failed or its result was rejected
 * @param reason why the answer is degraded, for logs and response flags; {@code null} exactly when not degraded
 * @param cause the failure that made the answer degraded, or {@code null} when it is not degraded or when a
 *     rejected result (not an exception) did
 * @param <T> the type of the value
 */
public record Answer<T extends @Nullable Object>(
    T value, boolean degraded, @Nullable String reason, @Nullable Throwable cause) {

  /**
   * Checks that the flags agree: a degraded answer says why, and a real one carries no reason or cause that a
   * reader could mistake for a degradation.
   */
  public Answer {
    if (degraded) {
      if (reason == null || reason.isBlank()) {
        throw Checks.invalidArgument("reason", reason == null ? "null" : '"' + reason + '"',
            "a non-blank reason for a degraded answer");
      }
    } else if (reason != null) {
      throw Checks.invalidArgument("reason", '"' + reason + '"', "no reason for an answer that is not degraded");
    } else if (cause != null) {
      throw Checks.invalidArgument("cause", cause, "no cause for an answer that is not degraded");
    }
  }

  /** The real answer {@code value}. */
  public static <T extends @Nullable Object> Answer<T> ok(T value) {
    return new Answer<>(value, false, null, null);
  }

  /** A stand-in {@code value}, given because of {@code cause} (or a rejected result, when it is null). */
  public static <T extends @Nullable Object> Answer<T> degraded(T value, String reason, @Nullable Throwable cause) {
    return new Answer<>(value, true, reason, cause);
  }
}
