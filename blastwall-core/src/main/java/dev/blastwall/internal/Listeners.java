package dev.blastwall.internal;

import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.EventListener;
import dev.blastwall.event.Subscription;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The listeners of one policy: the one it was built with, and those added while it runs (a metrics binder attached
 * to a registry of pipelines built long before). Reading them is one volatile read, {@link EventListener#NONE}
 * while nobody listens, so a policy can skip building events exactly as it did with a fixed listener. Adding and
 * removing are rare and serialized; each listener added gets its own subscription, so one listener added twice
 * is removed once per close.
 */
public final class Listeners {

  private final EventListener built;
  private final ReentrantLock changing = new ReentrantLock();
  // Guarded by changing; each element is a distinct wrapper, so removal is by identity.
  private Added[] added = new Added[0];
  private volatile EventListener current;

  /** Listeners starting with {@code built}, which stays for good ({@link EventListener#NONE} for none). */
  public Listeners(EventListener built) {
    this.built = built;
    this.current = built;
  }

  /** Every listener as one, {@link EventListener#NONE} when there is none; each call reads it afresh. */
  public EventListener current() {
    return current;
  }

  /** Whether anyone listens right now. */
  public boolean any() {
    return current != EventListener.NONE;
  }

  /** Adds {@code listener} until the subscription returned is closed. */
  public Subscription add(EventListener listener) {
    Added entry = new Added(listener);
    changing.lock();
    try {
      Added[] grown = Arrays.copyOf(added, added.length + 1);
      grown[added.length] = entry;
      publish(grown);
    } finally {
      changing.unlock();
    }
    return () -> remove(entry);
  }

  private void remove(Added entry) {
    changing.lock();
    try {
      int at = -1;
      for (int i = 0; i < added.length; i++) {
        if (added[i] == entry) {
          at = i;
        }
      }
      if (at < 0) {
        return;
      }
      Added[] shrunk = new Added[added.length - 1];
      System.arraycopy(added, 0, shrunk, 0, at);
      System.arraycopy(added, at + 1, shrunk, at, shrunk.length - at);
      publish(shrunk);
    } finally {
      changing.unlock();
    }
  }

  /** The lock is held. */
  private void publish(Added[] now) {
    added = now;
    if (now.length == 0) {
      current = built;
    } else if (now.length == 1 && built == EventListener.NONE) {
      current = now[0].listener;
    } else {
      current = new Fanout(built, now);
    }
  }

  /** One added listener; a wrapper of its own, so the same listener added twice is two entries. */
  private static final class Added {
    final EventListener listener;

    Added(EventListener listener) {
      this.listener = listener;
    }
  }

  /** Passes each event to every listener in turn; one that throws does not keep the event from the others. */
  private static final class Fanout implements EventListener {
    private final EventListener built;
    private final Added[] added;

    Fanout(EventListener built, Added[] added) {
      this.built = built;
      this.added = added;
    }

    @Override
    public void onEvent(BlastwallEvent event) {
      deliver(built, event);
      for (Added entry : added) {
        deliver(entry.listener, event);
      }
    }

    private static void deliver(EventListener listener, BlastwallEvent event) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException ignored) {
        // Observing must never break a call, nor keep the event from the other listeners.
      }
    }
  }
}
