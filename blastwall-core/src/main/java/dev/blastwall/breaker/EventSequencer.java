package dev.blastwall.breaker;

import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.internal.Listeners;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Delivers a breaker's state changes to its listeners in the order they happened, one at a time, without locks.
 *
 * <p>Two threads can win consecutive transitions and then race to report them, so arrival order is not
 * transition order. Each transition is therefore published with its generation, and whichever thread is
 * draining delivers generations strictly in sequence, holding back any that arrive early until the gap is
 * filled. Only one thread drains at a time (the classic "work in progress" counter: the thread that raises it
 * from zero drains, others just leave their item and go); the drainer loops until no publisher arrived while it
 * worked, so nothing is stranded. A transition may therefore be delivered on another thread than the one that
 * made it, slightly later.
 *
 * <p>A generation that changed without a state change (a reset of a closed circuit) is published with no
 * event, to keep the sequence gap-free.
 */
final class EventSequencer {

  private final Listeners listeners;
  private final ConcurrentLinkedQueue<Pending> arrived = new ConcurrentLinkedQueue<>();
  private final AtomicInteger workInProgress = new AtomicInteger();

  /** Drainer-only; the work-in-progress counter's atomic updates order each drainer after the previous one. */
  private final PriorityQueue<Pending> early = new PriorityQueue<>(Comparator.comparingLong(Pending::sequence));

  /** Drainer-only: the next generation to deliver. */
  private long next;

  EventSequencer(Listeners listeners, long firstSequence) {
    this.listeners = listeners;
    this.next = firstSequence;
  }

  /** Publishes the change to generation {@code sequence}: {@code event}, or nothing to deliver if null. */
  void publish(long sequence, @Nullable BlastwallEvent event) {
    arrived.add(new Pending(sequence, event));
    if (workInProgress.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      for (Pending pending = arrived.poll(); pending != null; pending = arrived.poll()) {
        early.add(pending);
      }
      for (Pending head = early.peek(); head != null && head.sequence() == next; head = early.peek()) {
        early.poll();
        next++;
        BlastwallEvent due = head.event();
        if (due != null) {
          deliver(due);
        }
      }
      missed = workInProgress.addAndGet(-missed);
    } while (missed != 0);
  }

  private void deliver(BlastwallEvent event) {
    try {
      listeners.current().onEvent(event);
    } catch (RuntimeException ignored) {
      // Observing must never break a call, nor stop the events after this one.
    }
  }

  private record Pending(long sequence, @Nullable BlastwallEvent event) {}
}
