package dev.blastwall.lab.load;

import dev.blastwall.context.Criticality;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Cancellable;
import dev.blastwall.time.Scheduler;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.PrimitiveIterator;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An open-loop, asynchronous load generator. A driver task on the injected {@link Scheduler} wakes at each
 * intended send time of the {@link ArrivalSchedule} and calls the user function, never waiting for earlier
 * responses (open loop: a stalled server does not slow the offered load). Each request's latency runs from its
 * <em>intended</em> start to its completion, so time a request spent unsent because the generator or the system
 * was behind counts against the system: no coordinated omission.
 *
 * <p>Lateness: when the driver wakes more than the {@linkplain Builder#lateTolerance tolerance} after an arrival's
 * intended time (a GC pause, a busy scheduler, a user function that blocked), that arrival is counted as
 * {@code missed} and not sent, as k6 counts dropped iterations. Sending it late would add a burst the schedule never
 * asked for.
 *
 * <p>Bounds: sending stops at the run duration; in-flight requests then get at most the drain timeout, after which
 * each is recorded as a {@link Outcome.Kind#TIMEOUT} with its latency so far (from its intended start to the end
 * of the drain). Answers arriving later are ignored.
 *
 * <p>The user function should return at once with a pending stage: the driver calls it on the scheduler's thread,
 * and time spent inside it delays the next sends. A function that throws, or a stage that fails, records an
 * {@link Outcome.Kind#ERROR} labelled with the exception's simple class name.
 *
 * <p>Immutable and thread-safe; each {@link #run} is independent. The builder is not thread-safe.
 */
public final class LoadGenerator {

  private final Ticker ticker;
  private final Scheduler scheduler;
  private final ArrivalSchedule schedule;
  private final Duration duration;
  private final Duration drainTimeout;
  private final long lateToleranceNanos;
  private final Duration interval;
  private final Duration slo;
  private final Criticality[] criticalities;
  private final long[] cumulativeWeights;
  private final long seed;

  private LoadGenerator(Builder builder, ArrivalSchedule schedule, Duration duration, Duration slo) {
    this.ticker = builder.ticker;
    this.scheduler = builder.scheduler;
    this.schedule = schedule;
    this.duration = duration;
    this.slo = slo;
    this.drainTimeout = builder.drainTimeout;
    this.lateToleranceNanos = builder.lateTolerance.toNanos();
    this.interval = builder.interval;
    this.seed = builder.seed;
    Map<Criticality, Integer> mix = builder.mix;
    criticalities = new Criticality[mix.size()];
    cumulativeWeights = new long[mix.size()];
    int i = 0;
    long total = 0;
    for (Map.Entry<Criticality, Integer> entry : mix.entrySet()) {
      total += entry.getValue();
      criticalities[i] = entry.getKey();
      cumulativeWeights[i] = total;
      i++;
    }
  }

  /** A builder; schedule, duration and SLO are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a run now: the first arrival of the schedule is due at the current ticker reading plus its offset.
   *
   * @return completes with the report once sending has stopped and every request has ended or the drain expired
   */
  public CompletionStage<Report> run(Function<RequestSpec, CompletionStage<Outcome>> target) {
    Run run = new Run(target);
    run.start();
    return run.result;
  }

  /** One run's state. The driver's own fields are touched only by the driver task, which runs one at a time. */
  private final class Run {
    final Function<RequestSpec, CompletionStage<Outcome>> target;
    final Recorder recorder = new Recorder(duration, interval, slo);
    final CompletableFuture<Report> result = new CompletableFuture<>();
    final ConcurrentHashMap<Long, InFlight> inFlight = new ConcurrentHashMap<>();
    final AtomicBoolean sendingDone = new AtomicBoolean();
    final AtomicBoolean finished = new AtomicBoolean();
    final AtomicReference<@Nullable Cancellable> drainTask = new AtomicReference<>();
    final PrimitiveIterator.OfLong arrivals = schedule.intendedTimes();
    final SplittableRandom random = new SplittableRandom(seed);
    final long durationNanos = duration.toNanos();
    long startTicker;
    long next;
    boolean hasNext;
    long sequence;

    Run(Function<RequestSpec, CompletionStage<Outcome>> target) {
      this.target = target;
    }

    void start() {
      startTicker = ticker.nanos();
      advance();
      scheduleDriver(0);
    }

    private void advance() {
      hasNext = arrivals.hasNext();
      if (hasNext) {
        next = arrivals.nextLong();
      }
    }

    private void scheduleDriver(long now) {
      if (hasNext && next < durationNanos) {
        scheduler.schedule(this::drive, next - now);
      } else {
        stopSending(now);
      }
    }

    /** Sends (or counts as missed) every arrival due by now, then sleeps until the next one. */
    private void drive() {
      long now = ticker.nanos() - startTicker;
      while (hasNext && next < durationNanos && next <= now) {
        if (now - next > lateToleranceNanos) {
          recorder.missed(next);
        } else {
          send(sequence, next);
        }
        sequence++;
        advance();
      }
      scheduleDriver(now);
    }

    private void send(long seq, long intended) {
      Criticality criticality = drawCriticality();
      InFlight request = new InFlight(intended, criticality);
      inFlight.put(seq, request);
      recorder.sent(intended, criticality);
      RequestSpec spec = new RequestSpec(seq, intended, startTicker + intended, criticality, slo);
      CompletionStage<Outcome> stage;
      try {
        stage = target.apply(spec);
      } catch (RuntimeException e) {
        complete(seq, request, null, e);
        return;
      }
      stage.whenComplete((outcome, failure) -> complete(seq, request, outcome, failure));
    }

    private Criticality drawCriticality() {
      if (criticalities.length == 1) {
        return criticalities[0];
      }
      long draw = random.nextLong(cumulativeWeights[cumulativeWeights.length - 1]);
      for (int i = 0; i < criticalities.length; i++) {
        if (draw < cumulativeWeights[i]) {
          return criticalities[i];
        }
      }
      throw new AssertionError("draw " + draw + " beyond total weight");
    }

    private void complete(long seq, InFlight request, @Nullable Outcome outcome, @Nullable Throwable failure) {
      if (!request.done.compareAndSet(false, true)) {
        return; // already recorded as a drain timeout
      }
      long latency = ticker.nanos() - (startTicker + request.intended);
      Outcome recorded;
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
        recorded = Outcome.error(cause.getClass().getSimpleName());
      } else if (outcome == null) {
        recorded = Outcome.error("NullOutcome");
      } else {
        recorded = outcome;
      }
      recorder.record(request.intended, request.criticality, recorded, latency);
      inFlight.remove(seq);
      maybeFinish();
    }

    private void stopSending(long now) {
      sendingDone.set(true);
      // The drain runs from the end of the run's duration, however early the last arrival came.
      long drainDelay = Math.max(0, durationNanos - now) + drainTimeout.toNanos();
      drainTask.set(scheduler.schedule(this::expireDrain, drainDelay));
      maybeFinish();
    }

    private void expireDrain() {
      long now = ticker.nanos();
      for (Map.Entry<Long, InFlight> entry : inFlight.entrySet()) {
        InFlight request = entry.getValue();
        if (request.done.compareAndSet(false, true)) {
          recorder.record(request.intended, request.criticality, Outcome.timeout(), now - (startTicker + request.intended));
        }
        inFlight.remove(entry.getKey());
      }
      finish();
    }

    private void maybeFinish() {
      if (sendingDone.get() && inFlight.isEmpty()) {
        finish();
      }
    }

    private void finish() {
      if (finished.compareAndSet(false, true)) {
        Cancellable drain = drainTask.get();
        if (drain != null) {
          drain.cancel();
        }
        result.complete(recorder.report());
      }
    }
  }

  /** A sent request not yet recorded; {@code done} decides between its answer and the drain timeout. */
  private static final class InFlight {
    final long intended;
    final Criticality criticality;
    final AtomicBoolean done = new AtomicBoolean();

    InFlight(long intended, Criticality criticality) {
      this.intended = intended;
      this.criticality = criticality;
    }
  }

  /** Builds a {@link LoadGenerator}; not thread-safe. Setting an option twice is an error. */
  public static final class Builder {
    private Ticker ticker = Ticker.system();
    private Scheduler scheduler = Scheduler.system();
    private boolean clockSet;
    private @Nullable ArrivalSchedule schedule;
    private @Nullable Duration duration;
    private @Nullable Duration slo;
    private Duration drainTimeout = Duration.ofSeconds(5);
    private Duration lateTolerance = Duration.ofMillis(10);
    private Duration interval = Duration.ofSeconds(1);
    private Map<Criticality, Integer> mix = Map.of(Criticality.CRITICAL, 1);
    private long seed = 1;
    private boolean drainSet;
    private boolean toleranceSet;
    private boolean intervalSet;
    private boolean mixSet;
    private boolean seedSet;

    private Builder() {}

    /** The time sources (default: the system ones). Tests pass a FakeScheduler and its FakeTicker. */
    public Builder clock(Ticker ticker, Scheduler scheduler) {
      Checks.checkNotSet("clock", clockSet);
      clockSet = true;
      this.ticker = ticker;
      this.scheduler = scheduler;
      return this;
    }

    /** When to send. Required. */
    public Builder schedule(ArrivalSchedule schedule) {
      Checks.checkNotSet("schedule", this.schedule != null);
      this.schedule = schedule;
      return this;
    }

    /** How long to send for. Required, positive. */
    public Builder duration(Duration duration) {
      Checks.checkNotSet("duration", this.duration != null);
      this.duration = Checks.checkPositive("duration", duration);
      return this;
    }

    /** The user's latency objective, handed to each request and used for goodput. Required, positive. */
    public Builder slo(Duration slo) {
      Checks.checkNotSet("slo", this.slo != null);
      this.slo = Checks.checkPositive("slo", slo);
      return this;
    }

    /** How long in-flight requests may take after the run ends before they count as timeouts (default 5 s). */
    public Builder drainTimeout(Duration drainTimeout) {
      Checks.checkNotSet("drainTimeout", drainSet);
      drainSet = true;
      this.drainTimeout = Checks.checkNotNegative("drainTimeout", drainTimeout);
      return this;
    }

    /** How late a send may be before it is counted as missed instead of sent (default 10 ms). */
    public Builder lateTolerance(Duration lateTolerance) {
      Checks.checkNotSet("lateTolerance", toleranceSet);
      toleranceSet = true;
      this.lateTolerance = Checks.checkNotNegative("lateTolerance", lateTolerance);
      return this;
    }

    /** The length of one reporting interval (default 1 s). */
    public Builder interval(Duration interval) {
      Checks.checkNotSet("interval", intervalSet);
      intervalSet = true;
      this.interval = Checks.checkPositive("interval", interval);
      return this;
    }

    /**
     * Relative weights of the criticalities to draw (e.g. CRITICAL_PLUS 20, CRITICAL 50, SHEDDABLE 30). Default:
     * every request CRITICAL.
     *
     * @throws IllegalArgumentException if a weight is negative or all are zero
     */
    public Builder criticalityMix(Map<Criticality, Integer> weights) {
      Checks.checkNotSet("criticalityMix", mixSet);
      Map<Criticality, Integer> copy = new EnumMap<>(Criticality.class);
      long total = 0;
      for (Map.Entry<Criticality, Integer> entry : weights.entrySet()) {
        int weight = entry.getValue();
        if (weight < 0) {
          throw new IllegalArgumentException(
              "weights: " + weights + " (expected: no negative weight, " + entry.getKey() + " has " + weight + ")");
        }
        if (weight > 0) {
          copy.put(entry.getKey(), weight);
          total += weight;
        }
      }
      if (total == 0) {
        throw new IllegalArgumentException("weights: " + weights + " (expected: a positive total)");
      }
      mixSet = true;
      this.mix = copy;
      return this;
    }

    /** The seed for drawing criticalities (default 1), so runs repeat. */
    public Builder seed(long seed) {
      Checks.checkNotSet("seed", seedSet);
      seedSet = true;
      this.seed = seed;
      return this;
    }

    /**
     * Builds the generator.
     *
     * @throws IllegalStateException if the schedule, duration or SLO is missing
     */
    public LoadGenerator build() {
      ArrivalSchedule s = schedule;
      Duration d = duration;
      Duration o = slo;
      if (s == null || d == null || o == null) {
        throw new IllegalStateException("schedule, duration and slo are required");
      }
      return new LoadGenerator(this, s, d, o);
    }
  }
}
