package dev.blastwall.grpc.balance;

import dev.blastwall.balance.Selectors;
import dev.blastwall.time.Environment;
import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import java.util.Map;

/**
 * A gRPC load balancing policy per Blastwall selector, registered through {@code ServiceLoader} under the names
 * of {@link BlastwallBalancing}: {@code blastwall_round_robin}, {@code blastwall_weighted_round_robin},
 * {@code blastwall_least_request}, {@code blastwall_p2c}, {@code blastwall_peak_ewma} and
 * {@code blastwall_ring_hash}. Select one in service config, e.g.
 * {@code {"loadBalancingConfig":[{"blastwall_p2c":{}}]}}.
 */
public abstract class BlastwallLoadBalancerProvider extends LoadBalancerProvider {

  private final String selectorName;

  BlastwallLoadBalancerProvider(String selectorName) {
    this.selectorName = selectorName;
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public int getPriority() {
    return 5;
  }

  @Override
  public String getPolicyName() {
    return BlastwallBalancing.PREFIX + selectorName;
  }

  @Override
  public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
    // ServiceLoader makes the providers, so nothing can hand them an environment: the system one.
    return new BlastwallLoadBalancer(helper, selectorName, Environment.system());
  }

  @Override
  public ConfigOrError parseLoadBalancingPolicyConfig(Map<String, ?> rawConfig) {
    try {
      return ConfigOrError.fromConfig(BalancerConfig.parse(rawConfig));
    } catch (IllegalArgumentException e) {
      return ConfigOrError.fromError(Status.INVALID_ARGUMENT
          .withDescription("invalid " + getPolicyName() + " config: " + e.getMessage()).withCause(e));
    }
  }

  /** {@code blastwall_round_robin}. */
  public static final class RoundRobin extends BlastwallLoadBalancerProvider {
    /** For {@code ServiceLoader}. */
    public RoundRobin() {
      super(Selectors.ROUND_ROBIN);
    }
  }

  /** {@code blastwall_weighted_round_robin}. */
  public static final class WeightedRoundRobin extends BlastwallLoadBalancerProvider {
    /** For {@code ServiceLoader}. */
    public WeightedRoundRobin() {
      super(Selectors.WEIGHTED_ROUND_ROBIN);
    }
  }

  /** {@code blastwall_least_request}. */
  public static final class LeastRequest extends BlastwallLoadBalancerProvider {
    /** For {@code ServiceLoader}. */
    public LeastRequest() {
      super(Selectors.LEAST_REQUEST);
    }
  }

  /** {@code blastwall_p2c}. */
  public static final class P2c extends BlastwallLoadBalancerProvider {
    /** For {@code ServiceLoader}. */
    public P2c() {
      super(Selectors.P2C);
    }
  }

  /** {@code blastwall_peak_ewma}. */
  public static final class PeakEwma extends BlastwallLoadBalancerProvider {
    /** For {@code ServiceLoader}. */
    public PeakEwma() {
      super(Selectors.PEAK_EWMA);
    }
  }

  /** {@code blastwall_ring_hash}. */
  public static final class RingHash extends BlastwallLoadBalancerProvider {
    /** For {@code ServiceLoader}. */
    public RingHash() {
      super(Selectors.RING_HASH);
    }
  }
}
