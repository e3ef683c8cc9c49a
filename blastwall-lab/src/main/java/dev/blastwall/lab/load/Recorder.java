package dev.blastwall.lab.load;

import dev.blastwall.context.Criticality;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;

/**
 * Collects a run's measurements into fixed intervals (one second by default) of the run, keyed by each request's
 * intended start, and snapshots them into a {@link Report}. Callers pass latencies measured from the intended
 * start, errors and timeouts included.
 *
 * <p>Thread-safe: responses complete on any thread. Each interval has its own lock, held only to update counts
 * and one histogram.
 */
public final class Recorder {

  private final long runNanos;
  private final long intervalNanos;
  private final long sloNanos;
  private final Bucket[] buckets;

  /**
   * A recorder for a run of {@code run}, cut into intervals of {@code interval} (the last may be shorter), where
   * successes within {@code slo} count as goodput.
   *
   * @throws IllegalArgumentException if a duration is not positive
   */
  public Recorder(Duration run, Duration interval, Duration slo) {
    this.runNanos = positive("run", run);
    this.intervalNanos = positive("interval", interval);
    this.sloNanos = positive("slo", slo);
    long count = (runNanos + intervalNanos - 1) / intervalNanos;
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "interval: " + interval + " (expected: at most 2^31 intervals in a run of " + run + ")");
    }
    buckets = new Bucket[(int) count];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new Bucket();
    }
  }

  /** Counts an arrival that was sent. */
  public void sent(long intendedNanosFromStart, Criticality criticality) {
    Bucket bucket = bucket(intendedNanosFromStart);
    bucket.lock.lock();
    try {
      bucket.offered++;
      bucket.sentByCriticality.merge(criticality, 1L, Long::sum);
    } finally {
      bucket.lock.unlock();
    }
  }

  /** Counts an arrival the generator could not send on time, so did not send. */
  public void missed(long intendedNanosFromStart) {
    Bucket bucket = bucket(intendedNanosFromStart);
    bucket.lock.lock();
    try {
      bucket.offered++;
      bucket.missed++;
    } finally {
      bucket.lock.unlock();
    }
  }

  /** Records how a sent request ended and its latency from the intended start (negative values count as 0). */
  public void record(long intendedNanosFromStart, Criticality criticality, Outcome outcome, long latencyNanos) {
    long latency = Math.max(0, latencyNanos);
    Bucket bucket = bucket(intendedNanosFromStart);
    bucket.lock.lock();
    try {
      bucket.byKind.merge(outcome.kind(), 1L, Long::sum);
      String errorKind = outcome.errorKind();
      if (errorKind != null) {
        bucket.errorsByKind.merge(errorKind, 1L, Long::sum);
      }
      bucket.latencies.recordValue(latency);
      if (outcome.isSuccess()) {
        bucket.successLatencies.recordValue(latency);
        bucket.successByCriticality.merge(criticality, 1L, Long::sum);
        if (latency <= sloNanos) {
          bucket.goodput++;
        }
      }
    } finally {
      bucket.lock.unlock();
    }
  }

  /** A snapshot of everything recorded so far. */
  public Report report() {
    List<IntervalStats> series = new ArrayList<>(buckets.length);
    for (int i = 0; i < buckets.length; i++) {
      long start = i * intervalNanos;
      series.add(buckets[i].snapshot(start, Math.min(runNanos, start + intervalNanos)));
    }
    return new Report(runNanos, series);
  }

  private Bucket bucket(long intendedNanosFromStart) {
    long index = Math.max(0, intendedNanosFromStart) / intervalNanos;
    return buckets[(int) Math.min(buckets.length - 1, index)];
  }

  private static long positive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value.toNanos();
  }

  /** One interval's mutable counts, guarded by its lock. */
  private static final class Bucket {
    final ReentrantLock lock = new ReentrantLock();
    long offered;
    long missed;
    long goodput;
    final Map<Outcome.Kind, Long> byKind = new EnumMap<>(Outcome.Kind.class);
    final Map<String, Long> errorsByKind = new HashMap<>();
    final Map<Criticality, Long> sentByCriticality = new EnumMap<>(Criticality.class);
    final Map<Criticality, Long> successByCriticality = new EnumMap<>(Criticality.class);
    final Histogram latencies = IntervalStats.newHistogram();
    final Histogram successLatencies = IntervalStats.newHistogram();

    IntervalStats snapshot(long start, long end) {
      lock.lock();
      try {
        return new IntervalStats(
            start,
            end,
            offered,
            missed,
            goodput,
            byKind,
            errorsByKind,
            sentByCriticality,
            successByCriticality,
            latencies.copy(),
            successLatencies.copy());
      } finally {
        lock.unlock();
      }
    }
  }
}
