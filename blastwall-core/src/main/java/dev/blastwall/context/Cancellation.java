package dev.blastwall.context;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
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

  private static final VarHandle CAUSE;
  private static final VarHandle LISTENERS;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      CAUSE = lookup.findVarHandle(Cancellation.class, "cause", Throwable.class);
      LISTENERS = lookup.findVarHandle(Cancellation.class, "listeners", Object.class);
    } catch (ReflectiveOperationException impossible) {
      throw new ExceptionInInitializerError(impossible);
    }
  }

  // Set once, through CAUSE: a field rather than an AtomicReference, one object less per signal.
  private volatile @Nullable Throwable cause;
  // Through LISTENERS: null while nobody listens, then the one Listener, then (from the second registration on)
  // a ConcurrentLinkedQueue of them, which stays. Most signals (an attempt that ends normally) get no listener or
  // one, and a queue is three objects more. A node leaves the slot or the queue by exactly one atomic step
  // (a compare-and-set of the slot, a poll or a remove), and whoever takes it decides its fate, so a listener runs
  // at most once, and a removed one never.
  private volatile @Nullable Object listeners;
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
    if (this == NEVER || !CAUSE.compareAndSet(this, (Throwable) null, why)) {
      return false;
    }
    RuntimeException first = null;
    // Read after the cause is set: a registration that lands later sees the cause and runs its own listener.
    for (Listener listener = take(); listener != null; listener = take()) {
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
    return cause != null;
  }

  /** Why the signal was cancelled, or {@code null} while it is not. */
  public @Nullable Throwable cause() {
    return cause;
  }

  /** Throws a {@link CancellationException} carrying the cause if the signal was cancelled. */
  public void throwIfCancelled() {
    Throwable why = cause;
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
    if (cause != null) {
      listener.run();
      return Registration.NONE;
    }
    Listener node = new Listener(this, listener);
    register(node);
    // Cancelled while registering: cancel() may have taken every listener before the node landed. Whoever
    // unregisters the node (this thread here, or cancel()) runs it, so it runs exactly once.
    if (cause != null && unregister(node)) {
      listener.run();
      return Registration.NONE;
    }
    return node;
  }

  /** Puts {@code node} after every listener registered before it: into the empty slot, or the queue. */
  private void register(Listener node) {
    while (true) {
      Object current = listeners;
      if (current == null) {
        if (LISTENERS.compareAndSet(this, (Object) null, node)) {
          return;
        }
      } else if (current instanceof Listener single) {
        // A second listener: both move to a queue, in order, unless the first left the slot meanwhile.
        ConcurrentLinkedQueue<Listener> queue = new ConcurrentLinkedQueue<>();
        queue.add(single);
        queue.add(node);
        if (LISTENERS.compareAndSet(this, single, queue)) {
          return;
        }
      } else {
        queueOf(current).add(node);
        return;
      }
    }
  }

  /** Removes {@code node} if it is still registered; true when this call removed it. */
  private boolean unregister(Listener node) {
    while (true) {
      Object current = listeners;
      if (current == node) {
        if (LISTENERS.compareAndSet(this, node, (Object) null)) {
          return true;
        }
      } else if (current instanceof ConcurrentLinkedQueue<?>) {
        // The node may have moved from the slot into the queue: the queue, once there, never goes away.
        return queueOf(current).remove(node);
      } else {
        return false; // taken by cancel() or already removed: the slot holds another node or nothing
      }
    }
  }

  /** The oldest registered listener, taken out, or {@code null} when none is left. */
  private @Nullable Listener take() {
    while (true) {
      Object current = listeners;
      if (current == null) {
        return null;
      }
      if (current instanceof Listener single) {
        if (LISTENERS.compareAndSet(this, single, (Object) null)) {
          return single;
        }
      } else {
        return queueOf(current).poll();
      }
    }
  }

  @SuppressWarnings("unchecked") // only Listener nodes ever go into the queue
  private static ConcurrentLinkedQueue<Listener> queueOf(Object listeners) {
    return (ConcurrentLinkedQueue<Listener>) listeners;
  }

  private Throwable causeOrDefault() {
    Throwable why = cause;
    return why != null ? why : new CancellationException("parent cancelled");
  }

  @Override
  public String toString() {
    Throwable why = cause;
    return why != null ? "Cancellation[cancelled: " + why + "]" : "Cancellation[active]";
  }

  /**
   * A node of its own per registration, so removing one lambda never removes an equal one; it is also the
   * registration handed back, which saves an object per listener.
   */
  private static final class Listener implements Registration {
    private final Cancellation owner;
    final Runnable action;

    Listener(Cancellation owner, Runnable action) {
      this.owner = owner;
      this.action = action;
    }

    @Override
    public void remove() {
      owner.unregister(this);
    }
  }
}
