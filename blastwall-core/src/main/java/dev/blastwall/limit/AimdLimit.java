package dev.blastwall.limit;

import dev.blastwall.internal.Checks;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Additive increase, multiplicative decrease: the loss-based limit of TCP Reno, driven by drops and timeouts.
 *
 * <ul>
 *   <li>A drop, or an rtt above {@code timeout}, multiplies the limit by {@code backoffRatio} (rounded down, never
 *       below {@code minLimit}).
 *   <li>A success within {@code timeout} while the limit is in use ({@code inflight >= limit / 2}) adds 1 (never
 *       above {@code maxLimit}). Below half use the caller, not the upstream, is the bottleneck, so success there
 *       says nothing about a higher limit.
 *   <li>The limit changes at most once per round trip: samples from requests admitted before the last change are
 *       ignored, since they ran at the old limit (see {@code RoundTrips}). So it grows by 1 per round trip, not
 *       per reply, and one overload costs one cut, not one per request in flight.
 * </ul>
 *
 * <p>AIMD sees latency only through {@code timeout}: set it a little above the upstream's unloaded latency for
 * the limit to settle near the latency knee, or leave it long to react to drops alone.
 *
 * <p>Thread-safe and lock-free: the state is immutable and replaced by compare-and-set, only when the limit
 * changes.
 */
public final class AimdLimit implements Limit {

  /** The default starting limit. */
  public static final int DEFAULT_INITIAL_LIMIT = 20;
  /** The default floor. */
  public static final int DEFAULT_MIN_LIMIT = 1;
  /** The default ceiling. */
  public static final int DEFAULT_MAX_LIMIT = 200;
  /** The default factor applied on a drop or timeout. */
  public static final double DEFAULT_BACKOFF_RATIO = 0.9;
  /** The default rtt above which a success counts as congestion. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final int minLimit;
  private final int maxLimit;
  private final double backoffRatio;
  private final long timeoutNanos;
  private final AtomicReference<State> state;

  /** The limit and when it last changed (the completion of the sample that changed it). */
  private record State(int limit, boolean changed, long lastChangeNanos) {}

  private AimdLimit(Builder builder) {
    this.minLimit = builder.minLimit;
    this.maxLimit = builder.maxLimit;
    this.backoffRatio = builder.backoffRatio;
    this.timeoutNanos = Checks.saturatedNanos(builder.timeout);
    this.state = new AtomicReference<>(new State(builder.initialLimit, false, 0));
  }

  /** A builder with the defaults: initial 20, range [1, 200], backoff 0.9, timeout 5 s. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int limit() {
    return state.get().limit();
  }

  @Override
  public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    while (true) {
      State current = state.get();
      if (!RoundTrips.isFresh(current.changed(), current.lastChangeNanos(), startNanos)) {
        return current.limit();
      }
      int next = current.limit();
      if (dropped || rttNanos > timeoutNanos) {
        next = Math.max(minLimit, (int) (current.limit() * backoffRatio));
      } else if ((long) inflight * 2 >= current.limit()) {
        next = Math.min(maxLimit, current.limit() + 1);
      }
      if (next == current.limit() || state.compareAndSet(current, new State(next, true, startNanos + rttNanos))) {
        return next;
      }
    }
  }

  @Override
  public String toString() {
    return "AimdLimit[limit=" + limit() + ", range=[" + minLimit + ", " + maxLimit + "], backoffRatio=" + backoffRatio
        + ", timeout=" + Duration.ofNanos(timeoutNanos) + "]";
  }

  /** Configures an {@link AimdLimit}. Not thread-safe; each option may be set once. */
  public static final class Builder {
    private int initialLimit = DEFAULT_INITIAL_LIMIT;
    private int minLimit = DEFAULT_MIN_LIMIT;
    private int maxLimit = DEFAULT_MAX_LIMIT;
    private double backoffRatio = DEFAULT_BACKOFF_RATIO;
    private Duration timeout = DEFAULT_TIMEOUT;
    private boolean initialSet;
    private boolean minSet;
    private boolean maxSet;
    private boolean backoffSet;
    private boolean timeoutSet;

    private Builder() {}

    /** The limit before any sample; default 20. Must lie within [minLimit, maxLimit]. */
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

    /** The ceiling; default 200. */
    public Builder maxLimit(int value) {
      Checks.checkNotSet("maxLimit", maxSet);
      maxSet = true;
      maxLimit = Checks.checkRange("maxLimit", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /** The factor applied on a drop or timeout, in [0.5, 1); default 0.9. */
    public Builder backoffRatio(double value) {
      Checks.checkNotSet("backoffRatio", backoffSet);
      backoffSet = true;
      if (!(value >= 0.5 && value < 1.0)) {
        throw Checks.invalidArgument("backoffRatio", value, "0.5 <= backoffRatio < 1");
      }
      backoffRatio = value;
      return this;
    }

    /** The rtt above which a success counts as congestion, like a drop; default 5 s. */
    public Builder timeout(Duration value) {
      Checks.checkNotSet("timeout", timeoutSet);
      timeoutSet = true;
      timeout = Checks.checkPositive("timeout", value);
      return this;
    }

    /**
     * A new limit at its initial value.
     *
     * @throws IllegalArgumentException if {@code minLimit > maxLimit} or the initial limit lies outside them
     */
    public AimdLimit build() {
      LimitRange.check("minLimit", minLimit, maxLimit, initialLimit);
      return new AimdLimit(this);
    }
  }
}
