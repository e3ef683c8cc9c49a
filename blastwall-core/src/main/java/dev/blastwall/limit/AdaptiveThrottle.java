package dev.blastwall.limit;

import dev.blastwall.failure.OverloadedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Client-side adaptive throttling from the Google SRE book: when the backend accepts too little of what this client
 * sends, the client rejects part of its own requests locally instead of sending them to be refused.
 *
 * <p>Over the last {@code window} (default 2 minutes) it counts {@code requests} (every attempt, including those it
 * rejected itself) and {@code accepts} (attempts the backend accepted: any response other than an overload
 * refusal, errors included). Each new request is rejected locally with probability
 * {@code max(0, (requests - K * accepts) / (requests + 1))}, with {@code K} default 2: the client keeps sending up
 * to K times what the backend accepts, so it still notices quickly when the backend recovers. A smaller {@code K}
 * (1.1) throttles earlier and harder.
 *
 * <pre>{@code
 * if (!throttle.allowRequest(random.nextDouble())) {
 *   throttle.onRequest();                // a locally rejected attempt counts as a request too
 *   throw throttle.rejection();
 * }
 * throttle.onRequest();
 * Response response = backend.call(request);
 * if (!response.isOverloaded()) {
 *   throttle.onAccepted();
 * }
 * }</pre>
 *
 * <p>The window is a ring of {@code slots} buckets (default 24 of 5 s) on the injected {@link Ticker}: a count
 * recorded at time {@code t} is forgotten at the end of the bucket that began at most one window after it, so
 * always within {@code window} of being recorded and never sooner than {@code window - window / slots}.
 *
 * <p>Thread-safe and lock-free: counts are atomic additions; an expired bucket is replaced by compare-and-set.
 * Reading the probability sums the buckets, {@code O(slots)}.
 */
public final class AdaptiveThrottle {

  /** The SRE book's window. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(2);
  /** The default number of buckets the window is divided into. */
  public static final int DEFAULT_SLOTS = 24;
  /** The SRE book's multiplier. */
  public static final double DEFAULT_K = 2.0;

  private final String name;
  private final Ticker ticker;
  private final Duration window;
  private final double k;
  private final int slots;
  private final long slotNanos;
  private final long originNanos;
  private final AtomicReferenceArray<@Nullable Slot> ring;

  private AdaptiveThrottle(Builder builder) {
    this.name = builder.name;
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.window = builder.window;
    this.k = builder.k;
    this.slots = builder.slots;
    this.slotNanos = Checks.saturatedNanos(builder.window) / builder.slots;
    this.originNanos = ticker.nanos();
    this.ring = new AtomicReferenceArray<>(builder.slots);
  }

  /** A builder for a throttle called {@code name} (the service named in its refusals). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The name given to the builder. */
  public String name() {
    return name;
  }

  /** The multiplier {@code K}. */
  public double k() {
    return k;
  }

  /** The window the counts cover. */
  public Duration window() {
    return window;
  }

  /**
   * Decides whether to send a request; records nothing (call {@link #onRequest()} for every attempt, sent or not).
   *
   * @param random a value uniformly drawn from {@code [0, 1)}; injected so tests are deterministic
   * @return {@code false} to reject the request locally, which happens when {@code random} is below the current
   *     rejection probability
   */
  public boolean allowRequest(double random) {
    return random >= rejectionProbability();
  }

  /** Counts an attempt, whether it was sent or rejected locally. */
  public void onRequest() {
    record(/* accepted= */ false);
  }

  /** Counts an accepted attempt: the backend answered with anything but an overload refusal. */
  public void onAccepted() {
    record(/* accepted= */ true);
  }

  /** {@code max(0, (requests - K * accepts) / (requests + 1))} over the window. */
  public double rejectionProbability() {
    Snapshot snapshot = snapshot();
    return snapshot.rejectionProbability();
  }

  /** The counts over the window and the rejection probability they give. */
  public Snapshot snapshot() {
    long epoch = epochNow();
    long requests = 0;
    long accepts = 0;
    for (int i = 0; i < slots; i++) {
      Slot slot = ring.get(i);
      if (slot != null && epoch - slot.epoch >= 0 && epoch - slot.epoch < slots) {
        requests += slot.requests;
        accepts += slot.accepts;
      }
    }
    double p = Math.max(0.0, (requests - k * accepts) / (requests + 1));
    return new Snapshot(requests, accepts, p);
  }

