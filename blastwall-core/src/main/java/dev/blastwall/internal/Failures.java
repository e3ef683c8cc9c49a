package dev.blastwall.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Looks through the wrappers futures put around a failure. Two depths, one walk: deciding (classifying, matching a
 * fallback, mapping to a status) looks through {@link CompletionException} and {@link ExecutionException}, to
 * decide on what happened; delivering (what a caller is handed) looks through {@link CompletionException} only,
 * which {@code CompletableFuture} adds itself, and hands on an {@code ExecutionException} the caller's own code
 * threw as it was thrown.
 */
public final class Failures {

  /** How many wrappers are looked through; cause chains can be cyclic, so the walk is bounded. */
  private static final int MAX_DEPTH = 8;

  private Failures() {}

  /**
   * What happened: the failure inside {@code failure}'s {@link CompletionException} and
   * {@link ExecutionException} wrappers (nested ones too, up to {@value #MAX_DEPTH}); {@code failure} itself when
   * it is not such a wrapper or wraps nothing.
   */
  public static Throwable unwrap(Throwable failure) {
    return walk(failure, true);
  }

  /**
   * What to hand on: {@code failure} without the {@link CompletionException} wrappers a future added.
   */
  public static Throwable delivered(Throwable failure) {
    return walk(failure, false);
  }

  private static Throwable walk(Throwable failure, boolean throughExecution) {
    Throwable current = failure;
    for (int depth = 0; depth < MAX_DEPTH; depth++) {
      Throwable cause = current.getCause();
      boolean wrapper = current instanceof CompletionException
          || (throughExecution && current instanceof ExecutionException);
      if (cause == null || !wrapper) {
        break;
      }
      current = cause;
    }
    return current;
  }
}
