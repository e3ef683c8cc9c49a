package dev.blastwall.registry;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.event.Subscription;
import dev.blastwall.config.BlastwallConfig;
import dev.blastwall.config.ConfigReader;
import dev.blastwall.config.FlatConfig;
import dev.blastwall.config.PipelineConfig;
import dev.blastwall.internal.Checks;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.ratelimit.RateLimiter;
import dev.blastwall.retry.RatioRetryBudget;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.time.Environment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The pipelines of one service, one per upstream it calls, each with its own circuit breaker, bulkhead, rate
 * limiter and budgets, so that one bad dependency cannot take the calls to another down with it: an open breaker,
 * a full bulkhead or a spent budget stays with the upstream it belongs to.
 *
 * <pre>{@code
 * UpstreamRegistry upstreams = UpstreamRegistry.fromConfig(properties, Environment.system());
 * Item item = upstreams.pipeline("inventory").call(() -> inventory.getItem(id));
 * upstreams.register("search", upstreams.pipelineBuilder("search").timeout(Duration.ofMillis(200)).build());
 *
 * for (UpstreamState state : upstreams.states()) {
 *   dashboard.show(state.upstream(), state.breaker(), state.bulkhead(), state.retryBudgetBalance());
 * }
 * }</pre>
 *
 * <p>{@link #register} refuses a pipeline that shares a breaker, bulkhead, rate limiter or budget with another
 * upstream's (sharing is what isolation rules out; {@link RetryBudget#unlimited()} keeps no account and may be
 * shared). The configuration keys of {@link #fromConfig} are listed in {@code docs/configuration.md}.
 *
 * <p>A registry runs on one {@link Environment}: the pipelines it builds from configuration, and their breakers,
 * budgets, rate limiters and hedge policies, read its ticker; {@link #pipelineBuilder} starts a pipeline on it; and
 * {@link #register} refuses a pipeline on another ticker, so every deadline its pipelines make compares with every
 * other and with those of the adapters on the same environment.
 *
 * <p>Thread-safe. Looking a pipeline up is lock-free; registrations are serialized, so the isolation check sees
 * every other registration.
 */
public final class UpstreamRegistry {

  /** A registered pipeline and its settings, described once since a pipeline never changes. */
  private record Entry(Pipeline pipeline, String settings) {}

  private final Environment environment;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final ReentrantLock registering = new ReentrantLock();
  /** The actions of {@link #forEachPipeline}, run for each registration; changed and run under the lock. */
  private final List<Consumer<? super Pipeline>> watchers = new CopyOnWriteArrayList<>();

  /** An empty registry on {@link Environment#system()}. */
  public UpstreamRegistry() {
    this(Environment.system());
  }

  /**
   * An empty registry on {@code environment}.
   *
   * @throws IllegalArgumentException if {@code environment} is null
   */
  public UpstreamRegistry(Environment environment) {
    if (environment == null) {
      throw Checks.invalidArgument("environment", "null", "an Environment, e.g. Environment.system()");
    }
    this.environment = environment;
  }

  /**
   * A registry with one pipeline for each upstream named in {@code config}, whose keys look like
   * {@code upstreams.inventory.timeout=300ms}; see {@code docs/configuration.md} for every key. The same as
   * {@link #fromConfig(BlastwallConfig, Environment)} of the model {@link FlatConfig} reads.
   *
   * @throws IllegalArgumentException for any key that is not a known setting of an upstream and for any value that
   *     does not parse or fits no other setting, with a message naming the full key, like
   *     {@code upstreams.inventory.retry.max-attempts: "abc" (expected: an integer 1..10)}
   */
  public static UpstreamRegistry fromConfig(Map<String, String> config, Environment environment) {
    return fromConfig(ConfigReader.read(FlatConfig.tree(config)), environment);
  }

  /**
   * A registry on {@code environment} with one pipeline for each of {@code config}'s upstreams, each with its own
   * breaker, bulkhead, limiter and budgets. Every pipeline runs on {@code environment}: its breaker, budgets, rate
   * limiter and hedge policy read the environment's ticker, it waits and times out through its scheduler and
   * jitters with its random source.
   *
   * @throws IllegalArgumentException for settings the policies refuse together, naming the upstream
   */
  public static UpstreamRegistry fromConfig(BlastwallConfig config, Environment environment) {
    UpstreamRegistry registry = new UpstreamRegistry(environment);
    config.upstreams().forEach((name, pipeline) -> registry.register(name, build(name, pipeline, environment)));
    return registry;
  }

  private static Pipeline build(String name, PipelineConfig config, Environment environment) {
    try {
      return config.toBuilder(name, environment).build();
    } catch (IllegalArgumentException | IllegalStateException refused) {
      // A combination the policies' builders refuse that the reader did not foresee: still say which upstream.
      throw new IllegalArgumentException(FlatConfig.PREFIX + name + ": " + refused.getMessage(), refused);
    }
  }

  /** The environment this registry's pipelines run on. */
  public Environment environment() {
    return environment;
  }

  /** A builder for the pipeline of {@code upstream} on this registry's environment; register what it builds. */
  public Pipeline.Builder pipelineBuilder(String upstream) {
    return Pipeline.builder(upstream).environment(environment);
  }

  /**
   * Registers {@code pipeline} as the one for {@code upstream}.
   *
   * @return this registry
   * @throws IllegalArgumentException if the pipeline was built for another upstream name, runs on another
   *     ticker than this registry's environment, or shares a breaker, bulkhead, rate limiter or budget with another
   *     upstream's pipeline
   * @throws IllegalStateException if {@code upstream} already has a pipeline
   */
  public UpstreamRegistry register(String upstream, Pipeline pipeline) {
    registering.lock();
    try {
      add(upstream, pipeline);
    } finally {
      registering.unlock();
    }
    return this;
  }

  /**
   * The pipeline of {@code upstream}.
   *
   * @throws IllegalArgumentException if none is registered; the message lists the upstreams that are
   */
  public Pipeline pipeline(String upstream) {
    return entry(upstream).pipeline();
  }

  /**
   * The pipeline of {@code upstream}, created by {@code factory} (given the upstream's name) and registered if
   * there is none yet. At most one pipeline is ever created per upstream: concurrent callers wait for the first.
   *
   * @throws IllegalArgumentException if the created pipeline was built for another name, runs on another ticker
   *     or shares a policy with another upstream's (it is then not registered)
   */
  public Pipeline getOrCreate(String upstream, Function<String, Pipeline> factory) {
    Entry existing = entries.get(upstream);
    if (existing != null) {
      return existing.pipeline();
    }
    registering.lock();
    try {
      existing = entries.get(upstream);
      if (existing != null) {
        return existing.pipeline();
      }
      // Code that does not check nulls may still hand one back.
      Pipeline created = Objects.requireNonNull(factory.apply(upstream), "factory returned null");
      add(upstream, created);
      return created;
    } finally {
      registering.unlock();
    }
  }

  /**
   * Runs {@code action} for every pipeline registered now, in upstream order, and for each one registered later
   * (by {@link #register} or {@link #getOrCreate}) until the subscription is closed: what an observer such as a
   * metrics binder needs to miss no upstream and see none twice. Runs under the registration lock, so it must be
   * quick; an exception it throws comes out of the call that registered the pipeline (which stays registered).
   */
  public Subscription forEachPipeline(Consumer<? super Pipeline> action) {
    registering.lock();
    try {
      for (String upstream : upstreams()) {
        Entry entry = entries.get(upstream);
        if (entry != null) {
          action.accept(entry.pipeline());
        }
      }
      // A wrapper of its own, so the same action watching twice is removed once per close.
      Consumer<Pipeline> watcher = action::accept;
      watchers.add(watcher);
      return () -> {
        registering.lock();
        try {
          watchers.remove(watcher);
        } finally {
          registering.unlock();
        }
      };
    } finally {
      registering.unlock();
    }
  }

  /** The names of the registered upstreams, sorted; a snapshot, not a live view. */
  public Set<String> upstreams() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(entries.keySet()));
  }

  /** The state of every registered upstream, sorted by name. */
  public List<UpstreamState> states() {
    List<UpstreamState> states = new ArrayList<>();
    for (String upstream : upstreams()) {
      Entry entry = entries.get(upstream);
      if (entry != null) {
        states.add(stateOf(upstream, entry));
      }
    }
    return Collections.unmodifiableList(states);
  }

  /**
   * The state of {@code upstream}.
   *
   * @throws IllegalArgumentException if it is not registered; the message lists the upstreams that are
   */
  public UpstreamState state(String upstream) {
    return stateOf(upstream, entry(upstream));
  }

  @Override
  public String toString() {
    return "UpstreamRegistry" + upstreams();
  }

  private Entry entry(String upstream) {
    Entry entry = entries.get(upstream);
    if (entry == null) {
      Set<String> known = upstreams();
      throw Checks.invalidArgument("upstream", '"' + upstream + '"', known.isEmpty()
          ? "a registered upstream; none is registered"
          : "a registered upstream, one of: " + String.join(", ", known));
    }
    return entry;
  }

  /** Checks and adds; the registering lock is held. */
  private void add(String upstream, Pipeline pipeline) {
    if (upstream.isBlank()) {
      throw Checks.invalidArgument("upstream", '"' + upstream + '"', "a non-blank name");
    }
    if (!pipeline.upstream().equals(upstream)) {
      // Events and errors name the pipeline's upstream: a second name for it would split one upstream's story.
      throw Checks.invalidArgument("pipeline", pipeline,
          "a pipeline built for upstream \"" + upstream + "\" (Pipeline.builder(\"" + upstream + "\"))");
    }
    if (pipeline.environment().ticker() != environment.ticker()) {
      // Deadlines on two tickers cannot be compared: a caller's deadline would meet this pipeline's timeout and fail.
      throw Checks.invalidArgument("pipeline", "for \"" + upstream + "\" on " + pipeline.environment().ticker(),
          "a pipeline on the registry's ticker (" + environment.ticker()
              + "): build it with pipelineBuilder(\"" + upstream + "\") or Pipeline.builder(...).environment(...)");
    }
    if (entries.containsKey(upstream)) {
      throw new IllegalStateException(Checks.invalid("upstream", '"' + upstream + '"',
          "one pipeline per upstream; this one is registered already"));
    }
    for (Map.Entry<String, Entry> other : entries.entrySet()) {
      checkIsolated(upstream, pipeline, other.getKey(), other.getValue().pipeline());
    }
    entries.put(upstream, new Entry(pipeline, settings(pipeline)));
    for (Consumer<? super Pipeline> watcher : watchers) {
      watcher.accept(pipeline);
    }
  }

  private static void checkIsolated(String upstream, Pipeline pipeline, String otherName, Pipeline other) {
    String shared = null;
    if (pipeline.circuitBreaker() != null && pipeline.circuitBreaker() == other.circuitBreaker()) {
      shared = "circuit breaker";
    } else if (pipeline.bulkhead() != null && pipeline.bulkhead() == other.bulkhead()) {
      shared = "bulkhead";
    } else if (pipeline.rateLimiter() != null && pipeline.rateLimiter() == other.rateLimiter()) {
      shared = "rate limiter";
    } else if (sharesAccount(pipeline.retryBudget(), other.retryBudget(), other.hedgeBudget())) {
      shared = "retry budget";
    } else if (sharesAccount(pipeline.hedgeBudget(), other.retryBudget(), other.hedgeBudget())) {
      shared = "hedge budget";
    }
    if (shared != null) {
      throw Checks.invalidArgument("pipeline", "for \"" + upstream + "\"", "its own " + shared
          + ", not the one upstream \"" + otherName + "\" uses (one upstream's trouble must not reach another)");
    }
  }

  private static boolean sharesAccount(RetryBudget budget, RetryBudget otherRetries, RetryBudget otherHedges) {
    return budget != RetryBudget.unlimited() && (budget == otherRetries || budget == otherHedges);
  }

  private static UpstreamState stateOf(String upstream, Entry entry) {
    Pipeline pipeline = entry.pipeline();
    CircuitBreaker breaker = pipeline.circuitBreaker();
    SemaphoreBulkhead bulkhead = pipeline.bulkhead();
    return new UpstreamState(upstream, breaker == null ? null : breaker.snapshot(),
        bulkhead == null ? null : bulkhead.snapshot(), pipeline.retryBudget().balance(),
        pipeline.hedgeBudget().balance(), entry.settings());
  }

  /** The pipeline's configuration as one line; no live numbers, which the state's snapshots carry. */
  static String settings(Pipeline pipeline) {
    StringBuilder text = new StringBuilder(pipeline.toString())
        .append(", idempotency=").append(pipeline.defaultIdempotency().idempotent() ? "idempotent" : "non-idempotent")
        .append(", retryBudget=").append(describe(pipeline.retryBudget()))
        .append(", hedgeBudget=").append(describe(pipeline.hedgeBudget()));
    CircuitBreaker breaker = pipeline.circuitBreaker();
    if (breaker != null) {
      text.append(", circuitBreaker=").append(breaker.name());
    }
    RateLimiter limiter = pipeline.rateLimiter();
    if (limiter != null) {
      text.append(", rateLimiter=").append(limiter);
    }
    SemaphoreBulkhead bulkhead = pipeline.bulkhead();
    if (bulkhead != null) {
      text.append(", bulkhead=[maxConcurrentCalls=").append(bulkhead.maxConcurrentCalls())
          .append(", maxWaiting=").append(bulkhead.maxWaiting())
          .append(", maxWait=").append(bulkhead.maxWait()).append(']');
    }
    return text.toString();
  }

  private static String describe(RetryBudget budget) {
    if (budget == RetryBudget.unlimited()) {
      return "unlimited";
    }
    if (budget instanceof RatioRetryBudget ratio) {
      return "ratio[percentCanRetry=" + ratio.percentCanRetry() + ", window=" + ratio.window()
          + ", minRetriesPerSecond=" + ratio.minRetriesPerSecond() + "]";
    }
    // Other budgets' own descriptions include their live balance, which the state reports on its own.
    return budget.getClass().getSimpleName();
  }
}
