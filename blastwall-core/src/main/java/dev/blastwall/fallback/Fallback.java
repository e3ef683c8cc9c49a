package dev.blastwall.fallback;

import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Failures;
import dev.blastwall.pipeline.Pipeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A stand-in answer for when a call through a {@link Pipeline} fails or returns something unusable: the
 * outermost slot of the pipeline, so it sees what is left after the deadline, retries and the other policies
 * gave up.
 *
 * <pre>{@code
 * Fallback<Feed> chronological = Fallback.<Feed>builder()
 *     .onFailureKind(FailureKind.UNAVAILABLE, FailureKind.OVERLOADED, FailureKind.TIMEOUT)
 *     .with(failure -> feeds.chronological(user))
 *     .reason("ranker down: chronological")
 *     .build();
 * Answer<Feed> feed = chronological.call(rankerPipeline, Idempotency.IDEMPOTENT, () -> ranker.rank(user));
 * if (feed.degraded()) { degradedAnswers.increment(); }
 * }</pre>
 *
 * <p>When to fall back is always stated: a failure of a listed type, a failure a predicate accepts, a failure of
 * a listed {@linkplain FailureKind kind}, or a result a predicate rejects; any of the configured triggers is
 * enough. A fallback that swallows every failure hides bugs and outages alike, so it has to be asked for by name
 * ({@link Builder#onAnyFailure()}). Whatever the triggers, two things are never handled: an {@link Error}, and an
 * {@link InterruptedException}, which is the caller stopping rather than the dependency failing. Failures that
 * are not handled come out unchanged.
 *
 * <p>Immutable and thread-safe when its predicates and functions are; built by a {@link Builder}, which is not
 * thread-safe.
 *
 * @param <T> the type of the guarded call's result
 */
public final class Fallback<T extends @Nullable Object> {

  private final List<Class<? extends Throwable>> types;
  private final @Nullable Predicate<Throwable> failurePredicate;
  private final Set<FailureKind> kinds;
  private final FailureClassifier classifier;
  private final @Nullable Predicate<? super T> resultPredicate;
  private final boolean anyFailure;
  private final StandIn<T> standIn;
  private final @Nullable String reason;

  private Fallback(Builder<T> builder, StandIn<T> standIn) {
    this.types = builder.types != null ? builder.types : List.of();
    this.failurePredicate = builder.failurePredicate;
    this.kinds = builder.kinds != null ? builder.kinds : EnumSet.noneOf(FailureKind.class);
    this.classifier = builder.classifier != null ? builder.classifier : FailureClassifier.defaults();
    this.resultPredicate = builder.resultPredicate;
    this.anyFailure = builder.anyFailure;
    this.standIn = standIn;
    this.reason = builder.reason;
  }

  /** A new builder. Set at least one trigger and exactly one way to answer. */
  public static <T extends @Nullable Object> Builder<T> builder() {
    return new Builder<>();
  }

  // --- running calls ------------------------------------------------------------------------------------------

  /**
   * Runs {@code task} through {@code pipeline} with the pipeline's default idempotency, on this thread.
   *
   * @return the real answer, or the degraded one when a trigger fired
   * @throws Exception the call's failure when no trigger handles it, or the fallback function's exception (with
   *     the call's failure attached as suppressed)
   */
  public Answer<T> call(Pipeline pipeline, Callable<T> task) throws Exception {
    T value;
    try {
      value = pipeline.call(task);
    } catch (Exception failure) {
      return recoverOrThrow(failure);
    }
    return answer(value);
  }

  /** Like {@link #call(Pipeline, Callable)}, for an operation with the given idempotency. */
  public Answer<T> call(Pipeline pipeline, Idempotency idempotency, Callable<T> task) throws Exception {
    T value;
    try {
      value = pipeline.call(idempotency, task);
    } catch (Exception failure) {
      return recoverOrThrow(failure);
    }
    return answer(value);
  }

  /**
   * Runs {@code task} through {@code pipeline} asynchronously, with the pipeline's default idempotency. The
   * future completes with the real or the degraded answer, or with the failure no trigger handles (or the
   * fallback function's exception). Cancelling it cancels the call.
   */
  public CompletableFuture<Answer<T>> callAsync(Pipeline pipeline, Supplier<? extends CompletionStage<T>> task) {
    return adapt(pipeline.callAsync(task));
  }

  /** Like {@link #callAsync(Pipeline, Supplier)}, for an operation with the given idempotency. */
  public CompletableFuture<Answer<T>> callAsync(
      Pipeline pipeline, Idempotency idempotency, Supplier<? extends CompletionStage<T>> task) {
    return adapt(pipeline.callAsync(idempotency, task));
  }

  // --- the decisions, for code that runs the call itself ------------------------------------------------------

  /**
   * Whether a trigger fires for {@code failure}. Exceptions a future wraps failures in
   * ({@link CompletionException}, {@link ExecutionException}) are looked through. Type triggers also match the
   * failure's causes, so {@code on(IOException.class)} handles an {@code IOException} whether or not retries
   * wrapped it in a {@link dev.blastwall.failure.RetriesExhaustedException}.
   */
  public boolean handles(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    if (unwrapped instanceof Error || unwrapped instanceof InterruptedException) {
      return false;
    }
    if (anyFailure || matchesType(unwrapped)) {
      return true;
    }
    if (failurePredicate != null && failurePredicate.test(unwrapped)) {
      return true;
    }
    return !kinds.isEmpty() && kinds.contains(classifier.classify(unwrapped));
  }

  /**
   * The degraded answer for {@code failure}, which this fallback must {@linkplain #handles handle}.
   *
   * @throws IllegalArgumentException if no trigger fires for {@code failure}
   * @throws RuntimeException what the fallback function threw, with {@code failure} attached as suppressed so
   *     the reason the fallback was needed is not lost
   */
  public Answer<T> recover(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    if (!handles(unwrapped)) {
      throw Checks.invalidArgument("failure", unwrapped, "a failure this fallback handles");
    }
    T value;
    try {
      value = standIn.answer(null, unwrapped);
    } catch (RuntimeException | Error thrown) {
      if (thrown != unwrapped) {
        thrown.addSuppressed(unwrapped);
      }
      throw thrown;
    }
    return Answer.degraded(value, reason != null ? reason : describe(unwrapped), unwrapped);
  }

  /**
   * The answer for a call that returned {@code result}: real, or degraded when the result trigger rejects it.
   * What the fallback function throws comes out unchanged.
   */
  public Answer<T> answer(T result) {
    if (resultPredicate == null || !resultPredicate.test(result)) {
      return Answer.ok(result);
    }
    return Answer.degraded(standIn.answer(result, null), reason != null ? reason : "rejected result", null);
  }

  private Answer<T> recoverOrThrow(Exception failure) throws Exception {
    if (!handles(failure)) {
      throw failure;
    }
    return recover(failure);
  }

  private CompletableFuture<Answer<T>> adapt(CompletableFuture<T> call) {
    CompletableFuture<Answer<T>> result = new CompletableFuture<>();
    var unused = call.whenComplete((value, failure) -> {
      try {
        if (failure == null) {
          result.complete(answer(value));
        } else if (handles(failure)) {
          result.complete(recover(failure));
        } else {
          result.completeExceptionally(Failures.unwrap(failure));
        }
      } catch (Throwable thrown) {
        result.completeExceptionally(thrown);
      }
    });
    // Whoever holds the answer's future holds the call: giving up on one gives up on the other.
    var unusedDependent = result.whenComplete((answer, failure) -> {
      if (failure instanceof CancellationException) {
        call.cancel(/* mayInterruptIfRunning= */ true);
      }
    });
    return result;
  }

  private boolean matchesType(Throwable failure) {
    if (types.isEmpty()) {
      return false;
    }
    // Bounded walk: cause chains can be cyclic.
    Throwable current = failure;
    for (int depth = 0; depth < 16 && current != null; depth++) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(current)) {
          return true;
        }
      }
      current = current.getCause();
    }
    return false;
  }


  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return failure.getClass().getSimpleName() + (message != null ? ": " + message : "");
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("Fallback[");
    if (anyFailure) {
      text.append("any failure, ");
    }
    if (!types.isEmpty()) {
      text.append("on=").append(types.stream().map(Class::getSimpleName).toList()).append(", ");
    }
    if (failurePredicate != null) {
      text.append("failure predicate, ");
    }
    if (!kinds.isEmpty()) {
      text.append("kinds=").append(kinds).append(", ");
    }
    if (resultPredicate != null) {
      text.append("result predicate, ");
    }
    return text.append("reason=").append(reason != null ? '"' + reason + '"' : "from the failure").append(']')
        .toString();
  }

  /** The stand-in value, from the rejected result or from the failure (exactly one of them is given). */
  @FunctionalInterface
  private interface StandIn<T extends @Nullable Object> {
    T answer(@Nullable T rejected, @Nullable Throwable failure);
  }

  /**
   * Builds a {@link Fallback}; each option may be set once, and the three ways to answer ({@code withValue},
   * {@code with}, {@code withResult}) exclude each other. Not thread-safe.
   *
   * @param <T> the type of the guarded call's result
   */
  public static final class Builder<T extends @Nullable Object> {
    private @Nullable List<Class<? extends Throwable>> types;
    private @Nullable Predicate<Throwable> failurePredicate;
    private @Nullable Set<FailureKind> kinds;
    private @Nullable FailureClassifier classifier;
    private @Nullable Predicate<? super T> resultPredicate;
    private boolean anyFailure;
    private @Nullable StandIn<T> standIn;
    private boolean answersFromFailureOnly;
    private @Nullable String reason;

    private Builder() {}

    /** Falls back on failures that are, or are caused by, one of {@code failureTypes}. */
    @SafeVarargs
    public final Builder<T> on(Class<? extends Throwable>... failureTypes) {
      Checks.checkNotSet("on", types != null);
      if (failureTypes.length == 0) {
        throw Checks.invalidArgument("on", "[]", "at least one exception type");
      }
      // Copied element by element: handing the generic array to another varargs method would expose it.
      List<Class<? extends Throwable>> copy = new ArrayList<>(failureTypes.length);
      for (Class<? extends Throwable> type : failureTypes) {
        copy.add(type);
      }
      this.types = List.copyOf(copy);
      return this;
    }

    /** Falls back on failures {@code predicate} accepts (it sees the failure unwrapped from future wrappers). */
    public Builder<T> onFailure(Predicate<Throwable> predicate) {
      Checks.checkNotSet("onFailure", failurePredicate != null);
      this.failurePredicate = predicate;
      return this;
    }

    /** Falls back on failures the {@linkplain #classifier classifier} puts in one of {@code failureKinds}. */
    public Builder<T> onFailureKind(FailureKind... failureKinds) {
      Checks.checkNotSet("onFailureKind", kinds != null);
      if (failureKinds.length == 0) {
        throw Checks.invalidArgument("onFailureKind", "[]", "at least one failure kind");
      }
      this.kinds = EnumSet.copyOf(Arrays.asList(failureKinds));
      return this;
    }

    /**
     * Classifies failures for {@link #onFailureKind}; default {@link FailureClassifier#defaults()}. Use the
     * classifier the pipeline's retry policy uses, so that both agree on what a failure is.
     */
    public Builder<T> classifier(FailureClassifier failureClassifier) {
      Checks.checkNotSet("classifier", classifier != null);
      this.classifier = failureClassifier;
      return this;
    }

    /** Falls back when the call succeeds with a result {@code predicate} rejects (an empty page, a stale value). */
    public Builder<T> onResult(Predicate<? super T> predicate) {
      Checks.checkNotSet("onResult", resultPredicate != null);
      this.resultPredicate = predicate;
      return this;
    }

    /**
     * Falls back on every failure (still never on an {@link Error} or an interrupt). Stated on its own because
     * it also hides the failures nobody expected, bugs included.
     */
    public Builder<T> onAnyFailure() {
      Checks.checkNotSet("onAnyFailure", anyFailure);
      this.anyFailure = true;
      return this;
    }

    /** Answers {@code value} (a default, an empty list, a cached copy taken at build time). */
    public Builder<T> withValue(T value) {
      setStandIn((rejected, failure) -> value, false);
      return this;
    }

    /**
     * Answers what {@code function} computes from the failure. Cannot be combined with {@link #onResult}: a
     * rejected result has no failure to give it.
     */
    public Builder<T> with(Function<Throwable, T> function) {
      setStandIn((rejected, failure) -> {
        if (failure == null) {
          // build() refuses onResult with this kind of answer, so only a failure gets here.
          throw new IllegalStateException("no failure to answer from");
        }
        return function.apply(failure);
      }, true);
      return this;
    }

    /**
     * Answers what {@code function} computes from the rejected result or the failure: exactly one of its
     * arguments is not null.
     */
    public Builder<T> withResult(BiFunction<@Nullable T, @Nullable Throwable, T> function) {
      setStandIn(function::apply, false);
      return this;
    }

    /**
     * The reason degraded answers carry, such as {@code "ranker down: chronological"}; default: the failure's
     * type and message, or {@code "rejected result"}.
     */
    public Builder<T> reason(String degradedReason) {
      Checks.checkNotSet("reason", reason != null);
      if (degradedReason.isBlank()) {
        throw Checks.invalidArgument("reason", '"' + degradedReason + '"', "a non-blank reason");
      }
      this.reason = degradedReason;
      return this;
    }

    private void setStandIn(StandIn<T> newStandIn, boolean fromFailureOnly) {
      Checks.checkNotSet("answer (withValue, with or withResult)", standIn != null);
      this.standIn = newStandIn;
      this.answersFromFailureOnly = fromFailureOnly;
    }

    /**
     * The fallback.
     *
     * @throws IllegalStateException if no trigger or no way to answer was set, or if {@link #onResult} is
     *     combined with {@link #with}
     */
    public Fallback<T> build() {
      if (types == null && failurePredicate == null && kinds == null && resultPredicate == null && !anyFailure) {
        throw new IllegalStateException(Checks.invalid("triggers", "none",
            "on, onFailure, onFailureKind or onResult; onAnyFailure to fall back on every failure"));
      }
      StandIn<T> chosen = standIn;
      if (chosen == null) {
        throw new IllegalStateException(Checks.invalid("answer", "none", "withValue, with or withResult"));
      }
      if (resultPredicate != null && answersFromFailureOnly) {
        throw new IllegalStateException(Checks.invalid("answer", "with(function of the failure)",
            "withValue or withResult when onResult is set, since a rejected result has no failure"));
      }
      return new Fallback<>(this, chosen);
    }
  }
}
