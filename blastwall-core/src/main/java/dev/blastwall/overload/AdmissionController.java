package dev.blastwall.overload;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.OncePermit;
import dev.blastwall.server.Admission;
import dev.blastwall.server.Permit;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Admits or sheds requests by {@link Criticality} in front of a handler that can hold {@code capacity} requests at
 * once (running, or queued in front of its workers).
 *
 * <p>Capacity is reserved per class: {@code reserve(CRITICAL_PLUS, 0.2)} keeps 20% of the slots for
 * CRITICAL_PLUS alone. A request of class {@code c} is admitted only while
 * {@code inFlight < capacity - (slots reserved for the classes above c)}, so as load rises SHEDDABLE is shed first
 * and CRITICAL_PLUS last, and no amount of lower-class traffic can take the slots held for a higher class. Health
 * checks are never shed: {@link #admitHealthCheck()} always admits, so a load balancer does not mistake a busy
 * server for a dead one and move its load onto the others.
 *
 * <pre>{@code
 * AdmissionController admission = AdmissionController.builder("orders", 100)
 *     .reserve(Criticality.CRITICAL_PLUS, 0.2).reserve(Criticality.CRITICAL, 0.3).build();
 * Criticality criticality = CallContext.current().criticality();
 * if (!admission.tryAdmit(criticality)) {
 *   throw admission.rejection(criticality);   // RESOURCE_EXHAUSTED / 503 with the retry-after hint
 * }
 * long start = ticker.nanos();
 * try {
 *   return handler.handle(request);
 * } finally {
 *   admission.release(ticker.nanos() - start);
 * }
 * }</pre>
 *
 * <p>The protocol is a boolean and a release rather than a handle object so admitting allocates nothing: every
 * successful {@link #tryAdmit} and every {@link #admitHealthCheck()} must be followed by exactly one
 * {@link #release()} or {@link #release(long)}, whatever the outcome. As an {@link Admission} (for a
 * {@code ServerCallGuard}) it admits by the context's criticality and hands out a {@link Permit} that releases
 * once, timed on the builder's {@link Builder#ticker ticker}.
 *
 * <p>Thread-safe and lock-free: the in-flight count moves by compare-and-set, the counters are {@link LongAdder}s.
 */
public final class AdmissionController implements Admission {

  /** The default floor of the retry-after hint. */
  public static final Duration DEFAULT_MIN_RETRY_AFTER = Duration.ofMillis(10);

  private static final Criticality[] BY_RANK = byRank();
  private static final Criticality LOWEST = BY_RANK[BY_RANK.length - 1];

  private final String name;
  private final int capacity;
  private final long minRetryAfterNanos;
  private final Ticker ticker;
  // Indexed by Criticality.rank().
  private final int[] reservedSlots;
  private final int[] limits;
  private final LongAdder[] admitted;
  private final LongAdder[] shed;

  // Requests admitted and not yet released, health checks included. Above capacity only by health checks.
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder healthChecks = new LongAdder();
  private final RecentMean held = new RecentMean();

  private AdmissionController(Builder builder) {
    this.name = builder.name;
    this.capacity = builder.capacity;
    this.minRetryAfterNanos = Checks.saturatedNanos(builder.minRetryAfter);
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.reservedSlots = builder.reservedSlots.clone();
    this.limits = new int[BY_RANK.length];
    this.admitted = new LongAdder[BY_RANK.length];
    this.shed = new LongAdder[BY_RANK.length];
    int reservedAbove = 0;
    for (int rank = 0; rank < BY_RANK.length; rank++) {
      limits[rank] = capacity - reservedAbove;
      reservedAbove += reservedSlots[rank];
      admitted[rank] = new LongAdder();
      shed[rank] = new LongAdder();
    }
  }

  /**
   * A builder for a controller called {@code name} in front of a handler that holds at most {@code capacity}
   * requests at once.
   *
   * @throws IllegalArgumentException if {@code name} is blank or {@code capacity} is below 1
   */
  public static Builder builder(String name, int capacity) {
    return new Builder(name, capacity);
  }

  /** The name given to the builder; rejections carry it as their service. */
  public String name() {
    return name;
  }

  /** The most requests in flight at once, health checks aside. */
  public int capacity() {
    return capacity;
  }

  /** The slots held back for {@code criticality} from every class below it. */
  public int reserved(Criticality criticality) {
    return reservedSlots[criticality.rank()];
  }

  /** The in-flight count below which a request of {@code criticality} is admitted. */
  public int limit(Criticality criticality) {
    return limits[criticality.rank()];
  }

  /** Requests admitted and not yet released, health checks included. */
  public int inFlight() {
    return inFlight.get();
  }

  // --- admitting ----------------------------------------------------------------------------------------------

  /**
   * Admits a request of {@code criticality} if the in-flight count is below that class's limit. Allocates nothing.
   *
   * @return whether it was admitted; if so, one {@link #release} must follow
   */
  public boolean tryAdmit(Criticality criticality) {
    int rank = criticality.rank();
    int limit = limits[rank];
    int current = inFlight.get();
    while (current < limit) {
      int witness = inFlight.compareAndExchange(current, current + 1);
      if (witness == current) {
        admitted[rank].increment();
        return true;
      }
      current = witness;
    }
    shed[rank].increment();
    return false;
  }

  /**
   * {@link #tryAdmit(Criticality)} for the context's criticality.
   *
   * @return a permit that releases the slot once, with the time it was held; {@code null} if shed
   */
  @Override
  public @Nullable Permit tryAdmit(CallContext context) {
    return tryAdmit(context.criticality()) ? new HeldSlot(ticker.nanos()) : null;
  }

  /**
   * Admits a health check, always, even beyond capacity: shedding it would tell the load balancer this server is
   * dead and send its load to the others, which are just as busy. It counts as in flight, since it does occupy the
   * handler, so one {@link #release} must follow.
   */
  public void admitHealthCheck() {
    inFlight.incrementAndGet();
    healthChecks.increment();
  }

  /**
   * Gives back the slot of an admitted request without a timing sample (for callers that do not time requests).
   *
   * @throws IllegalStateException if nothing is in flight; the count is left unchanged
   */
  public void release() {
    int current = inFlight.get();
    while (true) {
      if (current <= 0) {
        throw new IllegalStateException(name + ": release() with nothing in flight (expected: one release per "
            + "admission)");
      }
      int witness = inFlight.compareAndExchange(current, current - 1);
      if (witness == current) {
        return;
      }
      current = witness;
    }
  }

  /**
   * Gives back the slot of an admitted request that held it for {@code heldNanos} (queued and running); the
   * recent average of these times is the retry-after hint of {@link #rejection}.
   *
   * @throws IllegalStateException if nothing is in flight; the count is left unchanged
   */
  public void release(long heldNanos) {
    release();
    held.add(heldNanos);
  }

  // --- refusing -----------------------------------------------------------------------------------------------

  /**
   * The exception for a request of {@code criticality} that {@link #tryAdmit} refused, with policy
   * {@code admission}, reason {@code shed}, the {@link #retryAfterNanos() retry-after hint}, and a detail like
   * {@code "SHEDDABLE shed: 80 of 100 in flight (50 reserved above)"} read now.
   */
  public OverloadedException rejection(Criticality criticality) {
    int rank = criticality.rank();
    String detail = criticality + " shed: " + inFlight.get() + " of " + capacity + " in flight ("
        + (capacity - limits[rank]) + " reserved above)";
    return new OverloadedException(name, "admission", detail, retryAfterNanos(), "shed");
  }

  /**
   * When a shed request may try again: the recent average time a request holds its slot, at least the configured
   * minimum. Within one such time most of what is in flight now has finished; sooner, a retry would most likely
   * find the same requests in flight and be shed again.
   */
  public long retryAfterNanos() {
    return Math.max(minRetryAfterNanos, held.nanosOr(0));
  }

  /** {@link #rejection(Criticality)} for the context's criticality. */
  @Override
  public OverloadedException rejection(CallContext context) {
    return rejection(context.criticality());
  }

  // --- diagnostics --------------------------------------------------------------------------------------------

  /** The current counts; each is read separately, so under load they may be a moment apart. */
  public Snapshot snapshot() {
    List<ClassCounts> classes = new ArrayList<>(BY_RANK.length);
    for (int rank = 0; rank < BY_RANK.length; rank++) {
      classes.add(new ClassCounts(BY_RANK[rank], reservedSlots[rank], limits[rank], admitted[rank].sum(),
          shed[rank].sum()));
    }
    return new Snapshot(capacity, inFlight.get(), healthChecks.sum(), held.nanos(), classes);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("AdmissionController[").append(name).append(", capacity=")
        .append(capacity).append(", inFlight=").append(inFlight.get()).append(", limits={");
    for (int rank = 0; rank < BY_RANK.length; rank++) {
      text.append(rank == 0 ? "" : ", ").append(BY_RANK[rank]).append('=').append(limits[rank]);
    }
    return text.append("}]").toString();
  }

  /**
   * One criticality's configuration and counts.
   *
   * @param criticality the class
   * @param reserved slots held back for this class from every class below it
   * @param limit the in-flight count below which this class is admitted
   * @param admitted requests of this class admitted since the controller was built
   * @param shed requests of this class refused since the controller was built
   */
  public record ClassCounts(Criticality criticality, int reserved, int limit, long admitted, long shed) {}

  /**
   * A controller's counts at one moment.
   *
   * @param capacity the most requests in flight at once, health checks aside
   * @param inFlight requests admitted and not yet released, health checks included
   * @param healthChecks health checks admitted since the controller was built
   * @param meanHeldNanos the recent average time a request held its slot, or -1 before the first timed release
   * @param classes one entry per criticality, most important first
   */
  public record Snapshot(int capacity, int inFlight, long healthChecks, long meanHeldNanos,
      List<ClassCounts> classes) {

    /** Copies {@code classes}, so the snapshot stays as it was taken. */
    public Snapshot {
      classes = List.copyOf(classes);
    }

    /** The entry for {@code criticality}. */
    public ClassCounts of(Criticality criticality) {
      return classes.get(criticality.rank());
    }
  }

  /** The permit of {@link #tryAdmit(CallContext)}: its slot goes back once, with the time it was held. */
  private final class HeldSlot extends OncePermit {
    private final long admittedNanos;

    HeldSlot(long admittedNanos) {
      this.admittedNanos = admittedNanos;
    }

    @Override
    protected void release(boolean sample, boolean dropped) {
      AdmissionController.this.release(ticker.nanos() - admittedNanos);
    }
  }

  private static Criticality[] byRank() {
    Criticality[] ranked = new Criticality[Criticality.values().length];
    for (Criticality criticality : Criticality.values()) {
      ranked[criticality.rank()] = criticality;
    }
    return ranked;
  }

  /**
   * Builds an {@link AdmissionController}; each option may be set once (a reservation once per class). Not
   * thread-safe: build on one thread, then share the controller, which is.
   */
  public static final class Builder {
    private final String name;
    private final int capacity;
    private final int[] reservedSlots = new int[BY_RANK.length];
    private final boolean[] reservedSet = new boolean[BY_RANK.length];
    private Duration minRetryAfter = DEFAULT_MIN_RETRY_AFTER;
    private boolean minRetryAfterSet;
    private @Nullable Ticker ticker;

    private Builder(String name, int capacity) {
      if (name.isBlank()) {
        throw Checks.invalidArgument("name", '"' + name + '"', "a non-blank name");
      }
      this.name = name;
      this.capacity = Checks.checkRange("capacity", capacity, 1, Integer.MAX_VALUE);
    }

    /**
     * Holds {@code fraction} of the capacity, rounded to the nearest whole slot, for {@code criticality}: no class
     * below it may use those slots. A class is admitted up to the capacity minus what is reserved for the classes
     * above it, so the reservation also protects every class above this one.
     *
     * @param fraction the share of the capacity, {@code 0 < fraction < 1}, at least one whole slot
     * @throws IllegalArgumentException if {@code criticality} is the lowest class (nothing below it to hold back
     *     from) or {@code fraction} is out of range
     * @throws IllegalStateException if {@code criticality} already has a reservation
     */
    public Builder reserve(Criticality criticality, double fraction) {
      String option = "reserve(" + criticality + ")";
      Checks.checkNotSet(option, reservedSet[criticality.rank()]);
      if (criticality == LOWEST) {
        throw Checks.invalidArgument("criticality", criticality,
            "a class above " + LOWEST + ", the lowest, which has no class below it to hold slots back from");
      }
      if (!(fraction > 0 && fraction < 1)) {
        throw Checks.invalidArgument(option, fraction, "0 < fraction < 1");
      }
      long slots = Math.round(capacity * fraction);
      if (slots < 1) {
        throw Checks.invalidArgument(option, fraction, "at least one whole slot of capacity " + capacity);
      }
      reservedSlots[criticality.rank()] = (int) slots;
      reservedSet[criticality.rank()] = true;
      return this;
    }

    /** The floor of the retry-after hint, for when requests are fast or not timed; default 10 ms. */
    public Builder minRetryAfter(Duration newMinRetryAfter) {
      Checks.checkNotSet("minRetryAfter", minRetryAfterSet);
      this.minRetryAfter = Checks.checkNotNegative("minRetryAfter", newMinRetryAfter);
      minRetryAfterSet = true;
      return this;
    }

    /**
     * The time source that times the permits of {@link AdmissionController#tryAdmit(CallContext)}; default
     * {@link Ticker#system()}.
     */
    public Builder ticker(Ticker value) {
      Checks.checkNotSet("ticker", ticker != null);
      ticker = value;
      return this;
    }

    /**
     * The controller.
     *
     * @throws IllegalArgumentException if the reservations leave the lowest class no slot at all: it could never
     *     be admitted, which is a misconfiguration, not a policy
     */
    public AdmissionController build() {
      long total = 0;
      for (int slots : reservedSlots) {
        total += slots;
      }
      if (total >= capacity) {
        throw Checks.invalidArgument("reserved", total,
            "< capacity " + capacity + ", so " + LOWEST + " keeps at least one slot");
      }
      return new AdmissionController(this);
    }
  }
}
