package dev.blastwall.balance;

import dev.blastwall.time.RandomSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Round robin: each endpoint in turn, ignoring weights and load.
 *
 * <p>The rotation starts at a random position so that many clients started together do not all send their first
 * request to the same endpoint. It carries on across updates rather than restarting.
 *
 * <p>Thread-safe and lock-free: one atomic increment per pick; picks allocate nothing.
 */
public final class RoundRobinSelector implements Selector {

  private volatile List<Endpoint> endpoints = List.of();
  // A long never wraps in practice, so the rotation never skips at an overflow.
  private final AtomicLong next;

  /** An empty selector whose rotation starts at a position drawn from {@code random}. */
  public RoundRobinSelector(RandomSource random) {
    this.next = new AtomicLong(Snapshots.index(random, Integer.MAX_VALUE));
  }

  @Override
  public @Nullable Endpoint pick(@Nullable Object requestKey) {
    List<Endpoint> current = endpoints;
    int size = current.size();
    if (size == 0) {
      return null;
    }
    return current.get((int) Long.remainderUnsigned(next.getAndIncrement(), size));
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
    return Selectors.ROUND_ROBIN;
  }

  @Override
  public String toString() {
    return "RoundRobinSelector" + endpoints;
  }
}
