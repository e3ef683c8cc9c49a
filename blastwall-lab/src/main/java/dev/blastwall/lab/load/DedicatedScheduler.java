package dev.blastwall.lab.load;

import dev.blastwall.time.Cancellable;
import dev.blastwall.time.Scheduler;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler with one platform thread of its own that runs every task itself. The load
 * generator's driver runs here so that it wakes on time even when the system under test keeps every virtual-thread
 * carrier and the shared Blastwall timer busy: a late driver would count its sends as missed and make the run
 * invalid for a reason that is the lab's, not the system's. Tasks must be short. Close it when the run ends.
 */
public final class DedicatedScheduler implements Scheduler, AutoCloseable {

  private final ScheduledThreadPoolExecutor executor;

  /** Starts the thread, named {@code name}. */
  public DedicatedScheduler(String name) {
    executor = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    ScheduledFuture<?> future = executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> future.cancel(/* mayInterruptIfRunning= */ false);
  }

  @Override
  public void sleep(long delayNanos) throws InterruptedException {
    // Sleeping happens on the caller's thread whichever scheduler it asks: the system one does it right.
    Scheduler.system().sleep(delayNanos);
  }

  /** Stops the thread; tasks not yet run are dropped. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
