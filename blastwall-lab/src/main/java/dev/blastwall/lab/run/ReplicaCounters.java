package dev.blastwall.lab.run;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one replica counts, lock-free: every request that arrives leaves exactly once, as completed, failed or
 * shed, so {@code arrivals = completed + failed + shed + inflight} at any quiet moment. The maxima are of the
 * values since the sampler last took them.
 */
final class ReplicaCounters {

  /** How a request left the replica. */
  enum End {
    /** Answered OK (degraded included). */
    COMPLETED,
    /** Answered with an error, or abandoned after it was accepted (hung, then cancelled). */
    FAILED,
    /** Refused or dropped without being worked on. */
    SHED
  }

  final LongAdder arrivals = new LongAdder();
  final LongAdder completed = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder shed = new LongAdder();
  /** Requests whose work was fully done (whatever happened to the answer). */
  final LongAdder committed = new LongAdder();
  /** Time workers really spent in service times (the sleep and the wake-up after it), and how many they served. */
  final LongAdder servedNanos = new LongAdder();
  /** Requests answered (not shed) and their total time in the replica, arrival to answer. */
  final LongAdder sojourns = new LongAdder();
  final LongAdder sojournNanos = new LongAdder();
  final LongAdder served = new LongAdder();

  private final AtomicInteger inflight = new AtomicInteger();
  private final AtomicInteger maxInflight = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger maxQueue = new AtomicInteger();

  void arrived() {
    arrivals.increment();
    maxInflight.accumulateAndGet(inflight.incrementAndGet(), Math::max);
  }

  void left(End end) {
    switch (end) {
      case COMPLETED -> completed.increment();
      case FAILED -> failed.increment();
      case SHED -> shed.increment();
    }
    inflight.decrementAndGet();
  }

  void sojourned(long nanos) {
    sojourns.increment();
    sojournNanos.add(nanos);
  }

  void enqueued() {
    maxQueue.accumulateAndGet(queued.incrementAndGet(), Math::max);
  }

  void dequeued() {
    queued.decrementAndGet();
  }

  int inflight() {
    return inflight.get();
  }

  /** The most requests in flight since the last call, and starts the next period from the current count. */
  int takeMaxInflight() {
    return Math.max(maxInflight.getAndSet(inflight.get()), inflight.get());
  }

  /** The longest queue since the last call, and starts the next period from the current length. */
  int takeMaxQueue() {
    return Math.max(maxQueue.getAndSet(queued.get()), queued.get());
  }
}
