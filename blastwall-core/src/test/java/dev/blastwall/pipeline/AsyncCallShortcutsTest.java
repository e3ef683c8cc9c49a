package dev.blastwall.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.Cancellable;
import dev.blastwall.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The async execution's shortcuts: an attempt whose stage is already complete, admission answered at once, and
 * the result future that cancels the attempt in flight itself. Each must behave exactly like the general path.
 */
class AsyncCallShortcutsTest {

  private final FakeTicker ticker = new FakeTicker(Duration.ofSeconds(3).toNanos());
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final List<CallContext> attempts = new CopyOnWriteArrayList<>();

  private Pipeline.Builder pipeline() {
    return Pipeline.builder("inventory").ticker(ticker).scheduler(scheduler).retryBudget(RetryBudget.unlimited());
  }

  @Test
  void anAttemptAnsweredAtOnce_completesTheCallBeforeCallAsyncReturns_andLeavesNoTimerBehind() {
    Pipeline pipeline = pipeline().attemptTimeout(Duration.ofSeconds(1)).build();

    CompletableFuture<String> result = pipeline.callAsync(() -> {
      attempts.add(CallContext.current());
      return CompletableFuture.completedFuture("stock: 4");
    });

    assertThat(result).isCompletedWithValue("stock: 4");
    assertThat(scheduler.pendingTasks()).as("no attempt timer left scheduled").isZero();
    assertThat(attempts).singleElement().satisfies(attempt -> {
      assertThat(attempt.attempt()).isEqualTo(1);
      assertThat(attempt.cancellation().isCancelled()).isFalse();
    });
    assertThat(result.cancel(true)).isFalse();
    assertThat(attempts.get(0).cancellation().isCancelled()).as("a finished call cancels nothing").isFalse();
  }

