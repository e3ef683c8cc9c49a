package dev.blastwall.time;

import java.util.concurrent.TimeUnit;

/**
 * Runs tasks after a delay, and lets a thread wait out a delay.
 *
 * <p>Policies use it for backoff waits, attempt timeouts and hedges, never {@link Thread#sleep} or their own
 * executors, so a fake scheduler can make every delay deterministic. Implementations must be thread-safe.
 */
public interface Scheduler {

  /**
   * Runs {@code task} once, no earlier than {@code delayNanos} from now. A delay of zero or less runs it as soon
   * as possible, but never on the calling thread before this method returns.
   */
  Cancellable schedule(Runnable task, long delayNanos);

  /**
   * Blocks the calling thread for {@code delayNanos}. Virtual-thread friendly: it parks, it does not pin.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(long delayNanos) throws InterruptedException;

  /**
   * The process-wide scheduler: one daemon platform thread that only hands tasks on, running each task on a
   * virtual thread so a slow task never delays the next.
   */
  static Scheduler system() {
    return SystemScheduler.INSTANCE;
  }

  /** Convenience for {@link #schedule(Runnable, long)} with a unit. */
  default Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
    return schedule(task, unit.toNanos(delay));
  }
}
