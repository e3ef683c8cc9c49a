package dev.blastwall.fanout;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.fallback.Fallback;
import dev.blastwall.internal.Checks;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.time.Scheduler;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Calls several upstreams in parallel under one shared deadline and gathers what comes back: the aggregator that
 * got 7 of 10 answers in time returns a partial response with the 3 missing parts flagged, instead of an error
 * or a late answer.
 *
 * <pre>{@code
 * Fanout.Builder home = Fanout.builder("home").deadline(Duration.ofMillis(250));
 * PartKey<Profile> profile = home.required("profile", profiles, Idempotency.IDEMPOTENT, () -> profileClient.get(id));
 * PartKey<List<Ad>> ads = home.optional("ads", adServer, Idempotency.IDEMPOTENT, () -> adClient.pick(id), null);
 * PartKey<Feed> recs = home.optional("recs", ranker, Idempotency.IDEMPOTENT, () -> rankerClient.rank(id),
 *     chronologicalFallback);
 * FanoutResult result = home.build().run();
 * }</pre>
 *
 * <p>A run starts every part at once, each through its own pipeline ({@link Pipeline#callAsync}, so each part's
 * retries and attempt timeouts apply inside the shared deadline) and in a {@link CallContext} that carries the
 * shared deadline and its own child {@link dev.blastwall.context.Cancellation}. The shared deadline is the
 * fanout's {@linkplain Builder#deadline own}, or the caller's context deadline if that is earlier. The result
 * is ready when every part has ended, and at once, without waiting for the rest, when:
 *
 * <ul>
 *   <li>a <em>required</em> part fails (after its pipeline gave up): the other unfinished parts are
 *       {@link PartStatus#CANCELLED};
 *   <li>the shared deadline passes: unfinished parts are {@link PartStatus#TIMED_OUT} (or
 *       {@link PartStatus#DEGRADED} when their fallback handles the {@link
 *       dev.blastwall.failure.DeadlineExceededException} they get), and the result is ready exactly at the
 *       deadline;
 *   <li>the caller's context is cancelled, or the caller cancels the future: unfinished parts are cancelled.
 * </ul>
 *
 * <p>Parts stopped this way are really stopped: their futures are cancelled and their contexts' cancellation is
 * cancelled, so code inside them (and the pipelines' retries) sees it. An optional part that fails, or whose
 * result its fallback rejects, gets its fallback's answer and is {@link PartStatus#DEGRADED}; without a fallback
 * (or when the fallback does not handle the failure) it is {@link PartStatus#FAILED}, and the rest go on.
 *
 * <p>The suppliers are called on the thread that starts the run and must not block, as for
 * {@link Pipeline#callAsync}. The fanout's deadline, the caller's and the pipelines' must all use the same
 * {@link Ticker}: deadlines on different tickers cannot be compared.
 *
 * <p>Immutable and thread-safe; each run calls the parts' suppliers anew. Built by a {@link Builder}, which is not
 * thread-safe.
 */
public final class Fanout {

  final String name;
  final long deadlineNanos;
  final Ticker ticker;
  final Scheduler scheduler;
  final List<PartSpec<?>> parts;
  final Object owner;

  private Fanout(Builder builder) {
    this.name = builder.name;
    this.deadlineNanos = builder.deadline != null ? Checks.saturatedNanos(builder.deadline) : -1;
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.scheduler = builder.scheduler != null ? builder.scheduler : Scheduler.system();
    this.parts = List.copyOf(builder.parts);
    this.owner = builder.owner;
  }

  /** A builder for the fanout called {@code name} (used in results, reasons and errors). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /**
   * Starts every part and returns at once. The future completes with the result, never exceptionally (failed
   * parts are reported in it); cancelling it cancels the unfinished parts.
   *
   * @throws IllegalArgumentException if the caller's context deadline uses another ticker than this fanout
   */
  public CompletableFuture<FanoutResult> runAsync() {
    return new FanoutRun(this, CallContext.current()).start();
  }

  /**
   * Runs every part and waits for the result, on this thread (virtual-thread friendly: it parks).
   *
   * @throws InterruptedException if this thread is interrupted while waiting; the unfinished parts are cancelled
   */
  public FanoutResult run() throws InterruptedException {
    CompletableFuture<FanoutResult> result = runAsync();
    try {
      return result.get();
    } catch (InterruptedException interrupted) {
      result.cancel(/* mayInterruptIfRunning= */ true);
      throw interrupted;
    } catch (ExecutionException unexpected) {
      // runAsync reports failures in the result, so only a bug in Blastwall gets here.
      throw new IllegalStateException("fanout \"" + name + "\" ended without a result", unexpected.getCause());
    }
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    for (PartSpec<?> part : parts) {
      names.add(part.key.name() + (part.key.required() ? "" : "?"));
    }
    return "Fanout[" + name + ", deadline=" + (deadlineNanos < 0 ? "none" : Duration.ofNanos(deadlineNanos))
        + ", parts=" + names + "]";
  }

  /** One part as configured: what to call, through which pipeline, and what to answer when it fails. */
  static final class PartSpec<T extends @Nullable Object> {
    final PartKey<T> key;
    final Pipeline pipeline;
    final Idempotency idempotency;
    final Supplier<? extends CompletionStage<T>> task;
    final @Nullable Fallback<T> fallback;

    PartSpec(PartKey<T> key, Pipeline pipeline, Idempotency idempotency,
        Supplier<? extends CompletionStage<T>> task, @Nullable Fallback<T> fallback) {
      this.key = key;
      this.pipeline = pipeline;
      this.idempotency = idempotency;
      this.task = task;
      this.fallback = fallback;
    }
  }

  /**
   * Builds a {@link Fanout}: options may be set once each; parts are added in the order the result lists them,
   * each under a unique name. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    // Identifies this builder's keys, so a key is never read against another fanout's result by mistake.
    private final Object owner = new Object();
    private final List<PartSpec<?>> parts = new ArrayList<>();
    private final Set<String> partNames = new HashSet<>();
    private @Nullable Duration deadline;
    private @Nullable Ticker ticker;
    private @Nullable Scheduler scheduler;

    private Builder(String name) {
      if (name.isBlank()) {
        throw Checks.invalidArgument("name", '"' + name + '"', "a non-blank name");
      }
      this.name = name;
    }

    /**
     * The deadline shared by all parts, from the start of each run; the caller's context deadline still applies
     * when it is earlier. Must be positive. Without it, only the caller's deadline (if any) and the pipelines'
     * own timeouts bound the run.
     */
    public Builder deadline(Duration shared) {
      Checks.checkNotSet("deadline", deadline != null);
      this.deadline = Checks.checkPositive("deadline", shared);
      return this;
    }

    /** The time source for the deadline and elapsed times; default {@link Ticker#system()}. */
    public Builder ticker(Ticker newTicker) {
      Checks.checkNotSet("ticker", ticker != null);
      this.ticker = newTicker;
      return this;
    }

    /** Runs the deadline timer; default {@link Scheduler#system()}. */
    public Builder scheduler(Scheduler newScheduler) {
      Checks.checkNotSet("scheduler", scheduler != null);
      this.scheduler = newScheduler;
      return this;
    }

    /**
     * Adds a part the fanout cannot do without: when it fails, times out or is cancelled, the whole fanout
     * fails at once.
     *
     * @return the key to read the part's value with
     */
    public <T extends @Nullable Object> PartKey<T> required(String part, Pipeline pipeline, Idempotency idempotency,
        Supplier<? extends CompletionStage<T>> task) {
      return add(part, true, pipeline, idempotency, task, null);
    }

    /**
     * Adds a part the fanout can answer without: when it fails, {@code fallback} (if given and if it handles
     * the failure) answers instead; otherwise the part is missing from a partial result.
     *
     * @return the key to read the part's value with
     */
    public <T extends @Nullable Object> PartKey<T> optional(String part, Pipeline pipeline, Idempotency idempotency,
        Supplier<? extends CompletionStage<T>> task, @Nullable Fallback<T> fallback) {
      return add(part, false, pipeline, idempotency, task, fallback);
    }

    private <T extends @Nullable Object> PartKey<T> add(String part, boolean required, Pipeline pipeline,
        Idempotency idempotency, Supplier<? extends CompletionStage<T>> task, @Nullable Fallback<T> fallback) {
      if (part.isBlank()) {
        throw Checks.invalidArgument("part", '"' + part + '"', "a non-blank name");
      }
      if (partNames.contains(part)) {
        throw Checks.invalidArgument("part", '"' + part + '"', "a name no other part of \"" + name + "\" has");
      }
      PartKey<T> key = new PartKey<>(owner, part, parts.size(), required);
      parts.add(new PartSpec<>(key, pipeline, idempotency, task, fallback));
      partNames.add(part);
      return key;
    }

    /**
     * The fanout, with the parts added so far.
     *
     * @throws IllegalStateException if no part was added
     */
    public Fanout build() {
      if (parts.isEmpty()) {
        throw new IllegalStateException(Checks.invalid("parts", 0, "at least one part"));
      }
      return new Fanout(this);
    }
  }
}
