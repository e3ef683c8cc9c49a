package dev.blastwall.breaker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last {@code size} outcomes, in a ring. Each recorder claims the next slot with one atomic increment and
 * swaps its outcome in with {@code getAndSet}; because the swap returns exactly the outcome it evicted, the
 * running failure and slow-call counts are adjusted by what really left and entered the slot, and so never drift,
 * even when a fast recorder laps a slow one on the same slot. Lock-free; never allocates after construction.
 */
final class CountWindow implements Window {

  /** Slot value of a slot not yet written; outcomes are stored as their {@link Outcome#code}. */
  private static final int EMPTY = 0;

  private final int size;
  private final AtomicIntegerArray slots;
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger slowCalls = new AtomicInteger();

  CountWindow(int size) {
    this.size = size;
    this.slots = new AtomicIntegerArray(size);
  }

  @Override
  public boolean usesTime() {
    return false;
  }

  @Override
  public void record(long now, Outcome outcome) {
    long index = recorded.getAndIncrement();
    int previous = slots.getAndSet((int) (index % size), outcome.code);
    int failureDelta = is(outcome, Outcome.FAILURE) - was(previous, Outcome.FAILURE);
    if (failureDelta != 0) {
      failures.addAndGet(failureDelta);
    }
    int slowDelta = is(outcome, Outcome.SLOW) - was(previous, Outcome.SLOW);
    if (slowDelta != 0) {
      slowCalls.addAndGet(slowDelta);
    }
  }

  @Override
  public boolean exceeds(long now, Thresholds thresholds) {
    // Failures and slow calls first: each was claimed (counted in "recorded") before it was added, so reading
    // the call count last keeps failures <= calls.
    int failed = Math.max(0, failures.get());
    int slow = Math.max(0, slowCalls.get());
    long calls = Math.min(recorded.get(), size);
    return thresholds.exceeded(calls, Math.min(failed, calls), Math.min(slow, calls));
  }

  @Override
  public Counts counts(long now) {
    int failed = failures.get();
    int slow = slowCalls.get();
    return Counts.clamped(Math.min(recorded.get(), size), failed, slow);
  }

  private static int is(Outcome outcome, Outcome wanted) {
    return outcome == wanted ? 1 : 0;
  }

  private static int was(int slot, Outcome wanted) {
    return slot != EMPTY && slot == wanted.code ? 1 : 0;
  }
}
