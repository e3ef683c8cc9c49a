package dev.blastwall.limit;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.RandomSource;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's adaptive-concurrency gradient controller: the limit follows the ratio of the ideal rtt to the measured
 * one.
 *
 * <p><b>minRTT.</b> The limit is pinned to {@code minConcurrency} (default 3) while {@code minRttSamples} (default
 * 50) requests run under that low load; their {@code percentile} (default p50) is the minRTT. This happens first,
 * then again every {@code minRttInterval} (default 60 s) plus a random delay of up to {@code minRttJitter} of the
 * interval (default 15%, drawn from the injected {@link RandomSource}) so that a fleet does not probe all at once,
 * and also after the limit sat at {@code minConcurrency} for 5 windows in a row, since then it cannot measure
 * anything new. Afterwards the limit returns to where it was.
 *
 * <p><b>Updates.</b> Every {@code sampleWindow} requests (default 50), with {@code sampleRTT} the window's
 * percentile:
 *
 * <pre>
 * gradient = clamp((minRTT + buffer * minRTT) / sampleRTT, 0.5, 2.0)     buffer default 0.25
 * target   = gradient * limit + sqrt(gradient * limit)                   the square root is burst headroom
 * limit    = clamp(limit + smoothing * (target - limit), minConcurrency, maxLimit)
 * </pre>
 *
 * <p>With the default {@code smoothing} of 1 this is exactly Envoy's update. Behind a steep latency knee (latency
 * rising faster than the queue, as when an overloaded server thrashes) the undamped update overshoots both ways and
 * can oscillate; a smoothing of 0.5 damps it without moving where the limit settles.
 *
 * <p>Windows are made only of requests admitted after the previous update, so each one measures the current limit;
 * a dropped request counts as slower than any reply, so a window of mostly drops takes the minimum gradient
 * instead of reading fast refusals as good latency. All timing comes from the samples' timestamps.
 *
 * <p>Thread-safe and lock-free: each sample takes a slot in the current window with an atomic ticket; the thread
 * that writes the window's last slot computes the next phase from it and installs it by compare-and-set. Samples
 * arriving while a full window is being closed are not counted (nor are any in a window replaced by a minRTT
 * measurement that came due), as they would have been with Envoy's timed windows.
 */
public final class GradientLimit implements Limit {

  /** The default limit to return to after the first minRTT measurement. */
  public static final int DEFAULT_INITIAL_LIMIT = 20;
  /** Envoy's default floor, also the concurrency minRTT is measured at. */
  public static final int DEFAULT_MIN_CONCURRENCY = 3;
  /** Envoy's default ceiling. */
  public static final int DEFAULT_MAX_LIMIT = 1000;
  /** Envoy's default buffer: sample rtts up to 25% above minRTT still let the limit grow. */
  public static final double DEFAULT_BUFFER = 0.25;
  /** Envoy's default summary of a window: the median. */
  public static final double DEFAULT_PERCENTILE = 0.5;
  /** The default number of requests per update window. */
  public static final int DEFAULT_SAMPLE_WINDOW = 50;
  /** Envoy's default number of requests a minRTT measurement aggregates. */
  public static final int DEFAULT_MIN_RTT_SAMPLES = 50;
  /** The default time between minRTT measurements, before jitter. */
  public static final Duration DEFAULT_MIN_RTT_INTERVAL = Duration.ofSeconds(60);
  /** The default jitter: up to 15% of the interval is added to each wait for the next minRTT measurement. */
  public static final double DEFAULT_MIN_RTT_JITTER = 0.15;

  /** Envoy re-measures minRTT once the limit sat at its floor for this many windows in a row. */
  static final int WINDOWS_AT_FLOOR_BEFORE_REMEASURE = 5;

  private static final double MIN_GRADIENT = 0.5;
  private static final double MAX_GRADIENT = 2.0;
  /** A dropped request, ranked above every real rtt. */
  private static final long DROPPED = Long.MAX_VALUE;

  private final int minConcurrency;
  private final int maxLimit;
  private final double buffer;
  private final double percentile;
  private final int sampleWindow;
  private final int minRttSamples;
  private final long minRttIntervalNanos;
  private final double minRttJitter;
  private final double smoothing;
  private final RandomSource random;

  private final AtomicReference<Phase> phase;

  /** A window of samples: slots are claimed by ticket, and the thread that fills the last one closes it. */
  private static final class Window {
    /** Whether samples admitted before {@link #startNanos} are ignored: all but the very first window. */
    final boolean bounded;
    final long startNanos;
    final AtomicLongArray rtts;
    final AtomicInteger tickets = new AtomicInteger();
    final AtomicInteger written = new AtomicInteger();

    Window(boolean bounded, long startNanos, int size) {
      this.bounded = bounded;
      this.startNanos = startNanos;
      this.rtts = new AtomicLongArray(size);
    }
  }

  /** The limit's state between two windows; replaced as a whole. */
  private record Phase(boolean measuring, long minRttNanos, double estimate, long nextMeasurementNanos,
      int windowsAtFloor, Window window) {}