  @Test
  void aFailedResultAnsweredAtOnceIsRetriedLikeAnyOther() {
    Pipeline pipeline = pipeline().retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none())
        .resultClassifier(result -> "busy".equals(result) ? FailureKind.OVERLOADED : null).build()).build();

    CompletableFuture<String> result = pipeline.callAsync(Idempotency.IDEMPOTENT, () -> {
      attempts.add(CallContext.current());
      return CompletableFuture.completedFuture(attempts.size() < 3 ? "busy" : "stock: 4");
    });

    assertThat(result).isCompletedWithValue("stock: 4");
    assertThat(attempts).extracting(CallContext::attempt).containsExactly(1, 2, 3);
  }

  @Test
  void cancellingTheResult_cancelsTheAttemptInFlightWithTheResultsOwnCancellation() {
    Pipeline pipeline = pipeline().build();
    CompletableFuture<String> answer = new CompletableFuture<>();
    CompletableFuture<String> result = pipeline.callAsync(() -> {
      attempts.add(CallContext.current());
      return answer;
    });

    assertThat(result.cancel(true)).isTrue();

    Throwable stored = result.handle((value, failure) -> failure).join();
    assertThat(stored).isInstanceOf(CancellationException.class);
    assertThat(attempts).singleElement().satisfies(attempt ->
        assertThat(attempt.cancellation().cause()).isSameAs(stored));
    assertThat(answer).isCancelled();
  }

  @Test
  void completingTheResultWithACancellationException_alsoCancelsTheAttemptInFlight() {
    Pipeline pipeline = pipeline().build();
    CompletableFuture<String> answer = new CompletableFuture<>();
    CompletableFuture<String> result = pipeline.callAsync(() -> {
      attempts.add(CallContext.current());
      return answer;
    });
    CancellationException why = new CancellationException("caller gave up");

    assertThat(result.completeExceptionally(why)).isTrue();

    assertThat(attempts.get(0).cancellation().cause()).isSameAs(why);
    assertThat(answer).isCancelled();
  }

  @Test
  void completingTheResultWithAnythingElse_leavesTheAttemptInFlightAlone() {
    Pipeline pipeline = pipeline().build();
    CompletableFuture<String> answer = new CompletableFuture<>();
    CompletableFuture<String> result = pipeline.callAsync(() -> {
      attempts.add(CallContext.current());
      return answer;
    });

    assertThat(result.completeExceptionally(new IllegalStateException("not a cancel"))).isTrue();
    assertThat(result.complete("late")).isFalse();

    assertThat(attempts.get(0).cancellation().isCancelled()).isFalse();
    assertThat(answer).isNotDone();
  }

  @Test
  void aBulkheadWithAWaitQueue_admitsAtOnceWhenASlotIsFree_andQueuesOtherwise() {
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("inventory").maxConcurrentCalls(1).maxWaiting(1)
        .maxWait(Duration.ofSeconds(1)).build();
    Pipeline pipeline = pipeline().bulkhead(bulkhead).build();
    CompletableFuture<String> firstAnswer = new CompletableFuture<>();

    CompletableFuture<String> first = pipeline.callAsync(() -> firstAnswer);
    CompletableFuture<String> second = pipeline.callAsync(() -> CompletableFuture.completedFuture("second"));
    CompletableFuture<String> third = pipeline.callAsync(() -> CompletableFuture.completedFuture("third"));

    assertThat(first).isNotDone();
    assertThat(second).as("waits in the queue").isNotDone();
    assertThatThrownBy(third::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(BulkheadFullException.class);
    firstAnswer.complete("first");
    assertThat(first).isCompletedWithValue("first");
    assertThat(second).isCompletedWithValue("second");
    assertThat(bulkhead.snapshot()).isEqualTo(new SemaphoreBulkhead.Snapshot(1, 0, 0, 1, 2));
  }

  @Test
  void aBulkheadWithoutAWaitQueue_refusesAtOnce_countingTheRefusalOnce() {
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("inventory").maxConcurrentCalls(1).build();
    Pipeline pipeline = pipeline().bulkhead(bulkhead).build();

    CompletableFuture<String> first = pipeline.callAsync(CompletableFuture::new);
    CompletableFuture<String> second = pipeline.callAsync(() -> CompletableFuture.completedFuture("second"));

    assertThat(first).isNotDone();
    assertThatThrownBy(second::join).hasCauseInstanceOf(BulkheadFullException.class);
    assertThat(bulkhead.snapshot()).isEqualTo(new SemaphoreBulkhead.Snapshot(1, 1, 0, 1, 1));
  }

  @Test
  void aCancelThatLandsWhileTheRetryIsBeingScheduled_stillTakesTheRetryOffTheScheduler() {
    // The caller cancels on another thread between the retry's creation and its timer being known: here, from inside
    // the scheduler's schedule call, the widest point of that window.
    AtomicReference<CompletableFuture<String>> caller = new AtomicReference<>();
    Scheduler cancellingOnSchedule = new Scheduler() {
      @Override
      public Cancellable schedule(Runnable task, long delayNanos) {
        CompletableFuture<String> result = caller.get();
        if (result != null) {
          result.cancel(true);
        }
        return scheduler.schedule(task, delayNanos);
      }

      @Override
      public void sleep(long delayNanos) throws InterruptedException {
        scheduler.sleep(delayNanos);
      }
    };
    Pipeline pipeline = Pipeline.builder("inventory").ticker(ticker).scheduler(cancellingOnSchedule)
        .retryBudget(RetryBudget.unlimited())
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofSeconds(10))).build())
        .build();
    CompletableFuture<String> firstAttempt = new CompletableFuture<>();

    CompletableFuture<String> result = pipeline.callAsync(Idempotency.IDEMPOTENT, () -> firstAttempt);
    caller.set(result);
    firstAttempt.completeExceptionally(new RemoteFailure(FailureKind.UNAVAILABLE, "down"));

    assertThat(result).isCancelled();
    assertThat(scheduler.pendingTasks()).as("the retry's timer, let go").isZero();
  }
}
