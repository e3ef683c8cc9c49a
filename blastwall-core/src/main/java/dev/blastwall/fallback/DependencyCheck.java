package dev.blastwall.fallback;

import dev.blastwall.context.Idempotency;
import dev.blastwall.internal.Checks;
import dev.blastwall.pipeline.Pipeline;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A yes/no decision made by another service (authorization, a fraud check, a feature entitlement), with an
 * explicit answer for when that service cannot decide: its {@link Posture}.
 *
 * <p>There is no default posture, because neither is safe everywhere. Authorization fails <em>closed</em>: while
 * it is down, requests are denied, which is an outage but not a breach. Personalization fails <em>open</em>: a
 * generic page beats an error page. A fraud check usually fails open too, with the request flagged for review
 * (the {@linkplain Answer#degraded() degraded} answer is that flag), since refusing every payment during the
 * outage costs more than reviewing them later.
 *
 * <pre>{@code
 * DependencyCheck authz = DependencyCheck.builder("authz", Posture.FAIL_CLOSED).build();
 * if (!authz.check(authzPipeline, () -> authzClient.canRead(user, doc))) { throw new Forbidden(); }
 *
 * DependencyCheck fraud = DependencyCheck.builder("fraud-check", Posture.FAIL_OPEN).build();
 * Answer<Boolean> verdict = fraud.decide(fraudPipeline, () -> fraudClient.looksFine(payment));
 * if (verdict.degraded()) { reviewQueue.add(payment, verdict.reason()); }
 * }</pre>
 *
 * <p>Every failure of the guarded call (after the pipeline's retries and deadline) gets the posture's answer;
 * {@link Error}s propagate. An interrupt also gets the posture's answer, with the thread's interrupt status
 * restored for the caller to act on. The dependency's own "no" is an answer, not a failure: it is returned as a
 * real {@code false}.
 *
 * <p>Immutable and thread-safe; built by a {@link Builder}, which is not thread-safe.
 */
public final class DependencyCheck {

  private final String name;
  private final Posture posture;
  private final String reason;

  private DependencyCheck(Builder builder) {
    this.name = builder.name;
    this.posture = builder.posture;
    this.reason = builder.reason != null ? builder.reason
        : name + " unavailable: failing " + (posture == Posture.FAIL_OPEN ? "open" : "closed");
  }

  /**
   * A builder for the check of dependency {@code name} (used in reasons). The posture is required: choosing
   * between allowing and denying during an outage is a decision someone has to make.
   *
   * @throws IllegalArgumentException if {@code name} is blank or {@code posture} is null
   */
  public static Builder builder(String name, Posture posture) {
    return new Builder(name, posture);
  }

  /** The dependency's name. */
  public String name() {
    return name;
  }

  /** What this check answers when the dependency cannot. */
  public Posture posture() {
    return posture;
  }

  /** The dependency's answer, or the posture's when it fails: {@code true} for fail open, {@code false} closed. */
  public boolean check(Pipeline pipeline, Callable<Boolean> decision) {
    return decide(pipeline, decision).value();
  }

  /** Like {@link #check(Pipeline, Callable)}, for an operation with the given idempotency. */
  public boolean check(Pipeline pipeline, Idempotency idempotency, Callable<Boolean> decision) {
    return decide(pipeline, idempotency, decision).value();
  }

  /**
   * The dependency's answer as a real {@link Answer}, or the posture's as a degraded one whose reason says so
   * ({@code "authz unavailable: failing closed"}) and whose cause is the failure.
   */
  public Answer<Boolean> decide(Pipeline pipeline, Callable<Boolean> decision) {
    try {
      return answer(pipeline.call(decision));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return fallback(interrupted);
    } catch (Exception failure) {
      return fallback(failure);
    }
  }

  /** Like {@link #decide(Pipeline, Callable)}, for an operation with the given idempotency. */
  public Answer<Boolean> decide(Pipeline pipeline, Idempotency idempotency, Callable<Boolean> decision) {
    try {
      return answer(pipeline.call(idempotency, decision));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return fallback(interrupted);
    } catch (Exception failure) {
      return fallback(failure);
    }
  }

  /**
   * Like {@link #decide(Pipeline, Callable)}, asynchronously: the future always completes with an answer (unless
   * it is cancelled, which cancels the call, or an {@link Error} escapes).
   */
  public CompletableFuture<Answer<Boolean>> decideAsync(
      Pipeline pipeline, Supplier<? extends CompletionStage<Boolean>> decision) {
    return adapt(pipeline.callAsync(decision));
  }

  /** Like {@link #decideAsync(Pipeline, Supplier)}, for an operation with the given idempotency. */
  public CompletableFuture<Answer<Boolean>> decideAsync(
      Pipeline pipeline, Idempotency idempotency, Supplier<? extends CompletionStage<Boolean>> decision) {
    return adapt(pipeline.callAsync(idempotency, decision));
  }

  private CompletableFuture<Answer<Boolean>> adapt(CompletableFuture<Boolean> call) {
    CompletableFuture<Answer<Boolean>> result = new CompletableFuture<>();
    var unused = call.whenComplete((value, failure) -> {
      if (failure instanceof Error error) {
        result.completeExceptionally(error);
      } else if (failure != null) {
        result.complete(fallback(failure));
      } else {
        result.complete(answer(value));
      }
    });
    var unusedDependent = result.whenComplete((answer, failure) -> {
      if (failure instanceof CancellationException) {
        call.cancel(/* mayInterruptIfRunning= */ true);
      }
    });
    return result;
  }

  private Answer<Boolean> answer(@Nullable Boolean value) {
    // Code outside null checking can still hand back null; "no answer" is a failure to decide, not a "no".
    return value == null
        ? fallback(new IllegalStateException(name + " returned no answer"))
        : Answer.ok(value);
  }

  private Answer<Boolean> fallback(Throwable failure) {
    return Answer.degraded(posture == Posture.FAIL_OPEN, reason, failure);
  }

  @Override
  public String toString() {
    return "DependencyCheck[" + name + ", " + posture + "]";
  }

  /** Builds a {@link DependencyCheck}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final Posture posture;
    private @Nullable String reason;

    @SuppressWarnings("NullAway") // Checks the null that callers outside null checking may still pass.
    private Builder(String name, Posture posture) {
      if (name.isBlank()) {
        throw Checks.invalidArgument("name", '"' + name + '"', "a non-blank name");
      }
      if (posture == null) {
        throw Checks.invalidArgument("posture", "null", "FAIL_OPEN or FAIL_CLOSED, chosen explicitly");
      }
      this.name = name;
      this.posture = posture;
    }

    /**
     * The reason degraded answers carry; default {@code "<name> unavailable: failing open"} or
     * {@code "... failing closed"}.
     */
    public Builder reason(String degradedReason) {
      Checks.checkNotSet("reason", reason != null);
      if (degradedReason.isBlank()) {
        throw Checks.invalidArgument("reason", '"' + degradedReason + '"', "a non-blank reason");
      }
      this.reason = degradedReason;
      return this;
    }

    public DependencyCheck build() {
      return new DependencyCheck(this);
    }
  }
}
