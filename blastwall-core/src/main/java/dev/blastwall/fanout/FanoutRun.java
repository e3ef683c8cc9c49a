package dev.blastwall.fanout;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.fallback.Answer;
import dev.blastwall.fallback.Fallback;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.fanout.Fanout.PartSpec;
import dev.blastwall.internal.Failures;
import dev.blastwall.time.Cancellable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One run of a {@link Fanout}.
 *
 * <p>Parts end on whatever thread completes them, while the deadline timer and the caller's cancellation may
 * close the run from others, so each part's outcome is set once by compare-and-set: whoever sets it decides how
 * the part ended, and everyone else leaves it alone. The result is built only after every outcome is set, so it
 * is the same whoever builds it.
 */
final class FanoutRun {

  private final Fanout fanout;
  private final CompletableFuture<FanoutResult> result = new CompletableFuture<>();
  private final List<Part<?>> parts;
  private final AtomicInteger unfinished;
  private final AtomicReference<@Nullable Part<?>> failedRequired = new AtomicReference<>();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final long startNanos;
  private final CallContext context;
  private final @Nullable Deadline deadline;
  private volatile @Nullable Cancellable timer;

  FanoutRun(Fanout fanout, CallContext parent) {
    this.fanout = fanout;
    this.startNanos = fanout.ticker.nanos();
    Deadline own = fanout.deadlineNanos < 0 ? null : Deadline.afterNanos(fanout.deadlineNanos, fanout.ticker);
    // A child cancellation: the run can be stopped without touching the caller, and the caller giving up still
    // reaches every part.
    this.context = parent.withDeadline(own).withChildCancellation();
    this.deadline = context.deadline();
    List<Part<?>> created = new ArrayList<>(fanout.parts.size());
    for (PartSpec<?> spec : fanout.parts) {
      created.add(new Part<>(spec, context.withChildCancellation()));
    }
    this.parts = created;
    this.unfinished = new AtomicInteger(created.size());
  }

  CompletableFuture<FanoutResult> start() {
    // Whoever holds the future holds the run: cancelling it stops every part still running.
    var unused = result.whenComplete((value, failure) -> {
      if (failure instanceof CancellationException) {
        context.cancellation().cancel(
            new CancellationException("fanout \"" + fanout.name + "\" cancelled by its caller"));
      }
    });
    context.cancellation().onCancel(() -> close(PartStatus.CANCELLED,
        Objects.requireNonNullElseGet(context.cancellation().cause(), CancellationException::new)));
    if (finished.get()) {
      return result; // The caller had given up before the run started.
    }
    Deadline shared = deadline;
    if (shared != null) {
      long remaining = shared.remainingNanos();
      if (remaining <= 0) {
        close(PartStatus.TIMED_OUT, null);
        return result;
      }
      // Scheduled before any part starts, so that at the very deadline it runs before the parts' own timers and
      // the parts end as TIMED_OUT by the fanout's decision rather than as whatever their pipelines make of it.
      timer = fanout.scheduler.schedule(() -> close(PartStatus.TIMED_OUT, null), remaining);
    }
    for (Part<?> part : parts) {
      // A part that failed at once may have closed the run before the later parts started.
      if (part.outcome.get() == null) {
        start(part);
      }
    }
    return result;
  }

  private <T extends @Nullable Object> void start(Part<T> part) {
    PartSpec<T> spec = part.spec;
    // Counting attempts here is the only way to know how many a part made when the fanout stops it.
    Supplier<CompletionStage<T>> counted = () -> {
      part.attempts.incrementAndGet();
      return spec.task.get();
    };
    CompletableFuture<T> future;
    try {
      future = part.context.call(() -> spec.pipeline.callAsync(spec.idempotency, counted));
    } catch (Exception startFailed) {
      // A deadline on another ticker, for one: report it as the part's failure rather than lose the run.
      future = CompletableFuture.failedFuture(startFailed);
    }
    part.future = future;
    if (part.outcome.get() != null) {
      // Closed by another thread while starting: close() may have looked for the future before it existed.
      future.cancel(/* mayInterruptIfRunning= */ true);
      return;
    }
    var unused = future.whenComplete((value, failure) -> partDone(part, value, failure));
  }

  /** Records how a started part ended; {@code value} means something only when {@code thrown} is null. */
  private <T extends @Nullable Object> void partDone(Part<T> part, T value, @Nullable Throwable thrown) {
    if (part.outcome.get() != null) {
      return; // Stopped by the run, which already said how it ended.
    }
    PartResult outcome;
    if (thrown == null) {
      outcome = answered(part, value);
    } else {
      Throwable failure = Failures.delivered(thrown);
      Throwable cancelled = context.cancellation().cause();
      if (cancelled != null) {
        outcome = ended(part, PartStatus.CANCELLED, cancelled);
      } else if (isSharedDeadline(failure)) {
        outcome = failedOrDegraded(part, PartStatus.TIMED_OUT, failure);
      } else {
        outcome = failedOrDegraded(part, PartStatus.FAILED, failure);
      }
    }
    if (!settle(part, outcome)) {
      return;
    }
    if (outcome.status() == PartStatus.TIMED_OUT) {
      close(PartStatus.TIMED_OUT, null);
    } else if (part.spec.key.required() && !outcome.hasValue()) {
      CancellationException why = new CancellationException(
          "fanout \"" + fanout.name + "\": required part \"" + part.spec.key.name() + "\" failed");
      why.initCause(outcome.cause());
      close(PartStatus.CANCELLED, why);
    } else if (unfinished.get() == 0) {
      finish();
    }
  }

