package dev.blastwall.pipeline;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.time.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A scripted fake remote on fake time: attempt N follows step N of the script (the last step repeats), taking the
 * step's duration and then returning its value or throwing its failure.
 *
 * <p>Blocking: {@link #callBlocking()} waits out the duration with {@link FakeScheduler#sleep}, in slices that end
 * at each due task, so an interrupt from a timeout task ends the wait at that moment (as a real interruptible wait
 * would) instead of after the whole duration. Async: {@link #callAsync()} returns a future completed by a task
 * scheduled after the duration; cancelling the future drops that task.
 *
 * <p>Each attempt is recorded with the context it ran in, the fake time it started, and how and when it was
 * stopped, if it was.
 */
final class ScriptedUpstream {

  /** How an attempt learned that it was stopped. */
  enum Stop {
    /** Blocking: its thread was interrupted. */
    INTERRUPTED,
    /** Async: the future it handed out was cancelled. */
    FUTURE_CANCELLED
  }

  private record Step(long nanos, @Nullable String value, @Nullable Throwable failure) {}

  /** One attempt as the upstream saw it. */
  static final class Attempt {
    final CallContext context;
    final long startNanos;
    /** The deadline's remaining time when the attempt started, or null without a deadline. */
    final @Nullable Long remainingNanos;
    private volatile long contextCancelledAtNanos = -1;
    private volatile long stoppedAtNanos = -1;
    private volatile @Nullable Stop stop;

    Attempt(CallContext context, long startNanos) {
      this.context = context;
      this.startNanos = startNanos;
      Deadline deadline = context.deadline();
      this.remainingNanos = deadline == null ? null : deadline.remainingNanos();
    }

    int number() {
      return context.attempt();
    }

    AttemptKind kind() {
      return context.attemptKind();
    }

    Idempotency idempotency() {
      return context.idempotency();
    }

    /** When the attempt's context cancellation fired, or -1 if it never did. */
    long contextCancelledAtNanos() {
      return contextCancelledAtNanos;
    }

    /** When the attempt noticed it was stopped (interrupt or cancelled future), or -1 if it never was. */
    long stoppedAtNanos() {
      return stoppedAtNanos;
    }

    @Nullable Stop stop() {
      return stop;
    }

    void stopped(Stop how, long atNanos) {
      stop = how;
      stoppedAtNanos = atNanos;
    }

    @Override
    public String toString() {
      return "Attempt[" + number() + " " + kind() + " at " + startNanos + " ns, stop=" + stop + "]";
    }
  }

  private final FakeScheduler scheduler;
  private final List<Step> script = new ArrayList<>();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<String>> futures = new CopyOnWriteArrayList<>();
  private final List<String> log = new CopyOnWriteArrayList<>();

  ScriptedUpstream(FakeScheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** Next step: take {@code millis}, then return {@code value}. */
  ScriptedUpstream answer(long millis, String value) {
    script.add(new Step(Duration.ofMillis(millis).toNanos(), value, null));
    return this;
  }

  /** Next step: take {@code millis}, then throw {@code failure}. */
  ScriptedUpstream fail(long millis, Throwable failure) {
    script.add(new Step(Duration.ofMillis(millis).toNanos(), null, failure));
    return this;
  }

  List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  Attempt attempt(int number) {
    return attempts.get(number - 1);
  }

  /** What the upstream saw, in order: "start N" when attempt N begins, "cancelled N" when its context is. */
  List<String> log() {
    return List.copyOf(log);
  }

  /** The futures handed out by {@link #callAsync()}, one per async attempt. */
  List<CompletableFuture<String>> futures() {
    return List.copyOf(futures);
  }

  /** One blocking attempt. */
  String callBlocking() throws Exception {
    Step step = begin();
    Attempt attempt = attempts.get(attempts.size() - 1);
    try {
      sleepInterruptibly(step.nanos());
    } catch (InterruptedException interrupted) {
      attempt.stopped(Stop.INTERRUPTED, scheduler.ticker().nanos());
      throw interrupted;
    }
    Throwable failure = step.failure();
    if (failure == null) {
      return valueOf(step);
    }
    if (failure instanceof Exception exception) {
      throw exception;
    }
    throw (Error) failure;
  }

  /** One async attempt: returns at once, completes after the step's duration. */
  CompletableFuture<String> callAsync() {
    Step step = begin();
    Attempt attempt = attempts.get(attempts.size() - 1);
    CompletableFuture<String> future = new CompletableFuture<>();
    futures.add(future);
    Cancellable completion = scheduler.schedule(() -> {
      Throwable failure = step.failure();
      if (failure == null) {
        future.complete(valueOf(step));
      } else {
        future.completeExceptionally(failure);
      }
    }, step.nanos());
    var unused = future.whenComplete((value, failure) -> {
      if (future.isCancelled()) {
        completion.cancel();
        attempt.stopped(Stop.FUTURE_CANCELLED, scheduler.ticker().nanos());
      }
    });
    return future;
  }

  private Step begin() {
    if (script.isEmpty()) {
      throw new IllegalStateException("empty script");
    }
    CallContext context = CallContext.current();
    Attempt attempt = new Attempt(context, scheduler.ticker().nanos());
    attempts.add(attempt);
    log.add("start " + attempt.number());
    context.cancellation().onCancel(() -> {
      attempt.contextCancelledAtNanos = scheduler.ticker().nanos();
      log.add("cancelled " + attempt.number());
    });
    return script.get(Math.min(attempts.size(), script.size()) - 1);
  }

  private static String valueOf(Step step) {
    String value = step.value();
    if (value == null) {
      throw new IllegalStateException("a step has a value or a failure");
    }
    return value;
  }

  /** Waits {@code nanos} of fake time, ending early (with the exception) at the moment a task interrupts us. */
  private void sleepInterruptibly(long nanos) throws InterruptedException {
    long end = scheduler.ticker().nanos() + nanos;
    while (true) {
      long left = end - scheduler.ticker().nanos();
      if (left <= 0) {
        // Tasks due exactly at the end still get their turn, as with one sleep(nanos).
        scheduler.sleep(0);
        return;
      }
      long next = scheduler.nanosUntilNextTask();
      scheduler.sleep(next < 0 ? left : Math.min(left, next));
    }
  }
}
