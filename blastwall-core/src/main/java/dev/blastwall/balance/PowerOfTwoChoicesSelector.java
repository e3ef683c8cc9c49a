package dev.blastwall.balance;

import dev.blastwall.time.RandomSource;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Power of two choices: draws two distinct endpoints at random and picks the one with fewer calls in flight (the
 * first drawn on a tie). Finagle's default balancer and Envoy's and gRPC's {@code least_request}.
 *
 * <p>Two random choices get almost all of the benefit of a full scan at constant cost, and unlike a full scan they
 * do not send every client's next request to the same momentarily idle endpoint. Weights are ignored.
 *
 * <p>Thread-safe and lock-free; picks allocate nothing.
 */
public final class PowerOfTwoChoicesSelector implements Selector {

  private volatile List<Endpoint> endpoints = List.of();
  private final RandomSource random;

  /** An empty selector that draws its choices from {@code random}. */
  public PowerOfTwoChoicesSelector(RandomSource random) {
    this.random = random;
  }

  @Override
  public @Nullable Endpoint pick(@Nullable Object requestKey) {
    List<Endpoint> current = endpoints;
    int size = current.size();
    if (size <= 1) {
      return size == 0 ? null : current.get(0);
    }
    int first = Snapshots.index(random, size);
    Endpoint a = current.get(first);
    Endpoint b = current.get(Snapshots.indexOtherThan(random, size, first));
    return b.outstanding() < a.outstanding() ? b : a;
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
    return Selectors.P2C;
  }

  @Override
  public String toString() {
    return "PowerOfTwoChoicesSelector" + endpoints;
  }
}
