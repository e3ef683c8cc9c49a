package dev.blastwall.lab.run;

import dev.blastwall.lab.run.ReplicaCounters.End;
import io.grpc.Context;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's passage through a replica: counted as an arrival when it comes in, and as exactly one
 * {@link End} when it leaves, whoever answers it (a refusal in an interceptor, the queue, a worker, a cancel).
 */
final class Ticket {

  /** Where the handler finds the ticket the counting interceptor issued for the call. */
  static final Context.Key<Ticket> KEY = Context.key("lab-ticket");

  private final ReplicaCounters counters;
  private final long arrivedNanos = System.nanoTime();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile boolean accepted;

  Ticket(ReplicaCounters counters) {
    this.counters = counters;
    counters.arrived();
  }

  /** The handler took the request: from now on it, not the interceptor, accounts for how it ends. */
  void accept() {
    accepted = true;
  }

  boolean accepted() {
    return accepted;
  }

  /** Counts how the request left; only the first call counts. Returns whether this call was the first. */
  boolean end(End end) {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    counters.left(end);
    if (end != End.SHED) {
      // Time in system, as queueing theory means it: from arrival at the replica to the answer, queue included,
      // transport excluded.
      counters.sojourned(System.nanoTime() - arrivedNanos);
    }
    return true;
  }
}