  private GradientLimit(Builder builder) {
    this.minConcurrency = builder.minConcurrency;
    this.maxLimit = builder.maxLimit;
    this.buffer = builder.buffer;
    this.percentile = builder.percentile;
    this.sampleWindow = builder.sampleWindow;
    this.minRttSamples = builder.minRttSamples;
    this.minRttIntervalNanos = Checks.saturatedNanos(builder.minRttInterval);
    this.minRttJitter = builder.minRttJitter;
    this.smoothing = builder.smoothing;
    this.random = builder.random != null ? builder.random : RandomSource.threadLocal();
    // Like Envoy, it starts by measuring minRTT, at the floor.
    this.phase = new AtomicReference<>(new Phase(true, -1, builder.initialLimit, 0, 0,
        new Window(/* bounded= */ false, 0, minRttSamples)));
  }

  /** A builder with Envoy's defaults (see the class documentation). */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int limit() {
    return limitOf(phase.get());
  }

  private int limitOf(Phase current) {
    return current.measuring() ? minConcurrency : (int) current.estimate();
  }

  /** The last measured minRTT in nanoseconds, or -1 before the first measurement ends. */
  long minRttNanos() {
    return phase.get().minRttNanos();
  }

  /** Whether minRTT is being measured (the limit is pinned to the floor). */
  boolean isMeasuringMinRtt() {
    return phase.get().measuring();
  }

