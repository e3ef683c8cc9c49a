package dev.blastwall.grpc.balance;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A channel scheduler whose one-shot tasks run only when a test calls {@link #runDue()}, whatever their delay:
 * a resolver's polls driven one at a time, without waiting. Not for concurrent use.
 */
final class ManualTimer extends ScheduledThreadPoolExecutor {

  private final List<RunnableScheduledFuture<?>> scheduled = new ArrayList<>();
  private final List<Long> delaysNanos = new ArrayList<>();

  ManualTimer() {
    super(1);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    // Queued a day ahead, never reached in a test: the pool only keeps the future that cancel() acts on.
    RunnableScheduledFuture<?> future = (RunnableScheduledFuture<?>) super.schedule(command, 1, TimeUnit.DAYS);
    scheduled.add(future);
    delaysNanos.add(unit.toNanos(delay));
    return future;
  }

  /** Runs, on this thread, every task scheduled so far and not cancelled; returns how many ran. */
  int runDue() {
    List<RunnableScheduledFuture<?>> due = new ArrayList<>(scheduled);
    scheduled.clear();
    int ran = 0;
    for (RunnableScheduledFuture<?> future : due) {
      remove(future);
      if (!future.isCancelled()) {
        future.run();
        ran++;
      }
    }
    return ran;
  }

  /** The delays asked for, in order, in nanoseconds. */
  List<Long> delaysNanos() {
    return List.copyOf(delaysNanos);
  }
}
