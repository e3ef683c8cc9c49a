package dev.blastwall.balance;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.RandomSource;
import dev.blastwall.time.Ticker;
import java.util.List;

/** Creates selectors by policy name, spelled as in gRPC service config where gRPC has the policy. */
public final class Selectors {

  /** {@link RoundRobinSelector}. */
  public static final String ROUND_ROBIN = "round_robin";

  /** {@link WeightedRoundRobinSelector}: static weights (gRPC's policy of this name weighs by load reports). */
  public static final String WEIGHTED_ROUND_ROBIN = "weighted_round_robin";

  /** {@link LeastOutstandingSelector}, a full scan (gRPC's {@code least_request} draws two: that is {@link #P2C}). */
  public static final String LEAST_REQUEST = "least_request";

  /** {@link PowerOfTwoChoicesSelector}. */
  public static final String P2C = "p2c";

  /** {@link PeakEwmaSelector}. */
  public static final String PEAK_EWMA = "peak_ewma";

  /** {@link ConsistentHashSelector}. */
  public static final String RING_HASH = "ring_hash";

  private static final List<String> NAMES =
      List.of(ROUND_ROBIN, WEIGHTED_ROUND_ROBIN, LEAST_REQUEST, P2C, PEAK_EWMA, RING_HASH);

  private Selectors() {}

  /** The names {@link #byName} accepts. */
  public static List<String> names() {
    return NAMES;
  }

  /**
   * A new, empty selector for the policy {@code name}, with default settings.
   *
   * @param ticker the clock for latency-aware policies; give endpoints the same one
   * @param random the randomness for choices, tie breaks and starting positions
   * @throws IllegalArgumentException if {@code name} is not one of {@link #names()}
   */
  public static Selector byName(String name, Ticker ticker, RandomSource random) {
    return switch (name) {
      case ROUND_ROBIN -> new RoundRobinSelector(random);
      case WEIGHTED_ROUND_ROBIN -> new WeightedRoundRobinSelector(random);
      case LEAST_REQUEST -> new LeastOutstandingSelector(random);
      case P2C -> new PowerOfTwoChoicesSelector(random);
      case PEAK_EWMA -> new PeakEwmaSelector(ticker, random);
      case RING_HASH -> new ConsistentHashSelector(random);
      default -> throw Checks.invalidArgument("name", name, "one of " + String.join(", ", NAMES));
    };
  }
}
