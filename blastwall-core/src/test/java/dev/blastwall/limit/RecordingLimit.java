package dev.blastwall.limit;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A settable limit that records its samples. Thread-safe. */
final class RecordingLimit implements Limit {

  record Sample(long startNanos, long rttNanos, int inflight, boolean dropped) {}

  final Queue<Sample> samples = new ConcurrentLinkedQueue<>();
  private volatile int limit;

  RecordingLimit(int limit) {
    this.limit = limit;
  }

  void set(int newLimit) {
    limit = newLimit;
  }

  @Override
  public int limit() {
    return limit;
  }

  @Override
  public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    samples.add(new Sample(startNanos, rttNanos, inflight, dropped));
    return limit;
  }
}
