package dev.blastwall.lab.run;

import dev.blastwall.failure.OverloadedException;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.overload.BoundedWorkQueue;
import java.time.Duration;

/**
 * Blastwall's deadline-aware bounded queue with criticality lanes: refuses work it could not start in time or has
 * no room for, and drops work whose deadline passed (or that went stale while overloaded) instead of running it.
 */
final class BlastwallIntake implements Intake {

  private static final long MIN_TARGET_NANOS = Duration.ofMillis(10).toNanos();
  private static final long MIN_INTERVAL_NANOS = Duration.ofMillis(100).toNanos();

  private final BoundedWorkQueue<Work> queue;
  private final ReplicaCounters counters;

  BlastwallIntake(String name, ServiceSpec spec, ReplicaCounters counters) {
    this.counters = counters;
    // A busy but healthy lane waits a few service times divided by the workers (a worker frees up every mean / workers);
    // the target sits well above that, so that a lane within its capacity, like the critical lane of a server
    // shedding the rest, is never taken for a standing queue.
    long target = Math.max(MIN_TARGET_NANOS, (long) (10 * spec.serviceTime().meanNanos() / spec.workers()));
    this.queue = BoundedWorkQueue.<Work>builder(name, Math.max(1, spec.queue()), this::dropped)
        .workers(spec.workers())
        .targetDelay(Duration.ofNanos(target))
        .interval(Duration.ofNanos(Math.max(MIN_INTERVAL_NANOS, 5 * target)))
        .build();
  }

  @Override
  public void submit(Work work) {
    counters.enqueued();
    try {
      queue.submit(work, work.context);
    } catch (OverloadedException refused) {
      counters.dequeued();
      Answers.shed(work, refused);
    }
  }

  @Override
  public Work take() throws InterruptedException {
    Work work = queue.take();
    counters.dequeued();
    return work;
  }

  /** Records how long a worker spent on a request, for the queue's wait estimate. */
  void served(long nanos) {
    queue.recordServiceTime(nanos);
  }

  private void dropped(Work work, OverloadedException reason) {
    counters.dequeued();
    Answers.shed(work, reason);
  }
}
