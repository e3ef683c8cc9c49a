package dev.blastwall.balance;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Picks one endpoint per request from the current set, with no knowledge of the protocol.
 *
 * <p>Membership is published as an immutable snapshot by {@link #update}; {@link #pick} reads whichever snapshot
 * is current, without locks, and allocates nothing. This is gRPC's split between a load balancer (serialized
 * updates) and its picker (concurrent picks), so a gRPC {@code LoadBalancerProvider} can wrap a selector directly.
 *
 * <p>A selector does not call {@link Endpoint#onStart()} or {@link Endpoint#onComplete}: the caller does, around
 * the call it routes to the picked endpoint, because only the caller knows when the call ends.
 *
 * <p>Implementations are thread-safe. Updates are meant to come from one thread at a time (as gRPC's
 * synchronization context guarantees); concurrent updates are safe, and the last one published wins.
 */
public interface Selector {

  /**
   * Picks an endpoint for one request.
   *
   * @param requestKey the request's affinity key, read only by hashing selectors (which spread {@code null} keys
   *     at random); the others ignore it
   * @return an endpoint of the current snapshot, or {@code null} if the snapshot is empty
   */
  @Nullable Endpoint pick(@Nullable Object requestKey);

  /**
   * Publishes a new membership: later picks choose from a copy of {@code endpoints}, earlier ones are unaffected.
   *
   * @throws IllegalArgumentException if two endpoints share an id
   */
  void update(List<Endpoint> endpoints);

  /** The current snapshot, immutable. */
  List<Endpoint> endpoints();

  /** The policy's name, as {@link Selectors#byName} spells it. */
  String name();
}
