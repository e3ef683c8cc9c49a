package dev.blastwall.balance;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.RandomSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Consistent hashing on a ring with virtual nodes (Karger's ring hash, as in Envoy's and gRPC's {@code ring_hash}):
 * requests with the same key go to the same endpoint for as long as it stays in the set.
 *
 * <p>Each endpoint puts {@code virtualNodesPerWeight * weight} points on a 64-bit ring (default
 * {@value #DEFAULT_VIRTUAL_NODES_PER_WEIGHT} per weight unit), at hashes derived from its id alone; a key goes to
 * the owner of the first point at or after the key's hash, wrapping around. Because an endpoint's points depend on
 * nothing but its own id and weight:
 *
 * <ul>
 *   <li>removing an endpoint moves only the keys it owned, each to the next point along the ring;
 *   <li>adding one to {@code N} moves only keys to it, about {@code 1/(N+1)} of them (with 100 points per endpoint
 *       its share varies by roughly 10% of that, the price of a ring over Maglev's even table);
 *   <li>every client with the same membership maps keys the same way, whatever order it lists endpoints in.
 * </ul>
 *
 * <p>The ring is chosen over Maglev (Envoy's {@code MAGLEV}, table 65537) because Maglev rebuilds its whole table
 * on a membership change and moves a few keys between endpoints that stayed; the ring moves none of them.
 *
 * <p>Rings larger than {@value #MAX_POINTS} points are scaled down, each endpoint keeping at least one point; the
 * scale then depends on the total weight, so updates that change it may move more keys than the bounds above.
 *
 * <p>Keys are hashed to 64 bits: {@link CharSequence}s and {@code byte[]}s from their contents (so strings from
 * different sources and runs agree), anything else from its {@link Object#hashCode()}. A {@code null} key means
 * no affinity: it goes to a random point of the ring.
 *
 * <p>Thread-safe and lock-free: a pick is one hash and one binary search, and allocates nothing. Updates build the
 * ring in {@code O(P log P)} for {@code P} points.
 */
public final class ConsistentHashSelector implements Selector {

  /** The default number of ring points per unit of weight. */
  public static final int DEFAULT_VIRTUAL_NODES_PER_WEIGHT = 100;

  /** The most points a ring holds (12 MB at most). */
  public static final int MAX_POINTS = 1 << 20;

  private static final Ring EMPTY = new Ring(List.of(), new long[0], new Endpoint[0]);

  // splitmix64's increment, 2^64 / golden ratio: successive multiples are spread evenly over the ring.
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  // 64-bit FNV-1a: simple, stable across JVMs and releases, unlike String.hashCode's 32 bits.
  private static final long FNV_OFFSET = 0xCBF29CE484222325L;
  private static final long FNV_PRIME = 0x100000001B3L;

  private volatile Ring ring = EMPTY;
  private final int virtualNodesPerWeight;
  private final RandomSource random;

  /** An empty selector with {@value #DEFAULT_VIRTUAL_NODES_PER_WEIGHT} points per weight unit. */
  public ConsistentHashSelector(RandomSource random) {
    this(DEFAULT_VIRTUAL_NODES_PER_WEIGHT, random);
  }

  /**
   * An empty selector with {@code virtualNodesPerWeight} points per weight unit.
   *
   * @param random spreads {@code null} keys
   * @throws IllegalArgumentException if {@code virtualNodesPerWeight} is outside {@code [1, MAX_POINTS]}
   */
  public ConsistentHashSelector(int virtualNodesPerWeight, RandomSource random) {
    this.virtualNodesPerWeight = Checks.checkRange("virtualNodesPerWeight", virtualNodesPerWeight, 1, MAX_POINTS);
    this.random = random;
  }

  @Override
  public @Nullable Endpoint pick(@Nullable Object requestKey) {
    Ring current = ring;
    long[] points = current.points;
    if (points.length == 0) {
      return null;
    }
    long hash = requestKey == null ? (long) ((random.nextDouble() - 0.5) * 0x1p64) : hash(requestKey);
    int at = Arrays.binarySearch(points, hash);
    if (at < 0) {
      at = -at - 1;
      if (at == points.length) {
        at = 0;
      }
    } else {
      // Equal points are sorted by id: take the first, so the owner does not depend on the search path.
      while (at > 0 && points[at - 1] == hash) {
        at--;
      }
    }
    return current.owners[at];
  }

  @Override
  public void update(List<Endpoint> endpoints) {
    List<Endpoint> copy = Snapshots.copyOf(endpoints);
    this.ring = build(copy);
  }

  @Override
  public List<Endpoint> endpoints() {
    return ring.endpoints;
  }

  @Override
  public String name() {
    return Selectors.RING_HASH;
  }

  @Override
  public String toString() {
    return "ConsistentHashSelector" + ring.endpoints;
  }

  /**
   * The 64-bit ring position of {@code key}: contents-based for {@link CharSequence} and {@code byte[]}, else
   * from {@link Object#hashCode()}.
   */
  public static long hash(Object key) {
    long h = FNV_OFFSET;
    if (key instanceof CharSequence chars) {
      for (int i = 0, n = chars.length(); i < n; i++) {
        h = (h ^ chars.charAt(i)) * FNV_PRIME;
      }
    } else if (key instanceof byte[] bytes) {
      for (byte b : bytes) {
        h = (h ^ (b & 0xFF)) * FNV_PRIME;
      }
    } else {
      h = (h ^ key.hashCode()) * FNV_PRIME;
    }
    // FNV-1a alone mixes its last input poorly into the high bits; the finalizer spreads every bit over all 64.
    return mix(h);
  }

  /** splitmix64's finalizer: a bijection on 64 bits with full avalanche. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private Ring build(List<Endpoint> endpoints) {
    if (endpoints.isEmpty()) {
      return EMPTY;
    }
    long totalWeight = 0;
    for (Endpoint endpoint : endpoints) {
      totalWeight += endpoint.weight();
    }
    long wanted = totalWeight * virtualNodesPerWeight;
    double scale = wanted > MAX_POINTS ? (double) MAX_POINTS / wanted : 1.0;
    List<Point> all = new ArrayList<>();
    for (Endpoint endpoint : endpoints) {
      long replicas = (long) endpoint.weight() * virtualNodesPerWeight;
      if (scale < 1.0) {
        replicas = Math.max(1, (long) (replicas * scale));
      }
      long seed = hash(endpoint.id());
      for (long r = 1; r <= replicas; r++) {
        all.add(new Point(mix(seed + r * GOLDEN_GAMMA), endpoint));
      }
    }
    all.sort(Comparator.comparingLong(Point::hash).thenComparing(p -> p.owner().id()));
    long[] points = new long[all.size()];
    Endpoint[] owners = new Endpoint[all.size()];
    for (int i = 0; i < points.length; i++) {
      points[i] = all.get(i).hash();
      owners[i] = all.get(i).owner();
    }
    return new Ring(endpoints, points, owners);
  }

  private record Point(long hash, Endpoint owner) {}

  private static final class Ring {
    final List<Endpoint> endpoints;
    final long[] points;
    final Endpoint[] owners;

    Ring(List<Endpoint> endpoints, long[] points, Endpoint[] owners) {
      this.endpoints = endpoints;
      this.points = points;
      this.owners = owners;
    }
  }
}
