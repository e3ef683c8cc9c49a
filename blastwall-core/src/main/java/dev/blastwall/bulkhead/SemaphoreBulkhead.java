package dev.blastwall.bulkhead;

import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Cancellable;
import dev.blastwall.time.Scheduler;
import dev.blastwall.time.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Bounds how many calls to one upstream are in flight at once, with an optional small, bounded wait queue.
 *
 * <p>A caller takes a permit before the call and {@link #release() releases} it after, whatever the outcome. When
 * every permit is taken the caller is refused at once, or, if a place in the wait queue is free, waits for at most
 * {@code min(maxWait, the caller's remaining deadline)}. Waiters are served first come, first served: a released
 * permit is handed straight to the oldest waiter instead of being put back for anyone to grab, so callers arriving
 * later (including {@link #tryAcquire()}) cannot barge ahead and starve the queue.
 *
 * <pre>{@code
 * SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("inventory")
 *     .maxConcurrentCalls(20).maxWaiting(10).maxWait(Duration.ofMillis(50)).build();
 * if (!bulkhead.acquire(deadline.remainingNanos())) {
 *   throw bulkhead.rejection("inventory", 1, deadline.remainingNanos());
 * }
 * try {
 *   return client.lookup(id);
 * } finally {
 *   bulkhead.release();
 * }
 * }</pre>
 *
 * <p>Thread-safe and lock-free: permits are counted with compare-and-set, waiters sit in a lock-free queue, and
 * blocking waits park (they never pin a virtual thread). Blocking waits are timed with the real clock, since the
 * waiting thread really sleeps; the asynchronous path times out through the {@link Scheduler} it is given, so tests
 * can drive it with a fake one.
 */
public final class SemaphoreBulkhead {

  /** The default number of permits. */
  public static final int DEFAULT_MAX_CONCURRENT_CALLS = 25;

  // Blocking waits park the thread for real, so they must be measured against the real clock: a fake ticker
  // would never move while the only thread that could move it is parked.
  private static final Ticker REAL_TIME = Ticker.system();

  private final String name;
  private final int maxConcurrentCalls;
  private final int maxWaiting;
  private final long maxWaitNanos;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(SemaphoreBulkhead.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final long HELD_MASK = 0xFFFF_FFFFL;
  private static final long ONE_HELD = 1L;
  private static final long ONE_ACQUIRED = 1L << 32;

  // One word for both counts, so taking a permit is one compare-and-set (as in a plain semaphore) and still counts
  // the acquisition: the low 32 bits are the permits held (never above maxConcurrentCalls, never below 0), the
  // high 32 bits the acquisitions modulo 2^32, whose wrap-arounds acquiredWraps counts. A permit handed straight
  // from a releaser to a waiter stays held and counts as acquired again.
  @SuppressWarnings("UnusedVariable") // read and written through STATE
  private volatile long state;
  private final AtomicLong acquiredWraps = new AtomicLong();
  // Wait-queue places taken: reserved before a waiter is queued, given back when it leaves the WAITING state.
  private final AtomicInteger waiting = new AtomicInteger();
  // May also hold waiters that were granted or cancelled but not yet unlinked; those are skipped.
  private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
  private final LongAdder rejected = new LongAdder();

  private SemaphoreBulkhead(Builder builder) {
    this.name = builder.name;
    this.maxConcurrentCalls = builder.maxConcurrentCalls;
    this.maxWaiting = builder.maxWaiting;
    this.maxWaitNanos = Checks.saturatedNanos(builder.maxWait);
  }

  /** A builder for a bulkhead called {@code name} (used in {@link #toString()} and diagnostics). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The name given to the builder. */
  public String name() {
    return name;
  }

  /** The number of permits. */
  public int maxConcurrentCalls() {
    return maxConcurrentCalls;
  }

  /** How many callers may wait for a permit at once; 0 when callers are refused at once. */
  public int maxWaiting() {
    return maxWaiting;
  }

  /** The longest a caller waits for a permit, whatever deadline it has left. */
  public Duration maxWait() {
    return Duration.ofNanos(maxWaitNanos);
  }

  // --- acquiring ----------------------------------------------------------------------------------------------

  /**
   * Takes a permit if one is free and nobody is waiting for one, without blocking.
   *
   * @return whether a permit was taken; if so, {@link #release()} must follow
   */
  public boolean tryAcquire() {
    if (tryBarge()) {
      return true;
    }
    rejected.increment();
    return false;
  }

  /**
   * Takes a permit, waiting for one if every permit is taken and a wait-queue place is free. The wait lasts at
   * most {@code min(maxWait, maxWaitNanos)}; pass the caller's remaining deadline as {@code maxWaitNanos}
   * ({@link Long#MAX_VALUE} when it has none). Parks the thread while waiting.
   *
   * @return whether a permit was taken; if so, {@link #release()} must follow. {@code false} when no wait-queue
   *     place was free or the wait ran out.
   * @throws InterruptedException if the thread was interrupted before or while waiting; no permit is held then
   */
  public boolean acquire(long maxWaitNanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (tryBarge()) {
      return true;
    }
    long waitNanos = Math.min(this.maxWaitNanos, maxWaitNanos);
    if (waitNanos <= 0 || !reservePlace()) {
      rejected.increment();
      return false;
    }
    BlockingWaiter waiter = new BlockingWaiter(Thread.currentThread());
    long start = REAL_TIME.nanos();
    enqueue(waiter);
    boolean interrupted = false;
    while (waiter.isWaiting()) {
      // Differences of readings stay correct when nanoTime wraps around.
      long left = waitNanos - (REAL_TIME.nanos() - start);
      if (left <= 0) {
        break;
      }
      LockSupport.parkNanos(this, left);
      if (Thread.interrupted()) {
        interrupted = true;
        break;
      }
    }
    if (waiter.tryCancel()) {
      withdraw(waiter);
      if (interrupted) {
        throw new InterruptedException();
      }
      rejected.increment();
      return false;
    }
    // Granted, possibly at the very moment the wait ended. An interrupted caller has given up on the call, so
    // the permit goes to the next waiter and the caller sees the interrupt: it never holds a permit it will not
    // release.
    if (interrupted) {
      release();
      throw new InterruptedException();
    }
    return true;
  }

  /**
   * Takes a permit without blocking a thread: the future completes with {@code true} once a permit is granted
   * (at once if one is free), or with {@code false} when no wait-queue place was free or the wait of at most
   * {@code min(maxWait, maxWaitNanos)} ran out; that timeout is scheduled on {@code scheduler}.
   *
   * <p>Cancelling the future (or completing it any other way) withdraws the waiter and frees its queue place; a
   * permit granted at the same moment is released again, never leaked. Do not complete it with {@code true}
   * yourself. Stages attached without an executor may run on the thread that releases the permit, so keep them
   * short or use the {@code ...Async} variants.
   */
  public CompletableFuture<Boolean> acquireAsync(long maxWaitNanos, Scheduler scheduler) {
    if (tryBarge()) {
      return CompletableFuture.completedFuture(Boolean.TRUE);
    }
    long waitNanos = Math.min(this.maxWaitNanos, maxWaitNanos);
    if (waitNanos <= 0 || !reservePlace()) {
      rejected.increment();
      return CompletableFuture.completedFuture(Boolean.FALSE);
    }
    AsyncWaiter waiter = new AsyncWaiter();
    try {
      // The timeout is scheduled before the waiter is queued, so a grant always finds the handle to cancel.
      waiter.timeout = scheduler.schedule(() -> {
        if (waiter.tryCancel()) {
          withdraw(waiter);
          rejected.increment();
          waiter.future.complete(Boolean.FALSE);
        }
      }, waitNanos);
    } catch (RuntimeException schedulerRefused) {
      // Nothing was queued yet: give the reserved place back rather than lose it for good.
      waiting.decrementAndGet();
      throw schedulerRefused;
    }
    CompletableFuture<Boolean> unused = waiter.future.whenComplete((granted, failure) -> {
      // Only a completion by someone else (the caller cancelled) finds the waiter still WAITING.
      if (waiter.tryCancel()) {
        withdraw(waiter);
        waiter.cancelTimeout();
      }
    });
    enqueue(waiter);
    return waiter.future;
  }

  /**
   * Gives a permit back: hands it to the oldest waiter, or frees it when nobody waits.
   *
   * @throws IllegalStateException if no permit is held, i.e. releases outnumber acquisitions; the count is left
   *     unchanged
   */
  public void release() {
    // Without a wait queue nobody can be waiting: skip looking (the queue's head is another shared word).
    if (maxWaiting > 0) {
      if (held((long) STATE.getVolatile(this)) <= 0) {
        throw overRelease();
      }
      if (handToOldestWaiter()) {
        return;
      }
    }
    long current;
    do {
      current = (long) STATE.getVolatile(this);
      if (held(current) <= 0) {
        throw overRelease();
      }
    } while (!STATE.compareAndSet(this, current, current - ONE_HELD));
    if (maxWaiting > 0) {
      // A waiter may have queued after we looked, seen every permit taken, and parked: offer it the freed permit.
      drain();
    }
  }

  // --- diagnostics --------------------------------------------------------------------------------------------

  /**
   * The exception for a caller this bulkhead refused, with a detail like
   * {@code "25 of 25 calls in flight, wait queue full (10 of 10)"}.
   *
   * @param upstream the upstream the call was for
   * @param attempts the attempts sent so far
   * @param remainingNanos the deadline left, or {@link dev.blastwall.failure.BlastwallException#NO_DEADLINE}
   */
  public BulkheadFullException rejection(String upstream, int attempts, long remainingNanos) {
    return new BulkheadFullException(upstream, rejectionDetail(), attempts, remainingNanos);
  }

  /** Why a caller is refused right now, as used in {@link #rejection}; handy for a rejection event. */
  public String rejectionDetail() {
    long busy = held((long) STATE.getVolatile(this));
    int queued = waiting.get();
    String calls = busy + " of " + maxConcurrentCalls + " calls in flight";
    if (maxWaiting == 0) {
      return calls + ", no wait queue";
    }
    if (queued >= maxWaiting) {
      return calls + ", wait queue full (" + queued + " of " + maxWaiting + ")";
    }
    return calls + ", no permit within the wait (" + queued + " of " + maxWaiting + " waiting)";
  }

  /** The current counts; each is read separately, so under load they may be a moment apart. */
  public Snapshot snapshot() {
    long wraps = acquiredWraps.get();
    long current = (long) STATE.getVolatile(this);
    long acquired = (wraps << 32) + (current >>> 32);
    return new Snapshot(maxConcurrentCalls, held(current), waiting.get(), rejected.sum(), acquired);
  }

  @Override
  public String toString() {
    return "SemaphoreBulkhead[" + name + ", maxConcurrentCalls=" + maxConcurrentCalls + ", maxWaiting="
        + maxWaiting + ", maxWait=" + maxWait() + ", inUse=" + held((long) STATE.getVolatile(this)) + ", waiting=" + waiting.get() + "]";
  }

  /**
   * A bulkhead's counts at one moment.
   *
   * @param max the number of permits
   * @param inUse permits held now
   * @param waiting callers waiting for a permit now
   * @param rejected callers refused since the bulkhead was built (no permit, no queue place, or the wait ran out)
   * @param acquired permits taken since the bulkhead was built
   */
  public record Snapshot(int max, int inUse, int waiting, long rejected, long acquired) {}

  // --- the permit protocol ------------------------------------------------------------------------------------

  /** Takes a free permit unless someone is queued: the queue is served first, so a newcomer never jumps it. */
  private boolean tryBarge() {
    return (maxWaiting == 0 || waiting.get() == 0) && tryTakePermit();
  }

  /** Takes a free permit for the calling caller: held, and counted as acquired. */
  private boolean tryTakePermit() {
    return tryHold(ONE_ACQUIRED + ONE_HELD);
  }

  /**
   * Takes a free permit on behalf of the queue: held, but counted as acquired only when it is handed to a waiter
   * ({@link #handToOldestWaiter}), so that a permit given back for want of a waiter is not counted at all.
   */
  private boolean tryHoldForQueue() {
    return tryHold(ONE_HELD);
  }

  private boolean tryHold(long delta) {
    long current;
    do {
      current = (long) STATE.getVolatile(this);
      if (held(current) >= maxConcurrentCalls) {
        return false;
      }
    } while (!STATE.compareAndSet(this, current, current + delta));
    if (delta != ONE_HELD) {
      countWrap(current);
    }
    return true;
  }

  /** Gives back a permit {@link #tryHoldForQueue} took when no waiter was left to take it. */
  private void unhold() {
    STATE.getAndAdd(this, -ONE_HELD);
  }

  /** Counts the acquisition of a permit that stays held (handed to a waiter by a releaser or the queue). */
  private void countHandOver() {
    countWrap((long) STATE.getAndAdd(this, ONE_ACQUIRED));
  }

  /** Notes that the acquisition count wrapped when the one just added to {@code before} overflowed it. */
  private void countWrap(long before) {
    if ((before >>> 32) == HELD_MASK) {
      acquiredWraps.incrementAndGet();
    }
  }

  /** Starts the acquisition count at {@code count} (no permit held): lets tests cross the 2^32 wrap quickly. */
  void startAcquiredCountAt(long count) {
    acquiredWraps.set(count >>> 32);
    STATE.setVolatile(this, (count & HELD_MASK) << 32);
  }

  private static int held(long state) {
    return (int) (state & HELD_MASK);
  }

  private boolean reservePlace() {
    int current;
    do {
      current = waiting.get();
      if (current >= maxWaiting) {
        return false;
      }
    } while (!waiting.compareAndSet(current, current + 1));
    return true;
  }

  private void enqueue(Waiter waiter) {
    queue.add(waiter);
    // Every permit may have been released between the failed attempt to take one and the line above, with
    // nobody in the queue to hand it to: look again now that this waiter is visible.
    drain();
  }

  /** Frees the queue place of a waiter that timed out or gave up (it won the race against any grant). */
  private void withdraw(Waiter waiter) {
    waiting.decrementAndGet();
    queue.remove(waiter);
  }

  /**
   * Takes free permits for queued waiters, oldest first, until none is free or nobody waits. Run by whoever may
   * have missed the other side: a waiter after queueing, a releaser after freeing a permit. Because each side
   * publishes its own change before looking at the other's, at least one of them sees both.
   */
  private void drain() {
    while (queue.peek() != null && tryHoldForQueue()) {
      if (!handToOldestWaiter()) {
        // The queue held only waiters that had already left; give the permit back and look once more, in case
        // a waiter queued while we held it and was refused.
        unhold();
      }
    }
  }

  /** Hands a permit the caller holds to the oldest waiting caller; false (permit still held) if none waits. */
  private boolean handToOldestWaiter() {
    for (Waiter head = queue.peek(); head != null; head = queue.peek()) {
      boolean granted = head.tryGrant();
      // Granted, timed out or cancelled: either way it no longer waits. Another thread may unlink it first.
      queue.remove(head);
      if (granted) {
        waiting.decrementAndGet();
        // The permit changes hands: it stays held, and counts as acquired by the waiter.
        countHandOver();
        head.onGranted();
        return true;
      }
    }
    return false;
  }

  private IllegalStateException overRelease() {
    return new IllegalStateException(name + ": release() without a permit held (expected: one release per "
        + "successful acquire)");
  }

  /** A queued caller. Its state moves once, from WAITING to GRANTED or CANCELLED, by compare-and-set. */
  private abstract static class Waiter {
    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int CANCELLED = 2;

    private final AtomicInteger state = new AtomicInteger(WAITING);

    final boolean isWaiting() {
      return state.get() == WAITING;
    }

    final boolean tryGrant() {
      return state.compareAndSet(WAITING, GRANTED);
    }

    final boolean tryCancel() {
      return state.compareAndSet(WAITING, CANCELLED);
    }

    /** Tells the waiter it now holds a permit. */
    abstract void onGranted();
  }

  private static final class BlockingWaiter extends Waiter {
    private final Thread thread;

    BlockingWaiter(Thread thread) {
      this.thread = thread;
    }

    @Override
    void onGranted() {
      LockSupport.unpark(thread);
    }
  }

  private final class AsyncWaiter extends Waiter {
    final CompletableFuture<Boolean> future = new CompletableFuture<>();
    volatile @Nullable Cancellable timeout;

    void cancelTimeout() {
      Cancellable handle = timeout;
      if (handle != null) {
        handle.cancel();
      }
    }

    @Override
    void onGranted() {
      cancelTimeout();
      if (!future.complete(Boolean.TRUE)) {
        // The caller cancelled the future after the grant but before this line: nobody will release the
        // permit, so pass it on.
        release();
      }
    }
  }

  /**
   * Builds a {@link SemaphoreBulkhead}; each option may be set once. Not thread-safe: build on one thread, then
   * share the bulkhead, which is.
   */
  public static final class Builder {
    private final String name;
    private int maxConcurrentCalls = DEFAULT_MAX_CONCURRENT_CALLS;
    private int maxWaiting;
    private Duration maxWait = Duration.ZERO;
    private boolean maxConcurrentCallsSet;
    private boolean maxWaitingSet;
    private boolean maxWaitSet;

    private Builder(String name) {
      this.name = name;
    }

    /** The number of permits, at least 1; default {@value SemaphoreBulkhead#DEFAULT_MAX_CONCURRENT_CALLS}. */
    public Builder maxConcurrentCalls(int maxConcurrentCalls) {
      Checks.checkNotSet("maxConcurrentCalls", maxConcurrentCallsSet);
      this.maxConcurrentCalls = Checks.checkRange("maxConcurrentCalls", maxConcurrentCalls, 1, Integer.MAX_VALUE);
      maxConcurrentCallsSet = true;
      return this;
    }

    /**
     * How many callers may wait for a permit at once; default 0, which refuses callers at once when every permit
     * is taken. A queue needs a {@link #maxWait} above zero.
     */
    public Builder maxWaiting(int maxWaiting) {
      Checks.checkNotSet("maxWaiting", maxWaitingSet);
      this.maxWaiting = Checks.checkRange("maxWaiting", maxWaiting, 0, Integer.MAX_VALUE);
      maxWaitingSet = true;
      return this;
    }

    /**
     * The longest a caller waits for a permit, even with more deadline left; default zero. Keep it short: a
     * bulkhead's wait queue absorbs bursts, it is not a place to sit out an outage. Needs {@link #maxWaiting}
     * above zero.
     */
    public Builder maxWait(Duration maxWait) {
      Checks.checkNotSet("maxWait", maxWaitSet);
      this.maxWait = Checks.checkNotNegative("maxWait", maxWait);
      maxWaitSet = true;
      return this;
    }

    /**
     * The bulkhead.
     *
     * @throws IllegalArgumentException if only one of a wait queue and a wait time was given: either alone would
     *     silently refuse every caller that finds the permits taken
     */
    public SemaphoreBulkhead build() {
      if (maxWaiting > 0 && maxWait.isZero()) {
        throw Checks.invalidArgument("maxWait", maxWait, "> 0 when maxWaiting is " + maxWaiting);
      }
      if (maxWaiting == 0 && !maxWait.isZero()) {
        throw Checks.invalidArgument("maxWaiting", maxWaiting, "> 0 when maxWait is " + maxWait);
      }
      return new SemaphoreBulkhead(this);
    }
  }
}
