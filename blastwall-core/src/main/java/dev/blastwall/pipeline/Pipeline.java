package dev.blastwall.pipeline;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Idempotency;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.CallObserver;
import dev.blastwall.event.EventListener;
import dev.blastwall.event.Subscription;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.ContextBinding;
import dev.blastwall.internal.Listeners;
import dev.blastwall.internal.Observers;
import dev.blastwall.limit.AdaptiveThrottle;
import dev.blastwall.ratelimit.RateLimiter;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.time.Environment;
import dev.blastwall.time.RandomSource;
import dev.blastwall.time.Scheduler;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The policies that guard calls to one upstream, composed in one fixed order, outermost first:
 *
 * <pre>
 *   fallback
 *     -> total deadline        (min of the caller's context deadline and this pipeline's timeout)
 *       -> retry or hedge      (with the upstream's retry budget)
 *         -> client-side throttle and circuit breaker
 *           -> rate limiter
 *             -> bulkhead
 *               -> attempt timeout
 *                 -> the call
 * </pre>
 *
 * <p>The order is the one that keeps each policy honest: the deadline bounds everything, retries included; the
 * breaker, limiter and bulkhead judge each attempt, so a retry is admitted (or refused) like any other request;
 * the attempt timeout bounds one attempt only. Slots that are not configured cost nothing. The fallback slot is
 * {@link dev.blastwall.fallback.Fallback}, which wraps a pipeline call.
 *
 * <p>Both ways of running a call have the same semantics: {@link #call} blocks the calling thread (virtual-thread
 * friendly: waits park, never pin), {@link #callAsync} returns at once with a future. A timed-out attempt is
 * stopped: a blocking one is interrupted, an async one's future is cancelled, and code inside it sees its
 * {@link CallContext#cancellation()} cancelled.
 *
 * <p>Immutable and thread-safe; one pipeline per upstream is shared by all calls to it, so its retry budget sees
 * the upstream's whole traffic.
 */
public final class Pipeline {

  /** Hedges add at most 5% to the upstream's load by default (hedging after the p95 sends about that many). */
  public static final double DEFAULT_HEDGE_PERCENT = 0.05;

  /**
   * Hedges a second allowed by default whatever the traffic: without a floor a cold pipeline (a new channel, a
   * quiet upstream) could never hedge, and a 5% budget behind a p95 delay would be spent exactly by the tail it
   * cuts. Over the budget's 10 s window that is a reserve of 10 hedges.
   */
  public static final int DEFAULT_HEDGES_PER_SECOND = 1;

  final String upstream;
  final Environment environment;
  // The environment's parts, read on every call without the indirection.
  final Ticker ticker;
  final Scheduler scheduler;
  final RandomSource random;
  final long timeoutNanos;
  final RetryPolicy retry;
  final RetryBudget budget;
  final @Nullable HedgePolicy hedge;
  final RetryBudget hedgeBudget;
  final AttemptGates gates;
  final long attemptTimeoutNanos;
  final Idempotency defaultIdempotency;
  /** The builder's listener and those added since; each call looks once whether anyone listens. */
  final Listeners listeners;
  /** The call observers (a metrics binder); each call looks once whether there are any. */
  final Observers observers = new Observers();
  /** Whether calls count as requests in the retry budget. */
  final boolean depositsRequests;
  /**
   * Whether the breaker needs attempts timed (it counts slow calls). Events need the durations too, so a call
   * made while someone listens times its attempts as well.
   */
  final boolean breakerTimesCalls;
  /** The call context of a call made outside any call, with the default idempotency: shared, never rebuilt. */
  final CallContext rootContext;
  /** Its first attempt's context, when that attempt cannot be cancelled. */
  final CallContext rootFirstAttempt;
  /**
   * Whether blocking calls made outside any call, with the default idempotency, start on {@link FastCall} while
   * nobody listens.
   */
  final boolean fastCalls;
  /**
   * Whether {@link FastCall} reads the clock before admission: the limiter or the breaker's timing needs it. The
   * budget does not: its deposits read no clock, and take this reading when there is one.
   */
  final boolean readsClockUpFront;
  /** Whether admission may wait, so an attempt's start is read after it. */
  final boolean admissionMayWait;

  private Pipeline(Builder builder) {
    this.upstream = builder.upstream;
    this.environment = builder.effectiveEnvironment();
    this.ticker = environment.ticker();
    this.scheduler = environment.scheduler();
    this.random = environment.random();
    this.timeoutNanos = builder.timeout != null ? Checks.saturatedNanos(builder.timeout) : -1;
    this.retry = builder.retry != null ? builder.retry : RetryPolicy.none();
    this.budget = builder.budget != null ? builder.budget : RetryBudget.ratio().ticker(ticker).build();
    this.hedge = builder.hedge;
    this.hedgeBudget = builder.hedgeBudget != null ? builder.hedgeBudget
        : RetryBudget.ratio().percentCanRetry(DEFAULT_HEDGE_PERCENT).minRetriesPerSecond(DEFAULT_HEDGES_PER_SECOND)
            .ticker(ticker).build();
    this.gates = new AttemptGates(this, builder.throttle, builder.breaker, builder.limiter,
        builder.limiterMaxWait == null ? 0 : Checks.saturatedNanos(builder.limiterMaxWait), builder.bulkhead);
    this.attemptTimeoutNanos = builder.attemptTimeout != null ? Checks.saturatedNanos(builder.attemptTimeout) : -1;
    this.defaultIdempotency = builder.idempotency != null ? builder.idempotency : Idempotency.NON_IDEMPOTENT;
    this.listeners = new Listeners(builder.listener);
    this.breakerTimesCalls = builder.breaker != null && builder.breaker.timesCalls();
    // A pipeline that never retries deposits into its own default budget for nobody; a budget set explicitly may
    // be shared with pipelines that do retry, so it always hears about requests.
    this.depositsRequests = builder.budget != null || retry.maxAttempts() > 1;
    this.rootContext = CallContext.ROOT.withIdempotency(defaultIdempotency);
    this.rootFirstAttempt = rootContext.forAttempt(1, AttemptKind.ORIGINAL, Cancellation.NEVER);
    this.fastCalls = FastCall.applies(this) && rootContext.cancellation() == Cancellation.NEVER;
    this.readsClockUpFront = breakerTimesCalls || builder.limiter != null;
    this.admissionMayWait = gates.mayWait();
  }

  /** A builder for the pipeline guarding calls to {@code upstream} (a name used in events and errors). */
  public static Builder builder(String upstream) {
    return new Builder(upstream);
  }

  /** The upstream this pipeline guards. */
  public String upstream() {
    return upstream;
  }

  /**
   * The environment this pipeline runs on: its ticker places every deadline the pipeline makes (the total and
   * attempt deadlines) and times the default budgets; its scheduler runs waits and timeouts; its random source
   * jitters backoffs. An adapter in front of the pipeline reads deadlines on the same environment.
   */
  public Environment environment() {
    return environment;
  }

  /** The retry budget shared by every call through this pipeline. */
  public RetryBudget retryBudget() {
    return budget;
  }

  /** The budget that caps hedges, shared by every call through this pipeline (spent only when it hedges). */
  public RetryBudget hedgeBudget() {
    return hedgeBudget;
  }

  /** The circuit breaker slot, or {@code null} when none is set. */
  public @Nullable CircuitBreaker circuitBreaker() {
    return gates.breaker;
  }

  /** The rate limiter slot, or {@code null} when none is set. */
  public @Nullable RateLimiter rateLimiter() {
    return gates.limiter;
  }

  /** The bulkhead slot, or {@code null} when none is set. */
  public @Nullable SemaphoreBulkhead bulkhead() {
    return gates.bulkhead;
  }

  /** The hedge slot, or {@code null} when calls are retried (or sent once) instead. */
  public @Nullable HedgePolicy hedgePolicy() {
    return hedge;
  }

  /** The client-side throttle, or {@code null} when none is set. */
  public @Nullable AdaptiveThrottle adaptiveThrottle() {
    return gates.throttle;
  }

  /**
   * Adds {@code listener} to this pipeline's events until the subscription is closed, beside the builder's
   * listener: for observers that arrive after the pipeline was built, such as a metrics binder. Calls that started
   * before it was added are not reported to it (a call decides once, as it starts, whether anyone listens), and a
   * pipeline that nobody listens to pays nothing for it. The breaker's state changes are the breaker's own events:
   * see {@link CircuitBreaker#addListener}.
   */
  public Subscription addListener(EventListener listener) {
    return listeners.add(listener);
  }

  /**
   * Adds {@code observer} to this pipeline's calls until the subscription is closed: each call that starts while it
   * is there reports its end to it in primitives. Unlike {@link #addListener}, it keeps calls on their fast path, so
   * an observed call costs what the observer does and no more: a metrics binder's counters.
   */
  public Subscription addObserver(CallObserver observer) {
    return observers.add(observer);
  }

  /** The idempotency of calls that do not state their own. */
  public Idempotency defaultIdempotency() {
    return defaultIdempotency;
  }

  /**
   * Runs {@code task} through the pipeline on this thread, with the pipeline's default idempotency, under the
   * current {@link CallContext}. Exceptions from the task come out unchanged when they are not retried; when
   * the policies give up they come out as a {@link dev.blastwall.failure.BlastwallException} whose cause is the
   * last failure.
   */
  public <T extends @Nullable Object> T call(Callable<T> task) throws Exception {
    return call(defaultIdempotency, task);
  }

  /** Like {@link #call(Callable)}, for an operation with the given idempotency. */
  public <T extends @Nullable Object> T call(Idempotency idempotency, Callable<T> task) throws Exception {
    if (hedge != null && idempotency.isRepeatable()) {
      // Hedged attempts overlap, so each runs on its own virtual thread while this one waits for the winner.
      return HedgedBlocking.await(callAsync(idempotency, () -> HedgedBlocking.onVirtualThread(task)));
    }
    // The binding directly, not CallContext.current(): the fast path then binds its attempt's context without
    // looking the thread's binding up again.
    ContextBinding binding = ContextBinding.ofThisThread();
    Object bound = binding != null ? binding.get() : null;
    CallContext parent = bound != null ? (CallContext) bound : CallContext.ROOT;
    if (fastCalls && parent == CallContext.ROOT && idempotency.equals(defaultIdempotency) && !listening()) {
      return FastCall.call(this, task, binding != null ? binding : ContextBinding.forThisThread());
    }
    return new BlockingCall<>(this, parent, idempotency, task).run();
  }

  /**
   * Runs {@code task} through the pipeline asynchronously, with the pipeline's default idempotency: the supplier
   * is invoked for each attempt, under the attempt's context, and must not block. The returned future completes
   * with the first accepted result or the final failure; cancelling it cancels the attempt in flight and stops
   * any retry.
   */
  public <T extends @Nullable Object> CompletableFuture<T> callAsync(
      Supplier<? extends CompletionStage<T>> task) {
    return callAsync(defaultIdempotency, task);
  }

  /** Like {@link #callAsync(Supplier)}, for an operation with the given idempotency. */
  public <T extends @Nullable Object> CompletableFuture<T> callAsync(
      Idempotency idempotency, Supplier<? extends CompletionStage<T>> task) {
    if (hedge != null && idempotency.isRepeatable()) {
      HedgedCall<T> hedged = new HedgedCall<>(this, CallContext.current(), idempotency, hedge, task);
      hedged.start();
      return hedged.result();
    }
    AsyncCall<T> call = new AsyncCall<>(this, CallContext.current(), idempotency, task);
    call.start();
    return call.result();
  }

  /** Whether anyone listens right now: read once by each call, as it starts. */
  boolean listening() {
    return listeners.any();
  }

  void emit(BlastwallEvent event) {
    try {
      listeners.current().onEvent(event);
    } catch (RuntimeException ignored) {
      // Observing must never break a call.
    }
  }

  @Override
  public String toString() {
    return "Pipeline[" + upstream + ", timeout=" + (timeoutNanos < 0 ? "none" : Duration.ofNanos(timeoutNanos))
        + ", " + (hedge != null ? hedge : retry) + ", attemptTimeout="
        + (attemptTimeoutNanos < 0 ? "none" : Duration.ofNanos(attemptTimeoutNanos)) + "]";
  }

  /** Builds a {@link Pipeline}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final String upstream;
    private @Nullable Environment environment;
    private @Nullable Ticker ticker;
    private @Nullable Scheduler scheduler;
    private @Nullable RandomSource random;
    private @Nullable Duration timeout;
    private @Nullable RetryPolicy retry;
    private @Nullable RetryBudget budget;
    private @Nullable HedgePolicy hedge;
    private @Nullable RetryBudget hedgeBudget;
    private @Nullable Duration attemptTimeout;
    private @Nullable CircuitBreaker breaker;
    private @Nullable AdaptiveThrottle throttle;
    private @Nullable RateLimiter limiter;
    private @Nullable Duration limiterMaxWait;
    private @Nullable SemaphoreBulkhead bulkhead;
    private @Nullable Idempotency idempotency;
    private EventListener listener = EventListener.NONE;
    private boolean listenerSet;

    private Builder(String upstream) {
      if (upstream.isBlank()) {
        throw Checks.invalidArgument("upstream", '"' + upstream + '"', "a non-blank name");
      }
      this.upstream = upstream;
    }

    /**
     * The ticker, scheduler and random source of the pipeline, from one place; default
     * {@link Environment#system()}. The default retry and hedge budgets are on its ticker. Give the registry, the
     * pipelines and the adapters one environment, so every deadline they make is on one ticker.
     */
    public Builder environment(Environment newEnvironment) {
      Checks.checkNotSet("environment", environment != null);
      this.environment = newEnvironment;
      return this;
    }

    /**
     * Replaces the {@linkplain #environment environment}'s ticker, for tests of one pipeline; prefer
     * {@link #environment}, which keeps the ticker, the scheduler and the adapters' deadlines together.
     */
    public Builder ticker(Ticker newTicker) {
      Checks.checkNotSet("ticker", ticker != null);
      this.ticker = newTicker;
      return this;
    }

    /** Replaces the {@linkplain #environment environment}'s scheduler, for tests of one pipeline. */
    public Builder scheduler(Scheduler newScheduler) {
      Checks.checkNotSet("scheduler", scheduler != null);
      this.scheduler = newScheduler;
      return this;
    }

    /** Replaces the {@linkplain #environment environment}'s random source, for tests of one pipeline. */
    public Builder random(RandomSource newRandom) {
      Checks.checkNotSet("random", random != null);
      this.random = newRandom;
      return this;
    }

    /** The environment with any part set on its own replacing the environment's. */
    private Environment effectiveEnvironment() {
      Environment base = environment != null ? environment : Environment.system();
      if (ticker != null) {
        base = base.withTicker(ticker);
      }
      if (scheduler != null) {
        base = base.withScheduler(scheduler);
      }
      return random != null ? base.withRandom(random) : base;
    }

    /**
     * The total deadline slot: the whole call, retries included, must finish within {@code total} (and within the
     * caller's context deadline, whichever is earlier). Must be positive.
     */
    public Builder timeout(Duration total) {
      Checks.checkNotSet("timeout", timeout != null);
      this.timeout = Checks.checkPositive("timeout", total);
      return this;
    }

    /** The retry slot; default {@link RetryPolicy#none()}. */
    public Builder retry(RetryPolicy policy) {
      Checks.checkNotSet("retry", retry != null);
      this.retry = policy;
      return this;
    }

    /**
     * The upstream's retry budget; default a {@linkplain RetryBudget#ratio() ratio budget} (10% of requests over
     * 10 s, plus 10 retries per second) on this pipeline's ticker. Share one budget between pipelines that call
     * the same upstream.
     */
    public Builder retryBudget(RetryBudget newBudget) {
      Checks.checkNotSet("retryBudget", budget != null);
      this.budget = newBudget;
      return this;
    }

    /**
     * The hedge slot, instead of retry: idempotent (or keyed) calls are raced by hedges per {@code policy}.
     * Non-repeatable calls run once. A retry policy cannot be set as well: a hedge already repeats the call,
     * and retrying each hedge would multiply load.
     */
    public Builder hedge(HedgePolicy policy) {
      Checks.checkNotSet("hedge", hedge != null);
      this.hedge = policy;
      return this;
    }

    /**
     * Caps hedge load; default a ratio budget of {@value #DEFAULT_HEDGE_PERCENT} of requests plus
     * {@value #DEFAULT_HEDGES_PER_SECOND} hedge a second, on this pipeline's ticker.
     */
    public Builder hedgeBudget(RetryBudget newBudget) {
      Checks.checkNotSet("hedgeBudget", hedgeBudget != null);
      this.hedgeBudget = newBudget;
      return this;
    }

    /**
     * Client-side adaptive throttling (Google SRE): while the upstream keeps refusing as overloaded, attempts are
     * refused locally, before they are sent, with a probability that grows with the refusals. It sits with the
     * circuit breaker, ahead of it. Share one throttle per upstream.
     */
    public Builder adaptiveThrottle(AdaptiveThrottle newThrottle) {
      Checks.checkNotSet("adaptiveThrottle", throttle != null);
      this.throttle = newThrottle;
      return this;
    }

    /**
     * The circuit breaker slot: every attempt asks it first; an open breaker rejects the call at once with a
     * {@link dev.blastwall.failure.CallNotPermittedException}. Share one breaker per upstream.
     */
    public Builder circuitBreaker(CircuitBreaker newBreaker) {
      Checks.checkNotSet("circuitBreaker", breaker != null);
      this.breaker = newBreaker;
      return this;
    }

    /**
     * The rate limiter slot: each attempt takes a permit, waiting up to {@code maxWait} (and never past the
     * deadline) for one; otherwise a {@link dev.blastwall.failure.RateLimitedException} carries how long until
     * the next permit.
     */
    public Builder rateLimiter(RateLimiter newLimiter, Duration maxWait) {
      Checks.checkNotSet("rateLimiter", limiter != null);
      this.limiter = newLimiter;
      this.limiterMaxWait = Checks.checkNotNegative("maxWait", maxWait);
      return this;
    }

    /**
     * The bulkhead slot: at most its limit of attempts in flight to this upstream; a full bulkhead queues the
     * attempt within its own wait (never past the deadline) or rejects it with a
     * {@link dev.blastwall.failure.BulkheadFullException}.
     */
    public Builder bulkhead(SemaphoreBulkhead newBulkhead) {
      Checks.checkNotSet("bulkhead", bulkhead != null);
      this.bulkhead = newBulkhead;
      return this;
    }

    /** The attempt timeout slot: each attempt is stopped after {@code perAttempt}. Must be positive. */
    public Builder attemptTimeout(Duration perAttempt) {
      Checks.checkNotSet("attemptTimeout", attemptTimeout != null);
      this.attemptTimeout = Checks.checkPositive("attemptTimeout", perAttempt);
      return this;
    }

    /**
     * The idempotency of calls that do not state their own; default {@link Idempotency#NON_IDEMPOTENT}, so
     * nothing is retried until someone says it is safe.
     */
    public Builder idempotency(Idempotency defaultIdempotency) {
      Checks.checkNotSet("idempotency", idempotency != null);
      this.idempotency = defaultIdempotency;
      return this;
    }

    /**
     * Receives every event of this pipeline; default none (and then no event object is ever built while no
     * listener is {@linkplain Pipeline#addListener added}).
     */
    public Builder listener(EventListener newListener) {
      Checks.checkNotSet("listener", listenerSet);
      this.listener = newListener;
      this.listenerSet = true;
      return this;
    }

    public Pipeline build() {
      if (hedge != null && retry != null && retry.maxAttempts() > 1) {
        throw new IllegalStateException(Checks.invalid("retry", retry,
            "no retry when hedging (a hedge already repeats the call; set one of retry and hedge)"));
      }
      return new Pipeline(this);
    }
  }
}