  @Override
  public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
    long rtt = Math.max(1, rttNanos);
    long endNanos = startNanos + rtt;
    Phase current = phase.get();
    Window window = current.window();
    if (window.bounded && startNanos - window.startNanos < 0) {
      return limitOf(current); // admitted under an earlier limit (or before a minRTT measurement began)
    }
    if (!current.measuring() && endNanos - current.nextMeasurementNanos() >= 0) {
      // Losing this race means another sample moved the phase on already; either way, read what is there now.
      phase.compareAndSet(current, measuring(current, endNanos));
      return limit();
    }
    int slot = window.tickets.getAndIncrement();
    if (slot >= window.rtts.length()) {
      return limitOf(current); // the window is full and being closed
    }
    window.rtts.set(slot, dropped ? DROPPED : rtt);
    if (window.written.incrementAndGet() < window.rtts.length()) {
      return limitOf(current);
    }
    // This thread wrote the last slot, so it alone closes the window. The compare-and-set fails only if a due
    // minRTT measurement replaced the phase meanwhile; that choice stands.
    Phase next = current.measuring() ? afterMeasuring(current, endNanos) : afterWindow(current, endNanos);
    phase.compareAndSet(current, next);
    return limit();
  }

  private Phase afterWindow(Phase current, long endNanos) {
    long sampleRtt = percentileOf(current.window());
    double gradient = sampleRtt == DROPPED ? MIN_GRADIENT
        : Math.max(MIN_GRADIENT, Math.min(MAX_GRADIENT, current.minRttNanos() * (1 + buffer) / sampleRtt));
    double estimate = current.estimate();
    double scaled = gradient * estimate;
    double target = scaled + Math.sqrt(scaled);
    double next = Math.max(minConcurrency, Math.min(maxLimit, estimate + smoothing * (target - estimate)));
    int windowsAtFloor = (int) next <= minConcurrency ? current.windowsAtFloor() + 1 : 0;
    Phase updated = new Phase(false, current.minRttNanos(), next, current.nextMeasurementNanos(), windowsAtFloor,
        new Window(true, endNanos, sampleWindow));
    return windowsAtFloor >= WINDOWS_AT_FLOOR_BEFORE_REMEASURE ? measuring(updated, endNanos) : updated;
  }

  private Phase measuring(Phase current, long nowNanos) {
    return new Phase(true, current.minRttNanos(), current.estimate(), current.nextMeasurementNanos(), 0,
        new Window(true, nowNanos, minRttSamples));
  }

  private Phase afterMeasuring(Phase current, long endNanos) {
    long measured = percentileOf(current.window());
    if (measured == DROPPED) {
      return measuring(current, endNanos); // mostly drops, even at the floor: no latency to learn yet, so again
    }
    long jitter = (long) (random.nextDouble() * minRttJitter * minRttIntervalNanos);
    return new Phase(false, measured, current.estimate(), endNanos + minRttIntervalNanos + jitter, 0,
        new Window(true, endNanos, sampleWindow));
  }

  /** The configured percentile of a full window (nearest rank). */
  private long percentileOf(Window window) {
    long[] rtts = new long[window.rtts.length()];
    for (int i = 0; i < rtts.length; i++) {
      rtts[i] = window.rtts.get(i);
    }
    Arrays.sort(rtts);
    int rank = (int) Math.ceil(percentile * rtts.length);
    return rtts[Math.max(0, Math.min(rtts.length, rank) - 1)];
  }

  @Override
  public String toString() {
    Phase current = phase.get();
    return "GradientLimit[limit=" + limitOf(current) + ", minRtt=" + current.minRttNanos() + " ns, measuringMinRtt="
        + current.measuring() + "]";
  }

  /** Configures a {@link GradientLimit}. Not thread-safe; each option may be set once. */
  public static final class Builder {
    private int initialLimit = DEFAULT_INITIAL_LIMIT;
    private int minConcurrency = DEFAULT_MIN_CONCURRENCY;
    private int maxLimit = DEFAULT_MAX_LIMIT;
    private double buffer = DEFAULT_BUFFER;
    private double percentile = DEFAULT_PERCENTILE;
    private int sampleWindow = DEFAULT_SAMPLE_WINDOW;
    private int minRttSamples = DEFAULT_MIN_RTT_SAMPLES;
    private Duration minRttInterval = DEFAULT_MIN_RTT_INTERVAL;
    private double minRttJitter = DEFAULT_MIN_RTT_JITTER;
    private double smoothing = 1.0;
    private @Nullable RandomSource random;
    private boolean initialSet;
    private boolean minSet;
    private boolean maxSet;
    private boolean bufferSet;
    private boolean percentileSet;
    private boolean windowSet;
    private boolean minRttSamplesSet;
    private boolean intervalSet;
    private boolean jitterSet;
    private boolean smoothingSet;

    private Builder() {}

    /** The limit to return to after the first minRTT measurement; default 20. */
    public Builder initialLimit(int value) {
      Checks.checkNotSet("initialLimit", initialSet);
      initialSet = true;
      initialLimit = Checks.checkRange("initialLimit", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /** The floor, and the concurrency minRTT is measured at; default 3. */
    public Builder minConcurrency(int value) {
      Checks.checkNotSet("minConcurrency", minSet);
      minSet = true;
      minConcurrency = Checks.checkRange("minConcurrency", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /** The ceiling; default 1000. */
    public Builder maxLimit(int value) {
      Checks.checkNotSet("maxLimit", maxSet);
      maxSet = true;
      maxLimit = Checks.checkRange("maxLimit", value, 1, Integer.MAX_VALUE);
      return this;
    }

    /** How far above minRTT the sample rtt may be, as a fraction of minRTT, before the limit shrinks; default 0.25. */
    public Builder buffer(double value) {
      Checks.checkNotSet("buffer", bufferSet);
      bufferSet = true;
      buffer = Checks.checkRange("buffer", value, 0.0, 10.0);
      return this;
    }

    /** The percentile, in (0, 1], that summarises a window and a minRTT measurement; default 0.5. */
    public Builder percentile(double value) {
      Checks.checkNotSet("percentile", percentileSet);
      percentileSet = true;
      if (!(value > 0.0 && value <= 1.0)) {
        throw Checks.invalidArgument("percentile", value, "0 < percentile <= 1");
      }
      percentile = value;
      return this;
    }

    /** Requests per update window; default 50. */
    public Builder sampleWindow(int value) {
      Checks.checkNotSet("sampleWindow", windowSet);
      windowSet = true;
      sampleWindow = Checks.checkRange("sampleWindow", value, 1, 100_000);
      return this;
    }

    /** Requests a minRTT measurement aggregates; default 50. */
    public Builder minRttSamples(int value) {
      Checks.checkNotSet("minRttSamples", minRttSamplesSet);
      minRttSamplesSet = true;
      minRttSamples = Checks.checkRange("minRttSamples", value, 1, 100_000);
      return this;
    }

    /** Time between minRTT measurements, before jitter; default 60 s. */
    public Builder minRttInterval(Duration value) {
      Checks.checkNotSet("minRttInterval", intervalSet);
      intervalSet = true;
      minRttInterval = Checks.checkPositive("minRttInterval", value);
      return this;
    }

    /** Up to this fraction of the interval, in [0, 1], is randomly added to each wait; default 0.15. */
    public Builder minRttJitter(double value) {
      Checks.checkNotSet("minRttJitter", jitterSet);
      jitterSet = true;
      minRttJitter = Checks.checkRange("minRttJitter", value, 0.0, 1.0);
      return this;
    }

    /** The fraction, in (0, 1], of each computed change that is applied; default 1 (Envoy's undamped update). */
    public Builder smoothing(double value) {
      Checks.checkNotSet("smoothing", smoothingSet);
      smoothingSet = true;
      if (!(value > 0.0 && value <= 1.0)) {
        throw Checks.invalidArgument("smoothing", value, "0 < smoothing <= 1");
      }
      smoothing = value;
      return this;
    }

    /** The randomness for the minRTT jitter; default {@link RandomSource#threadLocal()}. */
    public Builder random(RandomSource value) {
      Checks.checkNotSet("random", random != null);
      random = value;
      return this;
    }

    /**
     * A new limit, starting with a minRTT measurement.
     *
     * @throws IllegalArgumentException if {@code minConcurrency > maxLimit} or the initial limit lies outside them
     */
    public GradientLimit build() {
      LimitRange.check("minConcurrency", minConcurrency, maxLimit, initialLimit);
      return new GradientLimit(this);
    }
  }
}
