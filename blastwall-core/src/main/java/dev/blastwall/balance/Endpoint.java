package dev.blastwall.balance;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One backend a {@link Selector} can pick: a stable id, a static weight, and the live load the selectors read.
 *
 * <p>Load state is fed by the caller around every call it routes here:
 *
 * <pre>{@code
 * Endpoint endpoint = selector.pick(key);
 * endpoint.onStart();
 * long start = ticker.nanos();
 * boolean ok = false;
 * try {
 *   ... call ...
 *   ok = true;
 * } finally {
 *   endpoint.onComplete(ticker.nanos() - start, ok);
 * }
 * }</pre>
 *
 * <p>Callers must pair the two: exactly one {@link #onComplete} for every {@link #onStart}, whatever the outcome,
 * or the outstanding count drifts and load-aware selectors shun (or flood) this endpoint for good.
 *
 * <p>The latency estimate is a peak EWMA (Finagle's): a sample above the current estimate replaces it at once, so a
 * latency spike is acted on immediately; lower samples pull it down with time constant {@code decayTime} (default
 * 10 s), weighted by the time since the previous sample because samples arrive unevenly. Between samples the
 * estimate as read decays towards zero with the same time constant, so an endpoint that was shunned after a spike
 * looks cheap again after a few {@code decayTime}s and gets probed rather than being abandoned forever.
 *
 * <p>Identity is the object: two endpoints with the same id are different endpoints with separate load state. Keep
 * one instance per backend across {@link Selector#update} calls so its load history survives membership changes.
 *
 * <p>Thread-safe and lock-free; reads allocate nothing.
 */
public final class Endpoint {

  /** The default weight. */
  public static final int DEFAULT_WEIGHT = 1;

  /** The largest weight: keeps weighted schedules and hash rings (which grow with the weights) bounded. */
  public static final int MAX_WEIGHT = 10_000;

  /** Finagle's default decay time for the peak EWMA. */
  public static final Duration DEFAULT_DECAY_TIME = Duration.ofSeconds(10);

  // Valid estimates are non-negative doubles, whose bit patterns are non-negative longs: -1 cannot be one.
  private static final long NO_SAMPLE = -1L;

  private final String id;
  private final int weight;
  private final Ticker ticker;
  private final Duration decayTime;
  private final double tauNanos;

  private final AtomicInteger outstanding = new AtomicInteger();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicLong estimateBits = new AtomicLong(NO_SAMPLE);
  private final AtomicLong stampNanos;

  /**
   * An endpoint of weight {@value #DEFAULT_WEIGHT} and the default decay time.
   *
   * @throws IllegalArgumentException if {@code id} is empty
   */
  public Endpoint(String id, Ticker ticker) {
    this(id, DEFAULT_WEIGHT, ticker, DEFAULT_DECAY_TIME);
  }

  /**
   * An endpoint of the given weight and the default decay time.
   *
   * @throws IllegalArgumentException if {@code id} is empty or {@code weight} is outside {@code [1, MAX_WEIGHT]}
   */
  public Endpoint(String id, int weight, Ticker ticker) {
    this(id, weight, ticker, DEFAULT_DECAY_TIME);
  }

  /**
   * An endpoint of the given weight whose latency estimate decays with time constant {@code decayTime}.
   *
   * @param ticker the clock for the latency estimate; give it the same ticker as the {@link PeakEwmaSelector}
   * @throws IllegalArgumentException if {@code id} is empty, {@code weight} is outside {@code [1, MAX_WEIGHT]} or
   *     {@code decayTime} is not positive
   */
  public Endpoint(String id, int weight, Ticker ticker, Duration decayTime) {
    if (id.isEmpty()) {
      throw Checks.invalidArgument("id", "\"\"", "a non-empty string");
    }
    this.id = id;
    this.weight = Checks.checkRange("weight", weight, 1, MAX_WEIGHT);
    this.ticker = ticker;
    this.decayTime = Checks.checkPositive("decayTime", decayTime);
    this.tauNanos = (double) Checks.saturatedNanos(decayTime);
    this.stampNanos = new AtomicLong(ticker.nanos());
  }

  /** The id, e.g. {@code "127.0.0.1:50051"}. */
  public String id() {
    return id;
  }

  /** The static weight, in {@code [1, MAX_WEIGHT]}. */
  public int weight() {
    return weight;
  }

  /** The time constant of the latency estimate. */
  public Duration decayTime() {
    return decayTime;
  }

  /** Calls started here and not yet completed. */
  public int outstanding() {
    return outstanding.get();
  }

  /** Failures since the last success. */
  public int consecutiveFailures() {
    return consecutiveFailures.get();
  }

  /** Whether any call has completed here, so {@link #latencyEstimateNanos()} means something. */
  public boolean hasLatencySample() {
    return estimateBits.get() != NO_SAMPLE;
  }

  /** The peak-EWMA latency estimate as of now, in nanoseconds; {@code 0} before the first sample. */
  public double latencyEstimateNanos() {
    return Math.max(0.0, estimateAt(ticker.nanos()));
  }

  /** Records that a call routed here has started. Pair with exactly one {@link #onComplete}. */
  public void onStart() {
    outstanding.incrementAndGet();
  }

  /**
   * Records that a call started with {@link #onStart} has finished, giving back its outstanding slot.
   *
   * <p>Failed calls count towards {@link #consecutiveFailures()} and feed the latency estimate only when they
   * raise it: a failure is no evidence that the endpoint got faster, and endpoints that fail fast would otherwise
   * look cheap and attract all the traffic.
   *
   * @param latencyNanos how long the call took; negative values count as zero
   * @param success whether the call succeeded
   * @throws IllegalStateException if there is no outstanding call to complete (an unpaired call)
   */
  public void onComplete(long latencyNanos, boolean success) {
    int before = outstanding.getAndUpdate(n -> n > 0 ? n - 1 : 0);
    if (before <= 0) {
      throw new IllegalStateException(
          "onComplete on " + id + " with no outstanding call (expected: one onStart per onComplete)");
    }
    if (success) {
      consecutiveFailures.set(0);
    } else {
      consecutiveFailures.incrementAndGet();
    }
    observe(Math.max(0L, latencyNanos), success);
  }

  /**
   * The estimate decayed to {@code nowNanos}, or a negative value before the first sample. Reads the estimate
   * before the stamp, the reverse of the writer's order, so a racing read sees a stale estimate rather than a new
   * one decayed over an interval it already covers.
   */
  double estimateAt(long nowNanos) {
    long bits = estimateBits.get();
    if (bits == NO_SAMPLE) {
      return -1.0;
    }
    long elapsed = Math.max(0L, nowNanos - stampNanos.get());
    return Double.longBitsToDouble(bits) * Math.exp(-elapsed / tauNanos);
  }

  private void observe(long latencyNanos, boolean success) {
    long now = ticker.nanos();
    // Each completion claims the interval since the previous stamp, so concurrent samples split elapsed time
    // between them instead of counting it twice. The comparison is wrap-safe, as nanoTime readings must be.
    long previous = stampNanos.getAndAccumulate(now, (stamp, t) -> t - stamp > 0 ? t : stamp);
    long elapsed = Math.max(0L, now - previous);
    double keep = Math.exp(-elapsed / tauNanos);
    double sample = (double) latencyNanos;
    while (true) {
      long bits = estimateBits.get();
      double next;
      if (bits == NO_SAMPLE) {
        next = sample;
      } else {
        double current = Double.longBitsToDouble(bits) * keep;
        if (sample >= current) {
          next = sample;
        } else if (success) {
          next = current + sample * (1.0 - keep);
        } else {
          next = current;
        }
      }
      if (estimateBits.compareAndSet(bits, Double.doubleToRawLongBits(next))) {
        return;
      }
    }
  }

  @Override
  public String toString() {
    return "Endpoint{" + id + ", weight=" + weight + ", outstanding=" + outstanding.get() + "}";
  }
}