  /** Whether {@code failure} is a part's pipeline giving up because the shared deadline passed. */
  private boolean isSharedDeadline(Throwable failure) {
    return deadline != null && deadline.isExpired()
        && FailureClassifier.defaults().classify(failure) == FailureKind.DEADLINE_EXCEEDED;
  }

  /**
   * Ends every unfinished part with {@code status}, stops it, and completes the result.
   *
   * @param cause why the parts were cancelled; null for a timeout, whose cause is made per part
   */
  private void close(PartStatus status, @Nullable Throwable cause) {
    for (Part<?> part : parts) {
      if (part.outcome.get() != null) {
        continue;
      }
      Throwable why = cause != null ? cause : timeout(part);
      PartResult outcome = status == PartStatus.TIMED_OUT
          ? failedOrDegraded(part, PartStatus.TIMED_OUT, why)
          : ended(part, status, why);
      if (settle(part, outcome)) {
        part.stop(why);
      }
    }
    finish();
  }

  private DeadlineExceededException timeout(Part<?> part) {
    Deadline shared = deadline;
    long remaining = shared == null ? 0 : shared.remainingNanos();
    return new DeadlineExceededException(part.spec.pipeline.upstream(),
        "fanout \"" + fanout.name + "\" deadline passed while part \"" + part.spec.key.name() + "\" was running",
        part.attempts.get(), remaining, null);
  }

  private boolean settle(Part<?> part, PartResult outcome) {
    if (!part.outcome.compareAndSet(null, outcome)) {
      return false;
    }
    if (part.spec.key.required() && !outcome.hasValue()) {
      failedRequired.compareAndSet(null, part);
    }
    unfinished.decrementAndGet();
    return true;
  }

  /** Completes the result; called only once every part's outcome is set. */
  private void finish() {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    Cancellable pending = timer;
    if (pending != null) {
      pending.cancel();
    }
    List<PartResult> outcomes = new ArrayList<>(parts.size());
    for (Part<?> part : parts) {
      outcomes.add(Objects.requireNonNull(part.outcome.get(), "every part has ended"));
    }
    Part<?> failed = failedRequired.get();
    result.complete(new FanoutResult(fanout.name, fanout.owner, outcomes,
        failed == null ? null : failed.outcome.get(), fanout.ticker.nanos() - startNanos));
  }

  private <T extends @Nullable Object> PartResult answered(Part<T> part, T value) {
    Fallback<T> fallback = part.spec.fallback;
    if (fallback == null) {
      return PartResult.of(part.spec.key.name(), part.spec.key.required(),
          Answer.ok(value), elapsed());
    }
    try {
      return PartResult.of(part.spec.key.name(), false, fallback.answer(value), elapsed());
    } catch (RuntimeException fallbackFailed) {
      return ended(part, PartStatus.FAILED, fallbackFailed);
    }
  }

  private <T extends @Nullable Object> PartResult failedOrDegraded(Part<T> part, PartStatus status,
      Throwable failure) {
    Fallback<T> fallback = part.spec.fallback;
    if (fallback == null) {
      return ended(part, status, failure);
    }
    try {
      if (!fallback.handles(failure)) {
        return ended(part, status, failure);
      }
      return PartResult.of(part.spec.key.name(), false, fallback.recover(failure), elapsed());
    } catch (RuntimeException fallbackFailed) {
      // The fallback's own failure, with the part's attached as suppressed by Fallback.recover.
      return ended(part, PartStatus.FAILED, fallbackFailed);
    }
  }

  private PartResult ended(Part<?> part, PartStatus status, Throwable cause) {
    return new PartResult(part.spec.key.name(), part.spec.key.required(), status, null, null, cause, elapsed());
  }

  private long elapsed() {
    return fanout.ticker.nanos() - startNanos;
  }

  /** One part's state in this run. */
  private static final class Part<T extends @Nullable Object> {
    final PartSpec<T> spec;
    final CallContext context;
    final AtomicReference<@Nullable PartResult> outcome = new AtomicReference<>();
    final AtomicInteger attempts = new AtomicInteger();
    volatile @Nullable CompletableFuture<T> future;

    Part(PartSpec<T> spec, CallContext context) {
      this.spec = spec;
      this.context = context;
    }

    /** Stops the part: code inside it sees its context cancelled, and its pipeline stops retrying. */
    void stop(Throwable cause) {
      context.cancellation().cancel(cause);
      CompletableFuture<T> running = future;
      if (running != null) {
        running.cancel(/* mayInterruptIfRunning= */ true);
      }
    }
  }
}
