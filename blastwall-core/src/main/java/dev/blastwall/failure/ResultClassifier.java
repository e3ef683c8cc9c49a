package dev.blastwall.failure;

import org.jspecify.annotations.Nullable;

/**
 * Decides whether a normally returned result is really a failure: an HTTP client that returns a 503 response
 * instead of throwing, a reply object with an error field.
 *
 * <p>Implementations must be thread-safe and should not allocate.
 */
@FunctionalInterface
public interface ResultClassifier {

  /** Accepts every result as a success. */
  ResultClassifier ACCEPT_ALL = result -> null;

  /** The kind of failure {@code result} stands for, or {@code null} if it is a success. */
  @Nullable FailureKind classify(@Nullable Object result);
}
