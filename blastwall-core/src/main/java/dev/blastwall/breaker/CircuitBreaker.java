package dev.blastwall.breaker;

import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.EventListener;
import dev.blastwall.event.Subscription;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.IntPermitGate;
import dev.blastwall.internal.Listeners;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Stops sending calls to an upstream that keeps failing, so that it gets room to recover and callers fail fast
 * instead of waiting on it, then lets a few probe calls through to find out when it is healthy again.
 *
 * <h2>States</h2>
 *
 * <ul>
 *   <li>{@link State#CLOSED CLOSED}: every call is permitted and its outcome recorded in a window (the last N calls,
 *       or the last stretch of time). Once the window holds at least {@code minimumCalls} outcomes and the failure
 *       rate, or the slow-call rate, reaches its threshold, the circuit trips to OPEN.
 *   <li>{@link State#OPEN OPEN}: every call is rejected until the open duration has passed; then the next call to
 *       ask turns the circuit HALF_OPEN and is its first probe. With {@code openDurationBackoff}, each further
 *       trip without a close in between keeps the circuit open longer, up to a cap.
 *   <li>{@link State#HALF_OPEN HALF_OPEN}: at most {@code halfOpenProbes} calls at once are let through as probes;
 *       every other call is rejected at once. After {@code halfOpenSuccessesToClose} probe successes (in total; a
 *       finished probe frees its slot for the next) the circuit closes with an empty window; the first failed
 *       probe opens it again.
 *   <li>{@link State#FORCED_OPEN FORCED_OPEN}, {@link State#FORCED_CLOSED FORCED_CLOSED} and
 *       {@link State#DISABLED DISABLED} are set by hand and left only by hand ({@link #reset()} or another manual
 *       method): they reject everything, permit everything while still recording outcomes (never tripping), or
 *       permit everything and record nothing.
 * </ul>
 *
 * <h2>What counts</h2>
 *
 * Only failures that say the upstream is unwell count: kinds {@link FailureKind#UNAVAILABLE UNAVAILABLE},
 * {@link FailureKind#OVERLOADED OVERLOADED}, {@link FailureKind#TIMEOUT TIMEOUT} and
 * {@link FailureKind#INTERNAL INTERNAL} (the same kinds the retry budget is charged for). A failure of any other
 * kind ({@code INVALID}, {@code CANCELLED}, {@code DEADLINE_EXCEEDED}, {@code UNKNOWN}) says nothing reliable
 * about the upstream's health (the request was wrong, the caller gave up, or nobody knows), so it is not recorded
 * at all: it neither raises nor dilutes the failure rate, and in HALF_OPEN it just frees its probe slot. A success
 * that took longer than {@code slowCallDuration} is a slow call; slow calls trip the circuit only when a
 * slow-call rate threshold is set. A breaker configured with neither a slow-call duration nor a slow-call rate
 * threshold does not {@linkplain #timesCalls() time calls}: the pipeline then skips the clock reading at the end
 * of every attempt (the largest single cost of a guarded call) and passes a duration of 0, so no call is slow.
 *
 * <h2>Permits</h2>
 *
 * <pre>{@code
 * CircuitBreaker.Permit permit = breaker.tryAcquirePermit();
 * if (!permit.isPermitted()) {
 *   throw breaker.rejection(upstream, attempts, remainingNanos);
 * }
 * long start = ticker.nanos();
 * try {
 *   T result = call();
 *   permit.onSuccess(ticker.nanos() - start);
 *   return result;
 * } catch (Exception e) {
 *   permit.onFailure(ticker.nanos() - start, e);
 *   throw e;
 * }
 * }</pre>
 *
 * Each permit must be handed back exactly once, through {@link Permit#onSuccess}, {@link Permit#onFailure(long,
 * Throwable) onFailure} or {@link Permit#release} (a call that ended without an outcome worth recording, such as
 * one cancelled by its caller). The permit names the state that admitted the call, so an outcome that arrives
 * after the circuit has moved on (a call admitted while CLOSED that finishes after the circuit opened, or a probe
 * of an earlier HALF_OPEN period) is ignored rather than credited to the wrong state: it can neither free a probe
 * slot it never held nor pollute a freshly emptied window.
 *
 * <h2>Events</h2>
 *
 * Every state change is reported exactly once to the listener as a
 * {@link BlastwallEvent.CircuitStateChanged CircuitStateChanged}, in the order the changes happened (each
 * event's {@code from} is the previous event's {@code to}). To keep that order without a lock, an event may be
 * delivered on another thread that is delivering at the time, a moment after the change. Rejections are not
 * reported here; the pipeline that rejects the call reports them.
 *
 * <h2>Cost</h2>
 *
 * A permitted call in CLOSED costs a few atomic operations and no allocation (with a time window, one small
 * allocation per bucket width, and reading the rate sums all buckets). HALF_OPEN probe bookkeeping and every state
 * change allocate a small immutable state object; a state change also allocates its place in the event sequence
 * (and its event only when someone listens).
 *
 * <p>Thread-safe and lock-free: the state machine is an {@link AtomicReference} to an immutable state that is
 * replaced by compare-and-set, so each transition happens exactly once, and window counters are atomics. Share
 * one breaker among all calls to the same upstream. Built by a {@link Builder}, which is not thread-safe.
 */
// "exports": the superclass is internal on purpose; its methods are protected, so users see only the public
// permit objects, and the pipeline reaches the int permits through the internal package's bridges.
@SuppressWarnings("exports")
public final class CircuitBreaker extends IntPermitGate<FailureKind> {

  /** Failure-rate threshold, in percent, unless set. */
  public static final double DEFAULT_FAILURE_RATE_THRESHOLD = 50;

  /** A success slower than this is a slow call, unless set. */
  public static final Duration DEFAULT_SLOW_CALL_DURATION = Duration.ofSeconds(60);

  /** Outcomes the window must hold before the circuit may trip, unless set. */
  public static final int DEFAULT_MINIMUM_CALLS = 10;

  /** Calls in the count-based window, unless another window is set. */
  public static final int DEFAULT_WINDOW_CALLS = 100;

  /** How long a circuit stays open after tripping, unless set. */
  public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(10);

  /** Probes allowed in flight at once while HALF_OPEN, unless set. */
  public static final int DEFAULT_HALF_OPEN_PROBES = 3;

  /** Probe successes that close a HALF_OPEN circuit, unless set. */
  public static final int DEFAULT_HALF_OPEN_SUCCESSES_TO_CLOSE = 3;

  /** The largest count-based window (each call's outcome takes one int). */
  public static final int MAX_WINDOW_CALLS = 100_000;

  /** The most buckets in a time-based window (reading the rate sums them all). */
  public static final int MAX_WINDOW_BUCKETS = 1_000;

  /** The most probes, and probe successes, a HALF_OPEN circuit can be configured for. */
  public static final int MAX_HALF_OPEN_PROBES = 1_000;

  /** The largest growth factor for {@link Builder#openDurationBackoff}. */
  public static final double MAX_OPEN_DURATION_MULTIPLIER = 100;

  /** The states of a circuit; their names are what {@link BlastwallEvent.CircuitStateChanged} reports. */
  public enum State {
    /** Calls flow and their outcomes are judged. */
    CLOSED,
    /** Calls are rejected until the open duration has passed. */
    OPEN,
    /** A limited number of probe calls find out whether the upstream recovered. */
    HALF_OPEN,
    /** Set by {@link #forceOpen()}: every call is rejected until changed by hand. */
    FORCED_OPEN,
    /** Set by {@link #forceClosed()}: every call is permitted; outcomes are recorded but never trip it. */
    FORCED_CLOSED,
    /** Set by {@link #disable()}: every call is permitted and nothing is recorded. */
    DISABLED
  }

  /**
   * A breaker's state and numbers at one moment. Immutable.
   *
   * @param state the state
   * @param failureRate failures as a percentage of {@code calls}; 0 when there are none
   * @param slowCallRate slow calls as a percentage of {@code calls}; 0 when there are none
   * @param calls outcomes in the window: the live window when CLOSED or FORCED_CLOSED; in OPEN and HALF_OPEN the
   *     window as it was when the circuit last tripped from CLOSED; 0 when FORCED_OPEN or DISABLED
   * @param failures failed calls among {@code calls}
   * @param slowCalls slow calls among {@code calls}
   * @param probesInFlight HALF_OPEN: probes admitted and not yet finished; otherwise 0
   * @param probeSuccesses HALF_OPEN: probes that have succeeded; otherwise 0
   * @param nanosUntilHalfOpen OPEN: nanoseconds until the next call may probe (0 once it may); otherwise -1
   * @param consecutiveTrips trips since the circuit was last closed; 0 when closed or set by hand
   */
  public record Snapshot(State state, double failureRate, double slowCallRate, int calls, int failures,
      int slowCalls, int probesInFlight, int probeSuccesses, long nanosUntilHalfOpen, int consecutiveTrips) {}

  private final String name;
  private final Ticker ticker;
  private final FailureClassifier classifier;
  private final Thresholds thresholds;
  private final long slowCallNanos;
  private final boolean timesCalls;
  private final int windowCalls;
  private final long windowNanos;
  private final int windowBuckets;
  private final long openNanos;
  private final double openMultiplier;
  private final long maxOpenNanos;
  private final int halfOpenProbes;
  private final int halfOpenSuccessesToClose;
  private final Listeners listeners;
  private final EventSequencer events;
  private final AtomicReference<Phase> current;
  /** The answer to every refused call. */
  private final Permit rejected = new Permit(this, NOT_PERMITTED);
  /**
   * The permit last handed out outside HALF_OPEN, handed out again while it is still the current one, so that a
   * CLOSED breaker allocates no permit per call. A plain field: a stale read only costs one allocation, and
   * {@link Permit}'s fields are final, so a permit read through a race is whole.
   */
  private Permit lastPermit = rejected;

  private CircuitBreaker(Builder builder) {
    this.name = builder.name;
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.classifier = builder.classifier != null ? builder.classifier : FailureClassifier.defaults();
    this.windowBuckets = builder.windowBuckets;
    this.windowNanos = builder.windowLength != null ? Checks.saturatedNanos(builder.windowLength) : 0;
    this.windowCalls = builder.windowCalls;
    int minimumCalls = builder.minimumCalls;
    if (windowBuckets == 0 && minimumCalls > windowCalls) {
      if (builder.minimumCallsSet) {
        throw Checks.invalidArgument("minimumCalls", minimumCalls,
            "<= countWindow (" + windowCalls + "), or the circuit could never trip");
      }
      // The default minimum must not make a small window unable to trip.
      minimumCalls = windowCalls;
    }
    this.thresholds = new Thresholds(minimumCalls, builder.failureRateThreshold,
        builder.slowCallRateThresholdSet ? builder.slowCallRateThreshold : Double.NaN);
    this.timesCalls = builder.slowCallRateThresholdSet || builder.slowCallDuration != null;
    this.slowCallNanos = Checks.saturatedNanos(
        builder.slowCallDuration != null ? builder.slowCallDuration : DEFAULT_SLOW_CALL_DURATION);
    Duration open = builder.openDuration != null ? builder.openDuration : DEFAULT_OPEN_DURATION;
    this.openNanos = Checks.saturatedNanos(open);
    Duration maxOpen = builder.maxOpenDuration;
    if (maxOpen != null && maxOpen.compareTo(open) < 0) {
      throw Checks.invalidArgument("maxOpenDuration", maxOpen, ">= openDuration (" + open + ")");
    }
    this.openMultiplier = builder.openMultiplier;
    this.maxOpenNanos = maxOpen != null ? Checks.saturatedNanos(maxOpen) : openNanos;
    this.halfOpenProbes = builder.halfOpenProbes;
    this.halfOpenSuccessesToClose = builder.halfOpenSuccessesToClose;
    this.listeners = new Listeners(builder.listener);
    // Always there, since a listener may be added later: the sequence it keeps in order must have no gaps.
    this.events = new EventSequencer(listeners, 2);
    long now = ticker.nanos();
    this.current = new AtomicReference<>(Phase.initial(now, newWindow(now)));
  }

  /**
   * A builder for a breaker named {@code name} (the upstream it guards, as used in events), with the defaults:
   * trips at a 50% failure rate over the last 100 calls once 10 are in, slow calls never trip, stays open 10 s,
   * then lets 3 probes through at a time and closes after 3 probe successes.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The breaker's name, as given to {@link #builder}. */
  public String name() {
    return name;
  }

  /**
   * Whether this breaker needs the durations passed to {@link #onSuccess} and {@link #onFailure}: true when a
   * slow-call duration or a slow-call rate threshold was configured. When false, callers may pass 0 instead of
   * reading the clock around every call; the slow-call counts then stay 0.
   */
  public boolean timesCalls() {
    return timesCalls;
  }

  /** The current state. An OPEN circuit whose open duration has passed stays OPEN until a call asks to go. */
  public State state() {
    return current.get().state;
  }

  /**
   * Asks to send one call: returns a permit to hand back with the call's outcome, one that is not
   * {@linkplain Permit#isPermitted() permitted} when the call must not be sent. CLOSED, FORCED_CLOSED and DISABLED always permit; OPEN rejects until the open duration
   * has passed, then turns HALF_OPEN and permits this call as the first probe; HALF_OPEN permits while fewer than
   * {@code halfOpenProbes} probes are in flight; FORCED_OPEN always rejects.
   */
  public Permit tryAcquirePermit() {
    int permit = acquireIntPermit();
    if (permit == NOT_PERMITTED) {
      return rejected;
    }
    Permit last = lastPermit;
    if (last.code == permit) {
      return last;
    }
    Permit fresh = new Permit(this, permit);
    if (!isProbe(permit)) {
      lastPermit = fresh;
    }
    return fresh;
  }

  @Override
  protected int acquireIntPermit() {
    while (true) {
      Phase phase = current.get();
      switch (phase.state) {
        case CLOSED, FORCED_CLOSED, DISABLED -> {
          return phase.permit(false);
        }
        case FORCED_OPEN -> {
          return NOT_PERMITTED;
        }
        case OPEN -> {
          long now = ticker.nanos();
          if (now - phase.enteredAt < phase.openNanos) {
            return NOT_PERMITTED;
          }
          Phase probing = Phase.halfOpen(phase, now);
          if (current.compareAndSet(phase, probing)) {
            published(phase, probing, now, "open for " + Duration.ofNanos(phase.openNanos) + ": probing");
            return probing.permit(true);
          }
        }
        case HALF_OPEN -> {
          if (phase.probesInFlight >= halfOpenProbes) {
            return NOT_PERMITTED;
          }
          Phase more = phase.withProbes(phase.probesInFlight + 1, phase.probeSuccesses);
          if (current.compareAndSet(phase, more)) {
            return more.permit(true);
          }
        }
      }
      // Lost a race with another thread's update: decide again on the new state.
    }
  }

  /** Whether {@code permit} is a HALF_OPEN probe's (and so counted against {@code halfOpenProbes}). */
  private static boolean isProbe(int permit) {
    return permit >= 0 && (permit & 1) == 1;
  }

  /** See {@link Permit#onSuccess}. */
  @Override
  protected void succeeded(int permit, long durationNanos) {
    Outcome outcome = durationNanos > slowCallNanos ? Outcome.SLOW : Outcome.SUCCESS;
    while (true) {
      Phase phase = current.get();
      if (!phase.issued(permit)) {
        return;
      }
      switch (phase.state) {
        case CLOSED, FORCED_CLOSED -> {
          record(phase, outcome);
          return;
        }
        case HALF_OPEN -> {
          if (settleProbe(phase, outcome == Outcome.SLOW && thresholds.slowCallsTrip()
              ? String.format(Locale.ROOT, "probe too slow: %.1f ms > %.1f ms", durationNanos / 1e6,
                  slowCallNanos / 1e6)
              : null)) {
            return;
          }
        }
        case OPEN, FORCED_OPEN, DISABLED -> {
          return;
        }
      }
    }
  }

  /** See {@link Permit#onFailure(long, FailureKind)}. */
  @Override
  protected void failed(int permit, long durationNanos, FailureKind kind) {
    if (!kind.countsAgainstUpstream()) {
      released(permit);
      return;
    }
    while (true) {
      Phase phase = current.get();
      if (!phase.issued(permit)) {
        return;
      }
      switch (phase.state) {
        case CLOSED, FORCED_CLOSED -> {
          record(phase, Outcome.FAILURE);
          return;
        }
        case HALF_OPEN -> {
          if (settleProbe(phase, "probe failed: " + kind)) {
            return;
          }
        }
        case OPEN, FORCED_OPEN, DISABLED -> {
          return;
        }
      }
    }
  }

  /** See {@link Permit#release}. */
  @Override
  protected void released(int permit) {
    while (true) {
      Phase phase = current.get();
      if (phase.state != State.HALF_OPEN || !phase.issued(permit) || !isProbe(permit)) {
        return;
      }
      Phase freed = phase.withProbes(Math.max(0, phase.probesInFlight - 1), phase.probeSuccesses);
      if (current.compareAndSet(phase, freed)) {
        return;
      }
    }
  }

  /**
   * The exception for a call this breaker just refused, saying why (for example "circuit OPEN (failure rate 62.0%
   * >= 50.0% over 20 calls)") and, when OPEN, how long until the next probe may go ({@code retryAfterNanos};
   * -1 when that depends on probes finishing or on someone changing a forced state).
   *
   * @param upstream the upstream the call went to, as the caller names it
   * @param attempts attempts sent so far
   * @param remainingNanos the call's deadline left, or {@link dev.blastwall.failure.BlastwallException#NO_DEADLINE}
   */
  public CallNotPermittedException rejection(String upstream, int attempts, long remainingNanos) {
    Phase phase = current.get();
    String detail = switch (phase.state) {
      case OPEN -> "circuit OPEN (" + phase.cause + ")";
      case HALF_OPEN -> "circuit HALF_OPEN (" + phase.probesInFlight + " of " + halfOpenProbes
          + " probes in flight)";
      case FORCED_OPEN -> "circuit FORCED_OPEN (" + phase.cause + ")";
      // The circuit let calls through again between the refusal and this call.
      case CLOSED, FORCED_CLOSED, DISABLED -> "circuit " + phase.state + " (was not permitting calls a moment ago)";
    };
    long retryAfterNanos = switch (phase.state) {
      case OPEN -> untilHalfOpen(phase, ticker.nanos());
      // A probe slot frees when a probe finishes, a forced state when someone changes it: nobody can tell when.
      case HALF_OPEN, FORCED_OPEN -> -1;
      case CLOSED, FORCED_CLOSED, DISABLED -> 0;
    };
    return new CallNotPermittedException(upstream, detail, attempts, remainingNanos, retryAfterNanos);
  }

  /** Rejects every call until changed by hand. */
  public void forceOpen() {
    moveByHand(State.FORCED_OPEN, "forceOpen()");
  }

  /** Permits every call and records outcomes (in a new, empty window) without ever tripping, until changed by hand. */
  public void forceClosed() {
    moveByHand(State.FORCED_CLOSED, "forceClosed()");
  }

  /** Permits every call and records nothing, until changed by hand. */
  public void disable() {
    moveByHand(State.DISABLED, "disable()");
  }

  /**
   * Back to CLOSED with an empty window and no trips remembered, from any state (a closed circuit also gets an
   * empty window, though no event since its state does not change). Calls admitted before the reset are
   * not recorded.
   */
  public void reset() {
    moveByHand(State.CLOSED, "reset()");
  }

  /**
   * Adds {@code listener} to this breaker's state changes until the subscription is closed, beside the builder's
   * listener: for observers that arrive after the breaker was built, such as a metrics binder.
   */
  public Subscription addListener(EventListener listener) {
    return listeners.add(listener);
  }

  /** The current state and numbers. */
  public Snapshot snapshot() {
    Phase phase = current.get();
    long now = ticker.nanos();
    Window window = phase.window;
    Counts counts = window != null ? window.counts(now) : phase.tripCounts;
    return new Snapshot(phase.state, counts.failureRate(), counts.slowCallRate(), counts.calls(),
        counts.failures(), counts.slowCalls(), phase.probesInFlight, phase.probeSuccesses,
        phase.state == State.OPEN ? untilHalfOpen(phase, now) : -1, phase.consecutiveTrips);
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + name + ", " + current.get().state + "]";
  }

  /** Records an outcome in a CLOSED or FORCED_CLOSED phase, and trips a CLOSED circuit if it now should. */
  private void record(Phase phase, Outcome outcome) {
    Window window = phase.window;
    if (window == null) {
      throw new AssertionError("no window in " + phase.state);
    }
    // A count window ignores time: no clock read on the common path (a read costs as much as the recording).
    long now = window.usesTime() ? ticker.nanos() : 0;
    boolean mayTrip = window.record(now, outcome);
    if (!mayTrip || phase.state != State.CLOSED || !window.exceeds(now, thresholds)) {
      return;
    }
    Counts counts = window.counts(now);
    String reason = thresholds.reason(counts);
    if (reason == null) {
      return; // Other outcomes arrived in between and brought the rates back under.
    }
    long trippedAt = window.usesTime() ? now : ticker.nanos();
    Phase open = Phase.open(phase, trippedAt, openNanosFor(1), counts, reason);
    // Only one thread's CAS from this CLOSED phase can succeed, so only one trip (and one event) happens.
    if (current.compareAndSet(phase, open)) {
      published(phase, open, trippedAt, reason);
    }
  }

  /**
   * Settles one probe of a HALF_OPEN phase: a failure (non-null {@code failure}) reopens the circuit, the
   * {@code halfOpenSuccessesToClose}-th success closes it, any other success frees the slot. Returns false when
   * another thread changed the phase first, so the caller must look again.
   */
  private boolean settleProbe(Phase phase, @Nullable String failure) {
    long now = ticker.nanos();
    Phase next;
    String reason;
    if (failure != null) {
      next = Phase.open(phase, now, openNanosFor(phase.consecutiveTrips + 1), phase.tripCounts, failure);
      reason = failure;
    } else if (phase.probeSuccesses + 1 >= halfOpenSuccessesToClose) {
      reason = (phase.probeSuccesses + 1) + " probes succeeded";
      next = Phase.closed(phase, State.CLOSED, now, newWindow(now), reason);
    } else {
      next = phase.withProbes(Math.max(0, phase.probesInFlight - 1), phase.probeSuccesses + 1);
      return current.compareAndSet(phase, next);
    }
    if (!current.compareAndSet(phase, next)) {
      return false;
    }
    published(phase, next, now, reason);
    return true;
  }

  private void moveByHand(State target, String reason) {
    while (true) {
      Phase phase = current.get();
      if (phase.state == target && target != State.CLOSED) {
        return;
      }
      long now = ticker.nanos();
      Phase next = switch (target) {
        case CLOSED, FORCED_CLOSED -> Phase.closed(phase, target, now, newWindow(now), reason);
        case FORCED_OPEN, DISABLED -> Phase.manual(phase, target, now, reason);
        case OPEN, HALF_OPEN -> throw new AssertionError(target);
      };
      if (current.compareAndSet(phase, next)) {
        published(phase, next, now, reason);
        return;
      }
    }
  }

  /** Reports the change from {@code from} to {@code to}, which this thread has just made. */
  private void published(Phase from, Phase to, long now, String reason) {
    // Published even when nobody listens, to keep the sequence whole; the event itself is built only for a listener.
    events.publish(to.generation, from.state == to.state || !listeners.any() ? null
        : new BlastwallEvent.CircuitStateChanged(name, now, from.state.name(), to.state.name(), reason));
  }

  /** How long the circuit stays open on trip number {@code trip} since it was last closed. */
  private long openNanosFor(int trip) {
    if (trip <= 1 || openMultiplier == 1) {
      return openNanos;
    }
    double grown = openNanos * Math.pow(openMultiplier, trip - 1);
    return grown >= maxOpenNanos ? maxOpenNanos : (long) grown;
  }

  private static long untilHalfOpen(Phase open, long now) {
    return Math.max(0, open.openNanos - (now - open.enteredAt));
  }

  private Window newWindow(long now) {
    return windowBuckets == 0 ? new CountWindow(windowCalls) : new TimeWindow(now, windowNanos, windowBuckets);
  }

  /**
   * The answer of {@link #tryAcquirePermit()}: whether the call may be sent and, if it was, where its outcome goes.
   * A permit names the state that admitted the call (see the class comment), so outcomes that arrive after the
   * circuit moved on are ignored. Immutable; hand a permitted one back exactly once.
   */
  public static final class Permit {
    private final CircuitBreaker breaker;
    private final int code;

    private Permit(CircuitBreaker breaker, int code) {
      this.breaker = breaker;
      this.code = code;
    }

    /** Whether the call may be sent; when not, the breaker's {@link CircuitBreaker#rejection} says why. */
    public boolean isPermitted() {
      return code != NOT_PERMITTED;
    }

    /** Whether this is a HALF_OPEN probe's permit (counted against {@code halfOpenProbes}). */
    public boolean isProbe() {
      return CircuitBreaker.isProbe(code);
    }

    /**
     * The permitted call succeeded after {@code durationNanos} (measured on the breaker's ticker). Longer than
     * {@code slowCallDuration} makes it a slow call; a slow probe counts as a failed probe when slow calls trip
     * the circuit.
     *
     * @throws IllegalStateException if the call was not permitted
     */
    public void onSuccess(long durationNanos) {
      breaker.succeeded(permitted(), durationNanos);
    }

    /**
     * The permitted call failed after {@code durationNanos} with {@code failure}, which the breaker's classifier
     * sorts into a kind; see {@link #onFailure(long, FailureKind)}.
     *
     * @throws IllegalStateException if the call was not permitted
     */
    public void onFailure(long durationNanos, Throwable failure) {
      breaker.failed(permitted(), durationNanos, breaker.classifier.classify(failure));
    }

    /**
     * The permitted call failed after {@code durationNanos} with a failure of {@code kind}. Only the kinds that
     * {@linkplain FailureKind#countsAgainstUpstream count against the upstream} (UNAVAILABLE, OVERLOADED, TIMEOUT
     * and INTERNAL) count as failures (a failed probe reopens the circuit); any other kind is treated as
     * {@link #release}: nothing is recorded.
     *
     * @throws IllegalStateException if the call was not permitted
     */
    public void onFailure(long durationNanos, FailureKind kind) {
      breaker.failed(permitted(), durationNanos, kind);
    }

    /**
     * The permitted call ended without an outcome worth recording (cancelled by its caller, say). Nothing is
     * recorded; a probe's slot is freed for the next probe.
     *
     * @throws IllegalStateException if the call was not permitted
     */
    public void release() {
      breaker.released(permitted());
    }

    private int permitted() {
      if (code == NOT_PERMITTED) {
        throw new IllegalStateException("permit: refused (expected: the permit of a call the breaker permitted)");
      }
      return code;
    }

    /**
     * Permits are equal when the same breaker handed them out in the same state period (HALF_OPEN probes of one
     * period are equal to each other), so they can key per-period bookkeeping.
     */
    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof Permit that && that.breaker == breaker && that.code == code;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(breaker) * 31 + code;
    }

    @Override
    public String toString() {
      return !isPermitted() ? "Permit[refused]" : isProbe() ? "Permit[probe]" : "Permit[permitted]";
    }
  }

  /**
   * Builds a {@link CircuitBreaker}. Each option may be set once ({@code countWindow} and {@code timeWindow} are
   * one option, the window); invalid values are refused when set, combinations that cannot work by
   * {@link #build()}. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private double failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
    private boolean failureRateThresholdSet;
    private double slowCallRateThreshold;
    private boolean slowCallRateThresholdSet;
    private @Nullable Duration slowCallDuration;
    private int minimumCalls = DEFAULT_MINIMUM_CALLS;
    private boolean minimumCallsSet;
    private int windowCalls = DEFAULT_WINDOW_CALLS;
    private @Nullable Duration windowLength;
    private int windowBuckets;
    private boolean windowSet;
    private @Nullable Duration openDuration;
    private double openMultiplier = 1;
    private @Nullable Duration maxOpenDuration;
    private int halfOpenProbes = DEFAULT_HALF_OPEN_PROBES;
    private boolean halfOpenProbesSet;
    private int halfOpenSuccessesToClose = DEFAULT_HALF_OPEN_SUCCESSES_TO_CLOSE;
    private boolean halfOpenSuccessesToCloseSet;
    private @Nullable FailureClassifier classifier;
    private @Nullable Ticker ticker;
    private EventListener listener = EventListener.NONE;
    private boolean listenerSet;

    private Builder(String name) {
      if (name.isBlank()) {
        throw Checks.invalidArgument("name", '"' + name + '"', "a non-blank name");
      }
      this.name = name;
    }

    /**
     * The failure rate, in percent of the calls in the window, at or above which the circuit trips:
     * {@code 0 < percent <= 100}; default 50.
     */
    public Builder failureRateThreshold(double percent) {
      Checks.checkNotSet("failureRateThreshold", failureRateThresholdSet);
      this.failureRateThreshold = checkPercent("failureRateThreshold", percent);
      this.failureRateThresholdSet = true;
      return this;
    }

    /**
     * The slow-call rate, in percent of the calls in the window, at or above which the circuit trips:
     * {@code 0 < percent <= 100} (100: when every call in the window was slow). Unless this is set, slow calls
     * are counted (only if {@link #slowCallDuration} is set) but never trip the circuit, and a slow probe counts
     * as a successful one.
     */
    public Builder slowCallRateThreshold(double percent) {
      Checks.checkNotSet("slowCallRateThreshold", slowCallRateThresholdSet);
      this.slowCallRateThreshold = checkPercent("slowCallRateThreshold", percent);
      this.slowCallRateThresholdSet = true;
      return this;
    }

    /**
     * A success that takes longer than this is a slow call; positive; default 60 s. Setting it (or a slow-call
     * rate threshold) makes the breaker {@linkplain CircuitBreaker#timesCalls() time calls}.
     */
    public Builder slowCallDuration(Duration duration) {
      Checks.checkNotSet("slowCallDuration", slowCallDuration != null);
      this.slowCallDuration = Checks.checkPositive("slowCallDuration", duration);
      return this;
    }

    /**
     * How many outcomes the window must hold before its rates may trip the circuit, so that a handful of early
     * failures does not: 1 to {@value #MAX_WINDOW_CALLS}, at most the count window's size; default 10 (or the
     * count window's size, if smaller).
     */
    public Builder minimumCalls(int calls) {
      Checks.checkNotSet("minimumCalls", minimumCallsSet);
      this.minimumCalls = Checks.checkRange("minimumCalls", calls, 1, MAX_WINDOW_CALLS);
      this.minimumCallsSet = true;
      return this;
    }

    /** Judge the last {@code calls} outcomes: 1 to {@value #MAX_WINDOW_CALLS}. The default window, with 100. */
    public Builder countWindow(int calls) {
      Checks.checkNotSet("window", windowSet);
      this.windowCalls = Checks.checkRange("countWindow", calls, 1, MAX_WINDOW_CALLS);
      this.windowSet = true;
      return this;
    }

    /**
     * Judge the outcomes of the last {@code length} (for example 20 s), kept in {@code buckets} slices (1 to
     * {@value #MAX_WINDOW_BUCKETS}) that expire one at a time: the window spans between {@code length} minus one
     * slice and {@code length}. More buckets expire old outcomes more smoothly; reading the rate costs one step
     * per bucket.
     */
    public Builder timeWindow(Duration length, int buckets) {
      Checks.checkNotSet("window", windowSet);
      Checks.checkPositive("timeWindow", length);
      Checks.checkRange("buckets", buckets, 1, MAX_WINDOW_BUCKETS);
      if (Checks.saturatedNanos(length) < buckets) {
        throw Checks.invalidArgument("timeWindow", length, ">= 1 ns per bucket (" + buckets + " buckets)");
      }
      this.windowLength = length;
      this.windowBuckets = buckets;
      this.windowSet = true;
      return this;
    }

    /** How long the circuit stays open after a trip before it lets a probe through; positive; default 10 s. */
    public Builder openDuration(Duration duration) {
      Checks.checkNotSet("openDuration", openDuration != null);
      this.openDuration = Checks.checkPositive("openDuration", duration);
      return this;
    }

    /**
     * Keeps a circuit that keeps failing its probes open longer: each trip after the first since the circuit
     * was last closed multiplies the open duration by {@code multiplier} (1 to
     * {@value #MAX_OPEN_DURATION_MULTIPLIER}), up to {@code max} (at least the open duration). Closing the
     * circuit starts over. Default: no growth.
     */
    public Builder openDurationBackoff(double multiplier, Duration max) {
      Checks.checkNotSet("openDurationBackoff", maxOpenDuration != null);
      this.openMultiplier = Checks.checkRange("openDurationMultiplier", multiplier, 1, MAX_OPEN_DURATION_MULTIPLIER);
      this.maxOpenDuration = Checks.checkPositive("maxOpenDuration", max);
      return this;
    }

    /** Probes allowed in flight at once while HALF_OPEN: 1 to {@value #MAX_HALF_OPEN_PROBES}; default 3. */
    public Builder halfOpenProbes(int probes) {
      Checks.checkNotSet("halfOpenProbes", halfOpenProbesSet);
      this.halfOpenProbes = Checks.checkRange("halfOpenProbes", probes, 1, MAX_HALF_OPEN_PROBES);
      this.halfOpenProbesSet = true;
      return this;
    }

    /**
     * Probe successes, in total, that close a HALF_OPEN circuit: 1 to {@value #MAX_HALF_OPEN_PROBES}; default 3.
     * May exceed {@code halfOpenProbes}: a finished probe frees its slot for the next one.
     */
    public Builder halfOpenSuccessesToClose(int successes) {
      Checks.checkNotSet("halfOpenSuccessesToClose", halfOpenSuccessesToCloseSet);
      this.halfOpenSuccessesToClose =
          Checks.checkRange("halfOpenSuccessesToClose", successes, 1, MAX_HALF_OPEN_PROBES);
      this.halfOpenSuccessesToCloseSet = true;
      return this;
    }

    /** Sorts the exceptions given to {@code onFailure} into kinds; default {@link FailureClassifier#defaults()}. */
    public Builder classifier(FailureClassifier newClassifier) {
      Checks.checkNotSet("classifier", classifier != null);
      this.classifier = newClassifier;
      return this;
    }

    /** The time source; default {@link Ticker#system()}. Durations passed in must be measured on it. */
    public Builder ticker(Ticker newTicker) {
      Checks.checkNotSet("ticker", ticker != null);
      this.ticker = newTicker;
      return this;
    }

    /**
     * Receives every state change; default none (and then no event is ever built while no listener is
     * {@linkplain CircuitBreaker#addListener added}).
     */
    public Builder listener(EventListener newListener) {
      Checks.checkNotSet("listener", listenerSet);
      this.listener = newListener;
      this.listenerSet = true;
      return this;
    }

    /** The breaker, in state CLOSED with an empty window. */
    public CircuitBreaker build() {
      return new CircuitBreaker(this);
    }

    private static double checkPercent(String name, double percent) {
      if (!(percent > 0 && percent <= 100)) {
        throw Checks.invalidArgument(name, percent, "0 < " + name + " <= 100");
      }
      return percent;
    }
  }
}
