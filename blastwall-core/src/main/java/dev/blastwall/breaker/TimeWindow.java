package dev.blastwall.breaker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * The outcomes of the last {@code buckets} bucket-widths of time, in a ring of buckets. A bucket is tagged with the
 * number of its time slice (its epoch); a recorder that finds an older bucket in its slot replaces it with a fresh
 * one by CAS, so expiry costs one small allocation per bucket-width, never one per call. The window covers the
 * current, partly filled, bucket and the {@code buckets - 1} before it: old outcomes leave one bucket at a time.
 * Reading sums every bucket, so it costs {@code O(buckets)}.
 */
final class TimeWindow implements Window {

  private final long origin;
  private final long bucketNanos;
  private final int size;
  private final AtomicReferenceArray<@Nullable Bucket> ring;

  /**
   * @param origin the ticker reading where epoch 0 starts; epochs are measured from it so ticker wrap-around does
   *     not matter
   */
  TimeWindow(long origin, long lengthNanos, int buckets) {
    this.origin = origin;
    this.bucketNanos = lengthNanos / buckets;
    this.size = buckets;
    this.ring = new AtomicReferenceArray<>(buckets);
  }

  /** Always true: any outcome adds a call (which can reach the minimum) and time may have expired old buckets. */
  @Override
  public boolean record(long now, Outcome outcome) {
    long epoch = epochAt(now);
    int index = (int) (epoch % size);
    while (true) {
      Bucket bucket = ring.get(index);
      if (bucket != null && bucket.epoch >= epoch) {
        // A newer bucket here means this outcome's slice already left the window (the recorder read the ticker
        // long before it got here): dropping it is what expiry would have done anyway.
        if (bucket.epoch == epoch) {
          bucket.add(outcome);
        }
        return true;
      }
      Bucket fresh = new Bucket(epoch);
      if (ring.compareAndSet(index, bucket, fresh)) {
        fresh.add(outcome);
        return true;
      }
    }
  }

  @Override
  public boolean exceeds(long now, Thresholds thresholds) {
    long oldest = epochAt(now) - size + 1;
    long calls = 0;
    long failures = 0;
    long slowCalls = 0;
    for (int i = 0; i < size; i++) {
      Bucket bucket = ring.get(i);
      if (bucket != null && bucket.epoch >= oldest) {
        // Calls are incremented before failures and slow calls, so reading them last keeps failures <= calls.
        failures += bucket.failures.get();
        slowCalls += bucket.slowCalls.get();
        calls += bucket.calls.get();
      }
    }
    return thresholds.exceeded(calls, failures, slowCalls);
  }

  @Override
  public Counts counts(long now) {
    long oldest = epochAt(now) - size + 1;
    long calls = 0;
    long failures = 0;
    long slowCalls = 0;
    for (int i = 0; i < size; i++) {
      Bucket bucket = ring.get(i);
      if (bucket != null && bucket.epoch >= oldest) {
        failures += bucket.failures.get();
        slowCalls += bucket.slowCalls.get();
        calls += bucket.calls.get();
      }
    }
    return Counts.clamped(calls, failures, slowCalls);
  }

  /** The time slice {@code now} falls in; a reading taken just before the window existed counts as slice 0. */
  private long epochAt(long now) {
    return Math.max(0, now - origin) / bucketNanos;
  }

  /** One time slice's tallies. The epoch is fixed; the counters only grow. */
  private static final class Bucket {
    final long epoch;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger slowCalls = new AtomicInteger();

    Bucket(long epoch) {
      this.epoch = epoch;
    }

    void add(Outcome outcome) {
      calls.incrementAndGet();
      switch (outcome) {
        case FAILURE -> failures.incrementAndGet();
        case SLOW -> slowCalls.incrementAndGet();
        case SUCCESS -> {}
      }
    }
  }
}
