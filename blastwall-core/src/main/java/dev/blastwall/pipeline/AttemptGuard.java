package dev.blastwall.pipeline;

import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Stops a blocking attempt by interrupting its thread, without ever letting that interrupt escape the attempt.
 *
 * <p>The race to close: the attempt may finish at the moment its timeout fires. Whoever wins the CAS from
 * RUNNING decides. If the stopper wins, the attempt's thread waits until the interrupt has been delivered and
 * then clears it, so the caller's thread is never left interrupted by a timeout it did not see.
 */
final class AttemptGuard {

  private static final int RUNNING = 0;
  private static final int STOPPING = 1;
  private static final int STOPPED = 2;
  private static final int FINISHED = 3;

  /** The guard of an attempt nothing can stop: finishes on its own, always. */
  static final AttemptGuard NONE = new AttemptGuard(null);

  private final @Nullable Thread thread;
  private final AtomicInteger state = new AtomicInteger(RUNNING);

  AttemptGuard(@Nullable Thread thread) {
    this.thread = thread;
  }

  /** Interrupts the attempt if it is still running; safe to call from any thread, any number of times. */
  void stop() {
    Thread target = thread;
    if (target != null && state.compareAndSet(RUNNING, STOPPING)) {
      target.interrupt();
      state.set(STOPPED);
    }
  }

  /**
   * Called by the attempt's own thread when the task has returned or thrown. Returns {@code true} if the attempt
   * ended on its own, {@code false} if it was stopped (its interrupt is then cleared).
   */
  boolean finish() {
    if (thread == null || state.compareAndSet(RUNNING, FINISHED)) {
      return true;
    }
    while (state.get() != STOPPED) {
      Thread.onSpinWait();
    }
    Thread.interrupted();
    return false;
  }
}