  /**
   * The refusal for a request rejected locally: policy {@code client-throttle}, reason {@code throttled}, detail
   * like {@code "rejected locally (p=0.66): 300 requests, 50 accepted in the last PT2M"}.
   */
  public OverloadedException rejection() {
    Snapshot snapshot = snapshot();
    String detail = String.format(Locale.ROOT, "rejected locally (p=%.2f): %d requests, %d accepted in the last %s",
        snapshot.rejectionProbability(), snapshot.requests(), snapshot.accepts(), window);
    return new OverloadedException(name, "client-throttle", detail, -1, "throttled");
  }

  @Override
  public String toString() {
    return "AdaptiveThrottle[" + name + ", K=" + k + ", window=" + window + ", " + snapshot() + "]";
  }

  /**
   * The counts over the window.
   *
   * @param requests attempts, sent or rejected locally
   * @param accepts attempts the backend accepted
   * @param rejectionProbability the probability a new request is rejected locally
   */
  public record Snapshot(long requests, long accepts, double rejectionProbability) {}

  private long epochNow() {
    // Measured from construction, so a ticker that wraps around still gives increasing epochs.
    return (ticker.nanos() - originNanos) / slotNanos;
  }

  private void record(boolean accepted) {
    long epoch = epochNow();
    int index = (int) Math.floorMod(epoch, (long) slots);
    while (true) {
      Slot slot = ring.get(index);
      if (slot != null && slot.epoch == epoch) {
        slot.add(accepted);
        return;
      }
      if (slot != null && slot.epoch - epoch > 0) {
        return; // this thread's reading is a whole window old: the count belongs to time already forgotten
      }
      Slot fresh = new Slot(epoch);
      if (ring.compareAndSet(index, slot, fresh)) {
        fresh.add(accepted);
        return;
      }
    }
  }

  /** One bucket: its epoch never changes, so an expired bucket is replaced rather than reset. */
  private static final class Slot {
    private static final VarHandle REQUESTS;
    private static final VarHandle ACCEPTS;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        REQUESTS = lookup.findVarHandle(Slot.class, "requests", long.class);
        ACCEPTS = lookup.findVarHandle(Slot.class, "accepts", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final long epoch;
    volatile long requests;
    volatile long accepts;

    Slot(long epoch) {
      this.epoch = epoch;
    }

    void add(boolean accepted) {
      VarHandle counter = accepted ? ACCEPTS : REQUESTS;
      counter.getAndAdd(this, 1L);
    }
  }

  /** Configures an {@link AdaptiveThrottle}. Not thread-safe; each option may be set once. */
  public static final class Builder {
    private final String name;
    private Duration window = DEFAULT_WINDOW;
    private int slots = DEFAULT_SLOTS;
    private double k = DEFAULT_K;
    private @Nullable Ticker ticker;
    private boolean windowSet;
    private boolean slotsSet;
    private boolean kSet;

    private Builder(String name) {
      if (name.isBlank()) {
        throw Checks.invalidArgument("name", "\"" + name + "\"", "a non-blank name");
      }
      this.name = name;
    }

    /** The span the counts cover; default 2 minutes. */
    public Builder window(Duration value) {
      Checks.checkNotSet("window", windowSet);
      windowSet = true;
      window = Checks.checkRange("window", value, Duration.ofMillis(1), Duration.ofDays(1));
      return this;
    }

    /** How many buckets the window is divided into, in [1, 1000]; default 24. */
    public Builder slots(int value) {
      Checks.checkNotSet("slots", slotsSet);
      slotsSet = true;
      slots = Checks.checkRange("slots", value, 1, 1000);
      return this;
    }

    /** The multiplier {@code K}: the client sends up to K times what the backend accepts. At least 1; default 2. */
    public Builder k(double value) {
      Checks.checkNotSet("k", kSet);
      kSet = true;
      if (!(value >= 1.0 && value <= 1000.0)) {
        throw Checks.invalidArgument("k", value, "1 <= k <= 1000");
      }
      k = value;
      return this;
    }

    /** The time source for the window; default {@link Ticker#system()}. */
    public Builder ticker(Ticker value) {
      Checks.checkNotSet("ticker", ticker != null);
      ticker = value;
      return this;
    }

    /** A new throttle with empty counts. */
    public AdaptiveThrottle build() {
      return new AdaptiveThrottle(this);
    }
  }
}
