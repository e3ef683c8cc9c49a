package dev.blastwall.fanout;

import dev.blastwall.fallback.Answer;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How one part of a fanout ended: its status, and for a stand-in or a failure, why. The value itself is read,
 * typed, with {@link FanoutResult#get(PartKey)}.
 *
 * <p>Immutable; thread-safe when the value is.
 */
public final class PartResult {

  private final String name;
  private final boolean required;
  private final PartStatus status;
  private final @Nullable Object value;
  private final @Nullable String reason;
  private final @Nullable Throwable cause;
  private final long elapsedNanos;

  PartResult(String name, boolean required, PartStatus status, @Nullable Object value, @Nullable String reason,
      @Nullable Throwable cause, long elapsedNanos) {
    this.name = name;
    this.required = required;
    this.status = status;
    this.value = value;
    this.reason = reason;
    this.cause = cause;
    this.elapsedNanos = elapsedNanos;
  }

  static PartResult of(String name, boolean required, Answer<?> answer, long elapsedNanos) {
    return new PartResult(name, required, answer.degraded() ? PartStatus.DEGRADED : PartStatus.OK, answer.value(),
        answer.reason(), answer.cause(), elapsedNanos);
  }

  public String name() {
    return name;
  }

  /** Whether the fanout fails when this part does. */
  public boolean required() {
    return required;
  }

  public PartStatus status() {
    return status;
  }

  /** Whether the part has a value: its own ({@link PartStatus#OK}) or its fallback's ({@link PartStatus#DEGRADED}). */
  public boolean hasValue() {
    return status == PartStatus.OK || status == PartStatus.DEGRADED;
  }

  /** The fallback's reason for a {@link PartStatus#DEGRADED} part (as in its {@link Answer}); otherwise null. */
  public @Nullable String reason() {
    return reason;
  }

  /**
   * Why the part did not answer by itself: the failure (for a degraded part, the one its fallback answered for;
   * null when a rejected result was), the deadline, or the cancellation. Null for an {@link PartStatus#OK} part.
   */
  public @Nullable Throwable cause() {
    return cause;
  }

  /** From the start of the fanout to the end of this part. */
  public Duration elapsed() {
    return Duration.ofNanos(elapsedNanos);
  }

  @Nullable Object value() {
    return value;
  }

  /** {@code name: STATUS}, with the fallback's reason or the failure when there is one to tell. */
  String describe() {
    StringBuilder text = new StringBuilder(name).append(": ").append(status);
    if (reason != null) {
      text.append(" (").append(reason).append(')');
    } else if (status == PartStatus.FAILED && cause != null) {
      String message = cause.getMessage();
      text.append(" (").append(cause.getClass().getSimpleName()).append(message != null ? ": " + message : "")
          .append(')');
    }
    return text.toString();
  }

  @Override
  public String toString() {
    return "PartResult[" + describe() + (required ? ", required" : "") + ", elapsed " + elapsed() + "]";
  }
}
