package dev.blastwall.balance;

import dev.blastwall.time.RandomSource;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Weighted round robin: over every cycle of {@code sum(weights)} consecutive picks, each endpoint is picked exactly
 * {@code weight} times, interleaved rather than in runs (weights 1, 2, 3 give {@code C B A C B C}, not
 * {@code A B B C C C}).
 *
 * <p>Each update precomputes one cycle by earliest-deadline-first (stride) scheduling: endpoint {@code i}'s
 * {@code k}-th turn is due at {@code (k + 1/2) / weight_i} of the cycle, and turns go out in deadline order, ties
 * to the earlier endpoint in the list. Every turn of a cycle is due before the cycle ends and every later turn
 * after it, which is why the proportions are exact. Picks then step through the cycle with an atomic counter, so
 * the pick path is as cheap as plain round robin. Weights are first divided by their greatest common divisor;
 * cycles longer than {@value #MAX_CYCLE} are scaled down to about that length (each weight at least 1), which
 * keeps proportions to within one turn per endpoint per cycle.
 *
 * <p>The schedule is deterministic; only its starting position is drawn from the random source, so that clients
 * started together do not all begin on the heaviest endpoint. Load is ignored.
 *
 * <p>Thread-safe and lock-free: one atomic increment per pick; picks allocate nothing.
 */
public final class WeightedRoundRobinSelector implements Selector {

  /** The longest cycle precomputed, in picks (4 MB of references at most). */
  static final int MAX_CYCLE = 1 << 20;

  private static final Snapshot EMPTY = new Snapshot(List.of(), new Endpoint[0]);

  private volatile Snapshot snapshot = EMPTY;
  private final AtomicLong next;

  /** An empty selector whose cycle starts at a position drawn from {@code random}. */
  public WeightedRoundRobinSelector(RandomSource random) {
    this.next = new AtomicLong(Snapshots.index(random, Integer.MAX_VALUE));
  }

  @Override
  public @Nullable Endpoint pick(@Nullable Object requestKey) {
    Endpoint[] cycle = snapshot.cycle;
    if (cycle.length == 0) {
      return null;
    }
    return cycle[(int) Long.remainderUnsigned(next.getAndIncrement(), cycle.length)];
  }

  @Override
  public void update(List<Endpoint> endpoints) {
    List<Endpoint> copy = Snapshots.copyOf(endpoints);
    this.snapshot = new Snapshot(copy, cycle(copy));
  }

  @Override
  public List<Endpoint> endpoints() {
    return snapshot.endpoints;
  }

  @Override
  public String name() {
    return Selectors.WEIGHTED_ROUND_ROBIN;
  }

  @Override
  public String toString() {
    return "WeightedRoundRobinSelector" + snapshot.endpoints;
  }

  /** One cycle of the schedule for {@code endpoints}. */
  static Endpoint[] cycle(List<Endpoint> endpoints) {
    int size = endpoints.size();
    long[] weights = new long[size];
    long divisor = 0;
    long total = 0;
    for (int i = 0; i < size; i++) {
      weights[i] = endpoints.get(i).weight();
      divisor = gcd(divisor, weights[i]);
      total += weights[i];
    }
    if (size == 0) {
      return new Endpoint[0];
    }
    long reduced = 0;
    for (int i = 0; i < size; i++) {
      weights[i] /= divisor;
      if (total / divisor > MAX_CYCLE) {
        weights[i] = Math.max(1, Math.round((double) weights[i] * MAX_CYCLE * divisor / total));
      }
      reduced += weights[i];
    }
    long[] turns = new long[size];
    // Turn k of endpoint i is due at (2k + 1) / (2 w_i); compared by cross-multiplying, exactly, in longs.
    PriorityQueue<Integer> due = new PriorityQueue<>(size, (a, b) -> {
      int byDeadline = Long.compare((2 * turns[a] + 1) * weights[b], (2 * turns[b] + 1) * weights[a]);
      return byDeadline != 0 ? byDeadline : Integer.compare(a, b);
    });
    for (int i = 0; i < size; i++) {
      due.add(i);
    }
    Endpoint[] cycle = new Endpoint[(int) reduced];
    for (int slot = 0; slot < cycle.length; slot++) {
      int i = due.remove();
      cycle[slot] = endpoints.get(i);
      turns[i]++;
      due.add(i);
    }
    return cycle;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long r = a % b;
      a = b;
      b = r;
    }
    return a;
  }

  private static final class Snapshot {
    final List<Endpoint> endpoints;
    final Endpoint[] cycle;

    Snapshot(List<Endpoint> endpoints, Endpoint[] cycle) {
      this.endpoints = endpoints;
      this.cycle = cycle;
    }
  }
}
