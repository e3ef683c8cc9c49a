package dev.blastwall.context;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 *
 * <p>A registration can be {@linkplain Registration#remove() removed}, and a child {@linkplain #detach() detached}
 * from its parent once its work is over, so a long-lived parent (a server request that makes many outgoing
 * calls) does not keep every finished attempt alive.
 */
public final class Cancellation {

  /** A signal that is never cancelled, for work outside any call. */
  public static final Cancellation NEVER = new Cancellation();

  /** A registered listener; removing it means it will not run. */
  @FunctionalInterface
  public interface Registration {
    /** A registration that holds nothing. */
    Registration NONE = () -> {};

    /** Unregisters the listener if it has not run yet; safe to call more than once. */
    void remove();
  }

  private final AtomicReference<@Nullable Throwable> cause = new AtomicReference<>();
  // Poll and remove are atomic per node: whichever of cancel() and remove() takes a node decides its fate,
  // so a listener runs at most once, and a removed one never.
  private final ConcurrentLinkedQueue<Listener> listeners = new ConcurrentLinkedQueue<>();
  private volatile Registration parentRegistration = Registration.NONE;

  private Cancellation() {}

  /** A new signal, not cancelled. */
  public static Cancellation create() {
    return new Cancellation();
  }

  /** A new signal that is cancelled when this one is, until it is {@linkplain #detach() detached}. */
  public Cancellation child() {
    Cancellation child = new Cancellation();
    if (this != NEVER) {
      child.parentRegistration = onCancel(() -> child.cancel(causeOrDefault()));
    }
    return child;
  }

  /** Stops following the parent this signal was created from: its work is over. */
  public void detach() {
    parentRegistration.remove();
    parentRegistration = Registration.NONE;
  }

  /**
   * Cancels this signal and its children, running the listeners; returns false if it was already cancelled.
   *
   * @throws RuntimeException the first exception a listener threw, after every listener ran (the signal is
   *     cancelled all the same)
   */
  public boolean cancel(Throwable why) {
    if (this == NEVER || !cause.compareAndSet(null, why)) {
      return false;
    }
    RuntimeException first = null;
    for (Listener listener = listeners.poll(); listener != null; listener = listeners.poll()) {
      try {
        listener.action.run();
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
    return true;
  }

  /** Whether the signal was cancelled. */
  public boolean isCancelled() {
    return cause.get() != null;
  }

  /** Why the signal was cancelled, or {@code null} while it is not. */
  public @Nullable Throwable cause() {
    return cause.get();
  }

  /** Throws a {@link CancellationException} carrying the cause if the signal was cancelled. */
  public void throwIfCancelled() {
    Throwable why = cause.get();
    if (why != null) {
      CancellationException exception = new CancellationException("call cancelled: " + why.getMessage());
      exception.initCause(why);
      throw exception;
    }
  }

  /** Runs {@code listener} once when the signal is cancelled, at once if it already is. */
  public Registration onCancel(Runnable listener) {
    if (this == NEVER) {
      return Registration.NONE;
    }
    if (cause.get() != null) {
      listener.run();
      return Registration.NONE;
    }
    Listener node = new Listener(listener);
    listeners.add(node);
    // Cancelled while adding: cancel() may have drained the queue before the node landed. Whoever removes the
    // node (this thread here, or cancel()) runs it, so it runs exactly once.
    if (cause.get() != null && listeners.remove(node)) {
      listener.run();
      return Registration.NONE;
    }
    return () -> listeners.remove(node);
  }

  private Throwable causeOrDefault() {
    Throwable why = cause.get();
    return why != null ? why : new CancellationException("parent cancelled");
  }

  @Override
  public String toString() {
    Throwable why = cause.get();
    return why != null ? "Cancellation[cancelled: " + why + "]" : "Cancellation[active]";
  }

  /** A node of its own per registration, so removing one lambda never removes an equal one. */
  private static final class Listener {
    final Runnable action;

    Listener(Runnable action) {
      this.action = action;
    }
  }
}
