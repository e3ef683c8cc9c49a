package dev.blastwall.limit;

import dev.blastwall.internal.Checks;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A delay-based limit after TCP Vegas (and Netflix concurrency-limits' {@code VegasLimit}): it estimates how many
 * requests wait in the upstream's queue and keeps that number small.
 *
 * <p>With {@code rttNoLoad} the rtt of an unqueued request, a sample estimates
 * {@code queue = ceil(limit * (1 - rttNoLoad / rtt))}. With {@code L = max(1, log10(limit))}:
 *
 * <ul>
 *   <li>{@code queue <= L} during slow start: {@code limit + beta * L} (fast growth until the first sign of
 *       congestion).
 *   <li>{@code queue < alpha * L}: {@code limit + L}.
 *   <li>{@code queue > beta * L}, or a drop: {@code limit - L}, and slow start is over.
 *   <li>otherwise, and whenever fewer than half the permits are in use: unchanged.
 * </ul>
 *
 * <p>Like TCP Vegas, it changes at most once per round trip (see {@code RoundTrips}); and as in TCP, slow start ends
 * at the first congestion signal, after which a spuriously fast reply can only add {@code L}, not
 * {@code beta * L}.
 *
 * <p><b>The no-load rtt</b> is the minimum rtt of successful requests over the current and the previous probe
 * interval (default 10 s, timed by the samples' own timestamps): every interval the older half is forgotten, so a
 * baseline that rose (a slower route, bigger payloads) is adopted within two intervals. Dropped requests never
 * count: a fast refusal is not a service time. A limit that keeps the upstream saturated for a whole interval sees
 * no unqueued request and so re-learns a queued rtt as its baseline, which lets the limit drift up; choose the
 * interval longer than such periods are expected to last.
 *
 * <p>Thread-safe and lock-free: the state is immutable and replaced by compare-and-set, only when something in
 * it changes (the limit once per round trip at most; the no-load minimum rarely).
 */
public final class VegasLimit implements Limit {

  /** The default starting limit. */
  public static final int DEFAULT_INITIAL_LIMIT = 20;
  /** The default ceiling. */
  public static final int DEFAULT_MAX_LIMIT = 1000;
  /** The default lower queue threshold, in units of {@code log10(limit)}. */
  public static final double DEFAULT_ALPHA = 3;
  /** The default upper queue threshold, in units of {@code log10(limit)}. */
  public static final double DEFAULT_BETA = 6;
  /** The default interval after which the older half of the no-load rtt window is forgotten. */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(10);

  private final int minLimit;
  private final int maxLimit;
  private final double alpha;
  private final double beta;
  private final long probeNanos;
  private final AtomicReference<State> state;

  /**
   * Everything a sample may change. The no-load rtt is the minimum of {@code previousMin} (the last probe
   * interval) and {@code currentMin} (this one, which ends at {@code probeEndNanos}).
   */
  private record State(double estimate, boolean slowStart, boolean changed, long lastChangeNanos, boolean probing,
      long probeEndNanos, long previousMin, long currentMin) {

    long rttNoLoad() {
      long min = Math.min(previousMin, currentMin);
      return min == Long.MAX_VALUE ? -1 : min;
    }
  }

  private VegasLimit(Builder builder) {
    this.minLimit = builder.minLimit;
    this.maxLimit = builder.maxLimit;
    this.alpha = builder.alpha;
    this.beta = builder.beta;
    this.probeNanos = Checks.saturatedNanos(builder.probeInterval);
    this.state = new AtomicReference<>(new State(builder.initialLimit, /* slowStart= */ true, false, 0, false, 0,
        Long.MAX_VALUE, Long.MAX_VALUE));
  }

  /** A builder with the defaults: initial 20, range [1, 1000], alpha 3, beta 6, probe interval 10 s. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int limit() {
    return (int) state.get().estimate();
  }

  /** The no-load rtt in nanoseconds, or -1 before the first successful sample. */
  long rttNoLoadNanos() {
    return state.get().rttNoLoad();
  }

  @Override
  public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    long rtt = Math.max(1, rttNanos);
    long endNanos = startNanos + rtt;
    while (true) {
      State current = state.get();
      State tracked = dropped ? current : trackNoLoad(current, endNanos, rtt);
      State next = tracked;
      if (RoundTrips.isFresh(current.changed(), current.lastChangeNanos(), startNanos)) {
        next = adjust(tracked, startNanos, rtt, inflight, dropped);
      }
      if (next.equals(current) || state.compareAndSet(current, next)) {
        return (int) next.estimate();
      }
    }
  }

  /** The limit step for a fresh sample, or {@code state} itself if the limit stays. */
  private State adjust(State state, long startNanos, long rtt, int inflight, boolean dropped) {
    double estimate = state.estimate();
    double step = LimitRange.log10AtLeastOne(estimate);
    boolean slowStart = state.slowStart();
    double next;
    if (dropped) {
      slowStart = false;
      next = estimate - step;
    } else if ((long) inflight * 2 < estimate) {
      // The caller, not the upstream, is the bottleneck: the rtt says nothing about a higher limit.
      return state;
    } else {
      // Known: this successful sample was just tracked.
      double queue = Math.ceil(estimate * (1 - (double) state.rttNoLoad() / rtt));
      if (slowStart && queue <= step) {
        next = estimate + beta * step;
      } else if (queue < alpha * step) {
        next = estimate + step;
      } else if (queue > beta * step) {
        slowStart = false;
        next = estimate - step;
      } else {
        return state;
      }
    }
    next = Math.max(minLimit, Math.min(maxLimit, next));
    if (next == estimate) {
      // At a bound: no change to wait a round trip for, but a congestion signal still ends slow start.
      return slowStart == state.slowStart() ? state : new State(estimate, slowStart, state.changed(),
          state.lastChangeNanos(), state.probing(), state.probeEndNanos(), state.previousMin(), state.currentMin());
    }
    return new State(next, slowStart, true, startNanos + rtt, state.probing(), state.probeEndNanos(),
        state.previousMin(), state.currentMin());
  }

  /** Folds a successful sample's rtt into the no-load window, or returns {@code state} if nothing changes. */
  private State trackNoLoad(State state, long endNanos, long rtt) {
    boolean probing = state.probing();
    long probeEnd = state.probeEndNanos();
    long previousMin = state.previousMin();
    long currentMin = state.currentMin();
    if (!probing) {
      probing = true;
      probeEnd = endNanos + probeNanos;
    } else if (endNanos - probeEnd >= 0) {
      // Two or more intervals without a sample leave nothing worth keeping from before.
      previousMin = endNanos - probeEnd >= probeNanos ? Long.MAX_VALUE : currentMin;
      currentMin = Long.MAX_VALUE;
      probeEnd = endNanos + probeNanos;
    }
    currentMin = Math.min(currentMin, rtt);
    if (probing == state.probing() && probeEnd == state.probeEndNanos() && previousMin == state.previousMin()
        && currentMin == state.currentMin()) {
      return state;
    }
    return new State(state.estimate(), state.slowStart(), state.changed(), state.lastChangeNanos(), probing,
        probeEnd, previousMin, currentMin);
  }

  @Override
  public String toString() {
    State current = state.get();
    return "VegasLimit[limit=" + (int) current.estimate() + ", rttNoLoad=" + current.rttNoLoad() + " ns, slowStart="
        + current.slowStart() + "]";
  }

  /** Configures a {@link VegasLimit}. Not thread-safe; each option may be set once. */
  public static final class Builder {
    private int initialLimit = DEFAULT_INITIAL_LIMIT;
    private int minLimit = 1;
    private int maxLimit = DEFAULT_MAX_LIMIT;
    private double alpha = DEFAULT_ALPHA;
    private double beta = DEFAULT_BETA;
    private Duration probeInterval = DEFAULT_PROBE_INTERVAL;
    private boolean initialSet;
    private boolean minSet;
    private boolean maxSet;
    private boolean alphaSet;
    private boolean betaSet;
    private boolean probeSet;

    private Builder() {}

    /** The limit before any sample; default 20. */
    public Builder initialLimit(int value) {
      Checks.checkNotSet("initialLimit", initialSet);
      initialSet = true;
      initialLimit = Checks.checkRange("initialLimit", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /** The floor; default 1. */
    public Builder minLimit(int value) {
      Checks.checkNotSet("minLimit", minSet);
      minSet = true;
      minLimit = Checks.checkRange("minLimit", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /** The ceiling; default 1000. */
    public Builder maxLimit(int value) {
      Checks.checkNotSet("maxLimit", maxSet);
      maxSet = true;
      maxLimit = Checks.checkRange("maxLimit", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /** Below {@code alpha * log10(limit)} queued requests the limit grows; default 3. Must be below beta. */
    public Builder alpha(double value) {
      Checks.checkNotSet("alpha", alphaSet);
      alphaSet = true;
      alpha = Checks.checkRange("alpha", value, 0.0, 1000.0);
      return this;
    }

    /** Above {@code beta * log10(limit)} queued requests the limit shrinks; default 6. */
    public Builder beta(double value) {
      Checks.checkNotSet("beta", betaSet);
      betaSet = true;
      beta = Checks.checkRange("beta", value, 0.0, 1000.0);
      return this;
    }

    /** How often the older half of the no-load rtt window is forgotten; default 10 s. */
    public Builder probeInterval(Duration value) {
      Checks.checkNotSet("probeInterval", probeSet);
      probeSet = true;
      probeInterval = Checks.checkPositive("probeInterval", value);
      return this;
    }

    /**
     * A new limit at its initial value.
     *
     * @throws IllegalArgumentException if {@code alpha >= beta}, {@code minLimit > maxLimit} or the initial limit
     *     lies outside them
     */
    public VegasLimit build() {
      if (!(alpha < beta)) {
        throw Checks.invalidArgument("alpha", alpha, "< beta (" + beta + ")");
      }
      LimitRange.check("minLimit", minLimit, maxLimit, initialLimit);
      return new VegasLimit(this);
    }
  }
}
