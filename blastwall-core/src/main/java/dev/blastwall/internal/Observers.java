package dev.blastwall.internal;

import dev.blastwall.event.CallObserver;
import dev.blastwall.event.CallOutcome;
import dev.blastwall.event.Subscription;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link CallObserver}s of one pipeline. Reading them is one volatile read, {@link CallObserver#NONE} while
 * there is none; adding and removing are rare and serialized. Each observer added gets its own entry, so one added
 * twice is removed once per close.
 */
public final class Observers {

  private final ReentrantLock changing = new ReentrantLock();
  // Guarded by changing; each element is a distinct wrapper, so removal is by identity.
  private Entry[] entries = new Entry[0];
  private volatile CallObserver current = CallObserver.NONE;

  /** Every observer as one, {@link CallObserver#NONE} when there is none; each call reads it afresh. */
  public CallObserver current() {
    return current;
  }

  /** Adds {@code observer} until the subscription returned is closed. */
  public Subscription add(CallObserver observer) {
    Entry entry = new Entry(observer);
    changing.lock();
    try {
      Entry[] grown = Arrays.copyOf(entries, entries.length + 1);
      grown[entries.length] = entry;
      publish(grown);
    } finally {
      changing.unlock();
    }
    return () -> remove(entry);
  }

  private void remove(Entry entry) {
    changing.lock();
    try {
      Entry[] kept = Arrays.stream(entries).filter(other -> other != entry).toArray(Entry[]::new);
      if (kept.length != entries.length) {
        publish(kept);
      }
    } finally {
      changing.unlock();
    }
  }

  /** The lock is held. */
  private void publish(Entry[] now) {
    entries = now;
    current = now.length == 0 ? CallObserver.NONE
        : now.length == 1 ? now[0].observer
        : new Fanout(Arrays.stream(now).map(entry -> entry.observer).toArray(CallObserver[]::new));
  }

  /** Whether {@code observer} wants the call about to start timed; one that throws does not. */
  public static boolean timesCall(CallObserver observer) {
    try {
      return observer.timesCall();
    } catch (RuntimeException ignored) {
      return false; // observing must never break a call
    }
  }

  /** Reports a call's end to {@code observer}; one that throws is ignored. */
  public static void ended(CallObserver observer, CallOutcome outcome, int attempts, long durationNanos) {
    try {
      observer.onCallEnded(outcome, attempts, durationNanos);
    } catch (RuntimeException ignored) {
      // Observing must never break a call.
    }
  }

  /** Reports an attempt refused by {@code policy}; an observer that throws is ignored. */
  public static void rejected(CallObserver observer, String policy) {
    try {
      observer.onAttemptRejected(policy);
    } catch (RuntimeException ignored) {
      // Observing must never break a call.
    }
  }

  /** Reports a retry (or hedge) the budget refused; an observer that throws is ignored. */
  public static void budgetRefused(CallObserver observer) {
    try {
      observer.onBudgetRefused();
    } catch (RuntimeException ignored) {
      // Observing must never break a call.
    }
  }

  /** Reports a call a hedge answered; an observer that throws is ignored. */
  public static void hedgeWon(CallObserver observer) {
    try {
      observer.onHedgeWon();
    } catch (RuntimeException ignored) {
      // Observing must never break a call.
    }
  }

  /** One added observer; a wrapper of its own, so the same observer added twice is two entries. */
  private static final class Entry {
    final CallObserver observer;

    Entry(CallObserver observer) {
      this.observer = observer;
    }
  }

  /**
   * Passes each report to every observer in turn. A call is timed when any of them asks (each is asked, so a
   * sampling observer's draws stay its own), and then each gets the duration.
   */
  private static final class Fanout implements CallObserver {
    private final CallObserver[] all;

    Fanout(CallObserver[] all) {
      this.all = all;
    }

    @Override
    public boolean timesCall() {
      boolean any = false;
      for (CallObserver observer : all) {
        any |= Observers.timesCall(observer);
      }
      return any;
    }

    @Override
    public void onCallEnded(CallOutcome outcome, int attempts, long durationNanos) {
      for (CallObserver observer : all) {
        ended(observer, outcome, attempts, durationNanos);
      }
    }

    @Override
    public void onAttemptRejected(String policy) {
      for (CallObserver observer : all) {
        rejected(observer, policy);
      }
    }

    @Override
    public void onBudgetRefused() {
      for (CallObserver observer : all) {
        budgetRefused(observer);
      }
    }

    @Override
    public void onHedgeWon() {
      for (CallObserver observer : all) {
        hedgeWon(observer);
      }
    }
  }
}
