package dev.blastwall.limit;

import dev.blastwall.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A simulated upstream and a discrete-event load driving a {@link ConcurrencyLimiter} against it: no threads, time
 * only moves on a {@link FakeTicker}, so every run is exact and reproducible.
 *
 * <p>The server has a true capacity: up to {@code capacity} requests in flight take the base rtt; beyond it, the
 * rtt grows linearly by {@code kneeSlope * base / capacity} per extra request; above twice the capacity requests
 * are dropped (answered after the base rtt, as an overload refusal). Each rtt is jittered by up to
 * {@code jitter} either way from a seeded random source. A request's rtt is fixed by the load it meets on
 * admission.
 *
 * <p>The load is closed-loop and greedy: whenever the limiter admits, a request is sent, so the limiter is always
 * full; this is overload, where the limit alone decides how much queueing the server sees.
 */
final class SimulatedServer {

  static final long MILLI = 1_000_000L;

  private final long baseNanos;
  private final double kneeSlope;
  private final double jitter;
  private final SplittableRandom random;
  private int capacity;

  SimulatedServer(int capacity, long baseNanos, double kneeSlope, double jitter, long seed) {
    this.capacity = capacity;
    this.baseNanos = baseNanos;
    this.kneeSlope = kneeSlope;
    this.jitter = jitter;
    this.random = new SplittableRandom(seed);
  }

  void capacity(int newCapacity) {
    capacity = newCapacity;
  }

  boolean drops(int inflight) {
    return inflight > 2 * capacity;
  }

  long rttNanos(int inflight) {
    double rtt = inflight <= capacity ? baseNanos
        : baseNanos * (1 + kneeSlope * (inflight - capacity) / (double) capacity);
    if (jitter > 0) {
      rtt *= 1 + jitter * (2 * random.nextDouble() - 1);
    }
    return (long) rtt;
  }

  /** The limit after each sample of a run: {@code samplesPerPhase} at each capacity in turn. */
  static int[] run(Limit limit, SimulatedServer server, int samplesPerPhase, int... capacities) {
    FakeTicker ticker = new FakeTicker();
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder("simulated", limit).ticker(ticker).build();
    PriorityQueue<Completion> pending = new PriorityQueue<>();
    int[] trace = new int[samplesPerPhase * capacities.length];
    long now = 0;
    long sequence = 0;
    for (int sample = 0; sample < trace.length; sample++) {
      if (sample % samplesPerPhase == 0) {
        server.capacity(capacities[sample / samplesPerPhase]);
      }
      Listener listener;
      while ((listener = limiter.tryAcquire()) != null) {
        int inflight = limiter.inflight();
        boolean dropped = server.drops(inflight);
        long rtt = dropped ? server.baseNanos : server.rttNanos(inflight);
        pending.add(new Completion(now + rtt, sequence++, listener, dropped));
      }
      Completion next = pending.remove();
      ticker.advanceNanos(next.atNanos - now);
      now = next.atNanos;
      if (next.dropped) {
        next.listener.onDropped();
      } else {
        next.listener.onSuccess();
      }
      trace[sample] = limiter.limit();
    }
    return trace;
  }

  /**
   * Samples from {@code from} until the limit entered {@code [low, high]} for good, up to {@code to}; {@code to -
   * from} if it ends outside.
   */
  static int samplesToConverge(int[] trace, int from, int to, int low, int high) {
    int lastOutside = from - 1;
    for (int i = from; i < to; i++) {
      if (trace[i] < low || trace[i] > high) {
        lastOutside = i;
      }
    }
    return lastOutside + 1 - from;
  }

  /** The distinct values in {@code trace[from, to)}, for messages. */
  static List<Integer> range(int[] trace, int from, int to) {
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int i = from; i < to; i++) {
      min = Math.min(min, trace[i]);
      max = Math.max(max, trace[i]);
    }
    List<Integer> result = new ArrayList<>();
    result.add(min);
    result.add(max);
    return result;
  }

  private record Completion(long atNanos, long sequence, Listener listener, boolean dropped)
      implements Comparable<Completion> {
    @Override
    public int compareTo(Completion other) {
      int byTime = Long.compare(atNanos, other.atNanos);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }
}
