package dev.blastwall.testing;

import dev.blastwall.time.Cancellable;
import dev.blastwall.time.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Scheduler} on a {@link FakeTicker}: tasks run only when the test advances time, on the thread that
 * advances it, in order of due time and, for equal due times, in the order they were scheduled.
 *
 * <pre>{@code
 * FakeTicker ticker = new FakeTicker();
 * FakeScheduler scheduler = new FakeScheduler(ticker);
 * Pipeline pipeline = Pipeline.builder("inventory").ticker(ticker).scheduler(scheduler)...build();
 * CompletableFuture<String> answer = pipeline.executeAsync(() -> client.lookup(id));
 * scheduler.advance(Duration.ofMillis(250));  // runs every backoff and timeout due by then
 * }</pre>
 *
 * <p>{@link #sleep(long)} does not block: it advances time by the delay, running what falls due meanwhile, as if
 * the sleeping thread were the only thing happening. That lets blocking code under test run on the test thread:
 * a simulated remote call that "takes 80 ms" calls {@code scheduler.sleep(80 ms)}, and a timeout task due
 * during that sleep interrupts the thread just as the real one would.
 *
 * <p>Thread-safe: tasks may be scheduled from any thread. Tasks never run while a lock is held.
 */
public final class FakeScheduler implements Scheduler {

  /**
   * About 100 years, as for deadlines. Longer delays are cut to it so every due time stays within half the
   * {@code long} range of the others: beyond that, wrap-around-aware ordering cannot tell later from earlier.
   */
  private static final long MAX_DELAY_NANOS = TimeUnit.DAYS.toNanos(100 * 365);

  private final FakeTicker ticker;
  private final ReentrantLock lock = new ReentrantLock();
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long sequence;

  /** A scheduler on {@code ticker}. */
  public FakeScheduler(FakeTicker ticker) {
    this.ticker = ticker;
  }

  /** A scheduler on a new ticker reading zero. */
  public FakeScheduler() {
    this(new FakeTicker());
  }

  /** The ticker this scheduler advances. */
  public FakeTicker ticker() {
    return ticker;
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    long due = ticker.nanos() + Math.max(0, Math.min(MAX_DELAY_NANOS, delayNanos));
    lock.lock();
    try {
      Task scheduled = new Task(task, due, sequence++);
      queue.add(scheduled);
      return scheduled;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Advances time by {@code delayNanos}, running what falls due meanwhile. Like a real sleep it ends early when
   * the thread is interrupted: time stops at the due time of the task that interrupted it.
   *
   * @throws InterruptedException if the thread was interrupted on entry or a task that ran meanwhile interrupted
   *     it (an attempt timeout does); the interrupt flag is cleared, as {@link Thread#sleep} does
   */
  @Override
  public void sleep(long delayNanos) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    long target = ticker.nanos() + Math.max(0, delayNanos);
    for (Task next = pollDue(target); next != null; next = pollDue(target)) {
      ticker.advanceTo(next.due);
      next.run();
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
    ticker.advanceTo(target);
  }

  /** Advances time by {@code duration}, running each task as its due time is reached; returns how many ran. */
  public int advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException(
          "duration: " + duration + " (expected: >= 0, time only moves forward)");
    }
    return advanceNanos(saturatedNanos(duration));
  }

  /** Advances time by {@code deltaNanos}, running each task as its due time is reached; returns how many ran. */
  public int advanceNanos(long deltaNanos) {
    nonNegative("deltaNanos", deltaNanos);
    long target = ticker.nanos() + deltaNanos;
    int ran = 0;
    for (Task next = pollDue(target); next != null; next = pollDue(target)) {
      ticker.advanceTo(next.due);
      ran += next.run();
    }
    ticker.advanceTo(target);
    return ran;
  }

  /** Runs the tasks due now (including those scheduled with no delay) without moving time; returns how many ran. */
  public int runDueTasks() {
    return advanceNanos(0);
  }

  /** Runs tasks, advancing time to each in turn, until none is left or {@code maxTasks} ran; returns how many ran. */
  public int runAll(int maxTasks) {
    int ran = 0;
    while (ran < maxTasks) {
      Task next = poll(/* target= */ 0, /* any= */ true);
      if (next == null) {
        break;
      }
      ticker.advanceTo(next.due);
      ran += next.run();
    }
    return ran;
  }

  /** The number of tasks scheduled and neither run nor cancelled. */
  public int pendingTasks() {
    lock.lock();
    try {
      queue.removeIf(Task::isCancelled);
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Nanoseconds from now until the next pending task is due, or -1 when none is pending. */
  public long nanosUntilNextTask() {
    lock.lock();
    try {
      queue.removeIf(Task::isCancelled);
      Task head = queue.peek();
      return head == null ? -1 : Math.max(0, head.due - ticker.nanos());
    } finally {
      lock.unlock();
    }
  }

  private @Nullable Task pollDue(long target) {
    return poll(target, /* any= */ false);
  }

  /** The next live task due at or before {@code target}, or regardless of its due time when {@code any}. */
  private @Nullable Task poll(long target, boolean any) {
    lock.lock();
    try {
      while (true) {
        Task head = queue.peek();
        // Wrap-around aware: due is at or before target when the difference is not positive. No sentinel
        // target for "any": every long, Long.MAX_VALUE included, is a reading the ticker can reach.
        if (head == null || (!any && head.due - target > 0)) {
          return null;
        }
        queue.poll();
        if (!head.isCancelled()) {
          return head;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static final class Task implements Cancellable, Comparable<Task> {
    private final Runnable action;
    private final long due;
    private final long order;
    private final AtomicBoolean done = new AtomicBoolean();

    Task(Runnable action, long due, long order) {
      this.action = action;
      this.due = due;
      this.order = order;
    }

    int run() {
      if (!done.compareAndSet(false, true)) {
        return 0;
      }
      action.run();
      return 1;
    }

    boolean isCancelled() {
      return done.get();
    }

    @Override
    public boolean cancel() {
      return done.compareAndSet(false, true);
    }

    @Override
    public int compareTo(Task other) {
      int byDue = Long.signum(due - other.due);
      return byDue != 0 ? byDue : Long.compare(order, other.order);
    }
  }

  /** Durations beyond the long range of nanoseconds advance by the most a long can hold. */
  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  private static long nonNegative(String name, long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException(name + ": " + nanos + " ns (expected: >= 0, time only moves forward)");
    }
    return nanos;
  }
}
