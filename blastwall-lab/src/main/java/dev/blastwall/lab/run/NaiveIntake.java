package dev.blastwall.lab.run;

import java.util.concurrent.LinkedBlockingQueue;

/** One plain unbounded FIFO queue, as naive servers have: everything waits, however stale, and is worked on. */
final class NaiveIntake implements Intake {

  private final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
  private final ReplicaCounters counters;

  NaiveIntake(ReplicaCounters counters) {
    this.counters = counters;
  }

  @Override
  public void submit(Work work) {
    counters.enqueued();
    queue.add(work);
  }

  @Override
  public Work take() throws InterruptedException {
    Work work = queue.take();
    counters.dequeued();
    return work;
  }
}
