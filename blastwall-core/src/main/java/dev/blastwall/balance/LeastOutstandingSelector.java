package dev.blastwall.balance;

import dev.blastwall.time.RandomSource;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Least outstanding requests: scans every endpoint and picks one with the fewest calls in flight.
 *
 * <p>The scan starts at a random position and keeps the first minimum it meets, so ties go to a random endpoint
 * instead of always the first in the list (which would pile every idle-time request onto it). Weights are ignored.
 *
 * <p>A pick costs one read per endpoint: fine for tens of endpoints; for hundreds prefer
 * {@link PowerOfTwoChoicesSelector}, which gets most of the benefit from two reads.
 *
 * <p>Thread-safe and lock-free; picks allocate nothing. The counts read may be a moment stale under concurrency,
 * which only makes a pick slightly less than optimal.
 */
public final class LeastOutstandingSelector implements Selector {

  private volatile List<Endpoint> endpoints = List.of();
  private final RandomSource random;

  /** An empty selector that breaks ties with {@code random}. */
  public LeastOutstandingSelector(RandomSource random) {
    this.random = random;
  }

  @Override
  public @Nullable Endpoint pick(@Nullable Object requestKey) {
    List<Endpoint> current = endpoints;
    int size = current.size();
    if (size == 0) {
      return null;
    }
    int start = Snapshots.index(random, size);
    Endpoint best = current.get(start);
    int fewest = best.outstanding();
    for (int step = 1; step < size && fewest > 0; step++) {
      int i = start + step;
      Endpoint candidate = current.get(i < size ? i : i - size);
      int load = candidate.outstanding();
      if (load < fewest) {
        best = candidate;
        fewest = load;
      }
    }
    return best;
  }

  @Override
  public void update(List<Endpoint> endpoints) {
    this.endpoints = Snapshots.copyOf(endpoints);
  }

  @Override
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  @Override
  public String name() {
    return Selectors.LEAST_REQUEST;
  }

  @Override
  public String toString() {
    return "LeastOutstandingSelector" + endpoints;
  }
}
