package dev.blastwall.grpc.balance;

import dev.blastwall.balance.Selectors;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Metadata;

/**
 * Names and keys of Blastwall's gRPC load balancing: the policy names to put in service config, the request key
 * that {@code blastwall_ring_hash} hashes, the attempt-deadline mark, and the endpoint weight attribute.
 */
public final class BlastwallBalancing {

  /** The prefix of every Blastwall policy name: {@code blastwall_} followed by the core selector name. */
  public static final String PREFIX = "blastwall_";

  /** {@code blastwall_round_robin}. */
  public static final String ROUND_ROBIN = PREFIX + Selectors.ROUND_ROBIN;

  /** {@code blastwall_weighted_round_robin}: static weights, from {@link #WEIGHT}. */
  public static final String WEIGHTED_ROUND_ROBIN = PREFIX + Selectors.WEIGHTED_ROUND_ROBIN;

  /** {@code blastwall_least_request}: the fewest outstanding calls, full scan. */
  public static final String LEAST_REQUEST = PREFIX + Selectors.LEAST_REQUEST;

  /** {@code blastwall_p2c}: power of two choices on outstanding calls. */
  public static final String P2C = PREFIX + Selectors.P2C;

  /** {@code blastwall_peak_ewma}: power of two choices on peak-EWMA latency times load. */
  public static final String PEAK_EWMA = PREFIX + Selectors.PEAK_EWMA;

  /** {@code blastwall_ring_hash}: consistent hashing of the {@linkplain #REQUEST_KEY request key}. */
  public static final String RING_HASH = PREFIX + Selectors.RING_HASH;

  /**
   * The request key hashed by {@code blastwall_ring_hash}, set per call with
   * {@code stub.withOption(BlastwallBalancing.REQUEST_KEY, "user-42")}. It wins over {@link #REQUEST_KEY_HEADER}.
   */
  public static final CallOptions.Key<String> REQUEST_KEY = CallOptions.Key.create("blastwall-request-key");

  /**
   * Marks a call whose deadline is one attempt's own time limit, shorter than what its caller allows; Blastwall's
   * client interceptor sets it on the attempts a {@code GrpcClientPolicy} attempt timeout bounds. A
   * DEADLINE_EXCEEDED on such a call counts against its endpoint (it did not answer in time, as a hung or
   * partitioned replica does not), where a caller's own deadline counts neither way.
   */
  public static final CallOptions.Key<Boolean> ATTEMPT_DEADLINE = CallOptions.Key.create("blastwall-attempt-deadline");

  /**
   * The header read by {@code blastwall_ring_hash} when the call has no {@link #REQUEST_KEY} option, for keys set
   * by an interceptor. Calls with neither are spread at random.
   */
  public static final Metadata.Key<String> REQUEST_KEY_HEADER =
      Metadata.Key.of("blastwall-request-key", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * The static weight of an address group, as set by a name resolver in the group's attributes; groups without it
   * weigh {@code 1}. Read by the weighted policies (and the ring size of {@code blastwall_ring_hash}).
   */
  public static final Attributes.Key<Integer> WEIGHT = Attributes.Key.create("blastwall-endpoint-weight");

  private BlastwallBalancing() {}
}
