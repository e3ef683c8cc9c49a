package dev.blastwall.time;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** The default scheduler: a single timer thread that dispatches each due task to a virtual thread. */
final class SystemScheduler implements Scheduler {

  static final SystemScheduler INSTANCE = new SystemScheduler();

  private final ScheduledThreadPoolExecutor timer;
  private final Executor runner = Executors.newVirtualThreadPerTaskExecutor();

  private SystemScheduler() {
    timer = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "blastwall-timer");
      thread.setDaemon(true);
      return thread;
    });
    // Cancelled timeouts are the common case (the call finished first): drop them at once instead of
    // letting them sit in the queue until their delay passes.
    timer.setRemoveOnCancelPolicy(true);
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    ScheduledFuture<?> future =
        timer.schedule(() -> runner.execute(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return () -> future.cancel(/* mayInterruptIfRunning= */ false);
  }

  @Override
  public void sleep(long delayNanos) throws InterruptedException {
    // An interrupted thread never waits, even for nothing: the caller asked to stop.
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    long end = System.nanoTime() + delayNanos;
    for (long left = delayNanos; left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }
}
