package dev.blastwall.breaker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last {@code size} outcomes, in a ring. Each recorder claims the next slot with one atomic increment and
 * swaps its outcome in with {@code getAndSet} (unless the slot already holds that outcome: the steady state writes
 * nothing but the claim); because the swap returns exactly the outcome it evicted, the
 * running failure and slow-call counts are adjusted by what really left and entered the slot, and so never drift,
 * even when a fast recorder laps a slow one on the same slot. Lock-free; never allocates after construction.
 *
 * <p>While the window is full and holds successes only, a success is not recorded at all: the window would be
 * the same with it, and skipping the claim keeps a healthy upstream's breaker free of shared writes.
 *
 * <p>The slot is the low 32 bits of the claim number modulo the size, by multiplication with a precomputed
 * inverse instead of a division (a 64-bit division costs as much as the rest of the recording). When the claim
 * number passes a multiple of 2^32 the ring restarts at slot 0 once; the counts stay exact because they follow
 * what each swap evicted, not the slot order.
 */
final class CountWindow implements Window {

  /** Slot value of a slot not yet written; outcomes are stored as their {@link Outcome#code}. */
  private static final int EMPTY = 0;

  private final int size;
  /** {@code ceil(2^64 / size)}: the multiplier of the fast modulo (Lemire, Kaser and Kurz, 2019). */
  private final long inverse;
  private final AtomicIntegerArray slots;
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger slowCalls = new AtomicInteger();

  CountWindow(int size) {
    this.size = size;
    this.inverse = Long.divideUnsigned(-1L, size) + 1;
    this.slots = new AtomicIntegerArray(size);
  }

  @Override
  public boolean usesTime() {
    return false;
  }

  /**
   * True unless the outcome replaced an earlier one without adding a failure or a slow call (or found the same
   * outcome in its slot): then the call count (already the full size) and both rates stayed or fell, so nothing
   * new can trip.
   */
  @Override
  public boolean record(long now, Outcome outcome) {
    if (outcome == Outcome.SUCCESS && failures.get() == 0 && slowCalls.get() == 0 && recorded.get() >= size) {
      // A full window of successes only (a healthy upstream, the common case): one more success leaves it
      // exactly as it is, so nothing is written at all; the words read here stay shared by every core instead
      // of moving to whichever recorded last.
      return false;
    }
    long claim = recorded.getAndIncrement();
    int slot = slotOf(claim);
    if (slots.get(slot) == outcome.code) {
      // The same outcome is already there (a success over a success, the steady state): writing it again would
      // change no count, only make every other core's copy of the ring's line stale.
      return false;
    }
    int previous = slots.getAndSet(slot, outcome.code);
    int failureDelta = is(outcome, Outcome.FAILURE) - was(previous, Outcome.FAILURE);
    if (failureDelta != 0) {
      failures.addAndGet(failureDelta);
    }
    int slowDelta = is(outcome, Outcome.SLOW) - was(previous, Outcome.SLOW);
    if (slowDelta != 0) {
      slowCalls.addAndGet(slowDelta);
    }
    return previous == EMPTY || failureDelta > 0 || slowDelta > 0;
  }

  /** {@code (claim mod 2^32) mod size}, exact for every 32-bit value, without a division. */
  int slotOf(long claim) {
    long low = claim & 0xFFFF_FFFFL;
    return (int) Math.unsignedMultiplyHigh(inverse * low, size);
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
