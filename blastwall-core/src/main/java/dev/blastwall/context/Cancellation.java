package dev.blastwall.context;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A one-shot cancellation signal that code inside a call can poll or listen to, so work stops when the caller
 * has given up (its deadline passed, its attempt timed out, a hedge won). Cancelling a parent cancels every
 * child created from it; a child's cancellation never reaches its parent.
 *
 * <p>Thread-safe and lock-free. Listeners run once, on the thread that cancels, in the order they were registered
 * (or at once, on the registering thread, if the signal is already cancelled). A listener that throws does not
 * keep the others from running: all of them run, then {@link #cancel} rethrows the first exception.
 */
public final class Cancellation {

  /** A signal that is never cancelled, for work outside any call. */
  public static final Cancellation NEVER = new Cancellation();

  // Either a listener chain (not cancelled yet) or the cause (cancelled). One field keeps the transition atomic.
  private final AtomicReference<@Nullable Object> state = new AtomicReference<>(Listeners.EMPTY);

  private Cancellation() {}

  /** A new signal, not cancelled. */
  public static Cancellation create() {
    return new Cancellation();
  }

  /** A new signal that is cancelled when this one is. */
  public Cancellation child() {
    Cancellation child = new Cancellation();
    if (this != NEVER) {
      onCancel(() -> child.cancel(causeOrDefault()));
    }
    return child;
  }

  /**
   * Cancels this signal and its children, running the listeners; returns false if it was already cancelled.
   *
   * @throws RuntimeException the first exception a listener threw, after every listener ran (the signal is
   *     cancelled all the same)
   */
  public boolean cancel(Throwable cause) {
    if (this == NEVER) {
      return false;
    }
    while (true) {
      Object current = state.get();
      if (!(current instanceof Listeners listeners)) {
        return false;
      }
      if (state.compareAndSet(current, cause)) {
        listeners.runAll();
        return true;
      }
    }
  }

  /** Whether the signal was cancelled. */
  public boolean isCancelled() {
    return !(state.get() instanceof Listeners);
  }

  /** Why the signal was cancelled, or {@code null} while it is not. */
  public @Nullable Throwable cause() {
    return state.get() instanceof Throwable cause ? cause : null;
  }

  /** Throws a {@link CancellationException} carrying the cause if the signal was cancelled. */
  public void throwIfCancelled() {
    Throwable cause = cause();
    if (cause != null) {
      CancellationException exception = new CancellationException("call cancelled: " + cause.getMessage());
      exception.initCause(cause);
      throw exception;
    }
  }

  /** Runs {@code listener} once when the signal is cancelled, at once if it already is. */
  public void onCancel(Runnable listener) {
    if (this == NEVER) {
      return;
    }
    while (true) {
      Object current = state.get();
      if (!(current instanceof Listeners listeners)) {
        listener.run();
        return;
      }
      if (state.compareAndSet(current, new Listeners(listener, listeners))) {
        return;
      }
    }
  }

  private Throwable causeOrDefault() {
    Throwable cause = cause();
    return cause != null ? cause : new CancellationException("parent cancelled");
  }

  @Override
  public String toString() {
    return isCancelled() ? "Cancellation[cancelled: " + cause() + "]" : "Cancellation[active]";
  }

  /** An immutable linked list of listeners: prepend-only, so a CAS on the head publishes it safely. */
  private static final class Listeners {
    static final Listeners EMPTY = new Listeners(null, null);

    private final @Nullable Runnable head;
    private final @Nullable Listeners tail;

    Listeners(@Nullable Runnable head, @Nullable Listeners tail) {
      this.head = head;
      this.tail = tail;
    }

    /** Runs every listener, oldest first; rethrows the first exception once all have run. */
    void runAll() {
      int count = 0;
      for (Listeners node = this; node != null; node = node.tail) {
        if (node.head != null) {
          count++;
        }
      }
      // The chain is newest first; run in registration order, so a listener added inside an attempt (abort
      // the request) runs before one the pipeline added later (move on to the next attempt).
      Runnable[] ordered = new Runnable[count];
      int index = count;
      for (Listeners node = this; node != null; node = node.tail) {
        if (node.head != null) {
          ordered[--index] = node.head;
        }
      }
      @Nullable RuntimeException first = null;
      for (Runnable listener : ordered) {
        try {
          listener.run();
        } catch (RuntimeException failure) {
          if (first == null) {
            first = failure;
          } else {
            first.addSuppressed(failure);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }
}
