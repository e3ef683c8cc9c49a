package dev.blastwall.propagation;

import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * What reading one header found: nothing, a value, or a refusal saying what was wrong, in the form
 * {@code name: "value" (expected: ...)} with the value bounded and escaped. A read never throws: the adapter decides
 * what a refusal means (ignore the header, or refuse the request).
 *
 * @param <T> the type of the value
 */
public final class HeaderValue<T> {

  private static final HeaderValue<?> ABSENT = new HeaderValue<>(null, null);

  private final @Nullable T value;
  private final @Nullable String refusal;

  private HeaderValue(@Nullable T value, @Nullable String refusal) {
    this.value = value;
    this.refusal = refusal;
  }

  /** The header was not there. */
  @SuppressWarnings("unchecked") // holds no value, so it is every HeaderValue<T>
  public static <T> HeaderValue<T> absent() {
    return (HeaderValue<T>) ABSENT;
  }

  /** The header held {@code value}. */
  public static <T> HeaderValue<T> of(T value) {
    return new HeaderValue<>(value, null);
  }

  /** The header was there but not acceptable; {@code message} says why. */
  public static <T> HeaderValue<T> refused(String message) {
    return new HeaderValue<>(null, message);
  }

  /** Whether the header held an acceptable value. */
  public boolean isPresent() {
    return value != null;
  }

  /** Whether the header was there but refused. */
  public boolean isRefused() {
    return refusal != null;
  }

  /**
   * The value.
   *
   * @throws NoSuchElementException if the header was absent or refused
   */
  public T value() {
    T present = value;
    if (present == null) {
      throw new NoSuchElementException(refusal != null ? refusal : "header absent");
    }
    return present;
  }

  /** The value, or {@code fallback} when the header was absent or refused. */
  public T orElse(T fallback) {
    return value != null ? value : fallback;
  }

  /** The value, or {@code null} when the header was absent or refused. */
  public @Nullable T orNull() {
    return value;
  }

  /** Why the header was refused ({@code name: value (expected: ...)}), or {@code null} when it was not. */
  public @Nullable String refusal() {
    return refusal;
  }

  @Override
  public String toString() {
    return value != null ? "HeaderValue[" + value + "]"
        : refusal != null ? "HeaderValue[refused: " + refusal + "]" : "HeaderValue[absent]";
  }
}
