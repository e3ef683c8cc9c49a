package dev.blastwall.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.context.BaggageKey;
import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExecutorBulkheadTest {

  private static final BaggageKey<String> TENANT = BaggageKey.of("tenant", String.class);

  private final List<ExecutorBulkhead> opened = new ArrayList<>();
  // Opened by the tests and counted down in tearDown, so no task outlives its test.
  private final CountDownLatch gate = new CountDownLatch(1);

  @AfterEach
  void tearDown() {
    gate.countDown();
    opened.forEach(ExecutorBulkhead::close);
  }

  private ExecutorBulkhead bulkhead(boolean virtual, int maxConcurrentCalls, int queueCapacity) {
    ExecutorBulkhead.Builder builder = ExecutorBulkhead.builder("billing").queueCapacity(queueCapacity);
    ExecutorBulkhead bulkhead = (virtual ? builder.virtualThreads(maxConcurrentCalls)
        : builder.maxThreads(maxConcurrentCalls)).build();
    opened.add(bulkhead);
    return bulkhead;
  }

  /** A task that blocks until the test's gate opens (or it is interrupted), counting itself in as it starts. */
  private <T> Callable<T> blocked(CountDownLatch started, T value) {
    return () -> {
      started.countDown();
      gate.await();
      return value;
    };
  }

  private static void awaitIdle(ExecutorBulkhead bulkhead) {
    Eventually.await("the bulkhead is idle", () -> {
      ExecutorBulkhead.Snapshot snapshot = bulkhead.snapshot();
      return snapshot.running() == 0 && snapshot.queued() == 0;
    });
  }

  // --- configuration --------------------------------------------------------------------------------------------

  @Test
  void defaultsAre25PlatformThreadsAndNoQueue() {
    ExecutorBulkhead bulkhead = ExecutorBulkhead.builder("billing").build();
    opened.add(bulkhead);

    assertThat(bulkhead.name()).isEqualTo("billing");
    assertThat(bulkhead.isVirtual()).isFalse();
    assertThat(bulkhead.snapshot()).isEqualTo(new ExecutorBulkhead.Snapshot(25, 0, 0, 0, 0, 0));
    assertThat(bulkhead).hasToString(
        "ExecutorBulkhead[billing, platform threads, maxConcurrentCalls=25, queueCapacity=0]");
  }

  @Test
  void badOptionsAreRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> ExecutorBulkhead.builder("x").maxThreads(0))
        .withMessage("maxThreads: 0 (expected: 1 <= maxThreads <= 10000)");
    assertThatIllegalArgumentException().isThrownBy(() -> ExecutorBulkhead.builder("x").virtualThreads(0))
        .withMessage("maxConcurrentCalls: 0 (expected: 1 <= maxConcurrentCalls <= 2147483647)");
    assertThatIllegalArgumentException().isThrownBy(() -> ExecutorBulkhead.builder("x").queueCapacity(-1))
        .withMessage("queueCapacity: -1 (expected: 0 <= queueCapacity <= 2147483647)");
    assertThatIllegalStateException()
        .isThrownBy(() -> ExecutorBulkhead.builder("x").maxThreads(2).virtualThreads(2))
        .withMessage("maxThreads/virtualThreads was already set (expected: set once)");
    assertThatIllegalStateException()
        .isThrownBy(() -> ExecutorBulkhead.builder("x").queueCapacity(1).queueCapacity(1));
  }

  // --- running and rejecting ------------------------------------------------------------------------------------

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void rejectsAtOnceWhenThreadsAndQueueAreFull(boolean virtual) throws Exception {
    ExecutorBulkhead bulkhead = bulkhead(virtual, 2, 1);
    CountDownLatch started = new CountDownLatch(2);
    CompletableFuture<String> first = bulkhead.submit(blocked(started, "a"));
    CompletableFuture<String> second = bulkhead.submit(blocked(started, "b"));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> queued = bulkhead.submit(() -> "c");

    CompletableFuture<String> refused = bulkhead.submit(() -> "d");

    assertThat(refused).isCompletedExceptionally();
    assertThatThrownBy(refused::join).cause().isInstanceOf(BulkheadFullException.class)
        .hasMessage("billing: bulkhead: 2 of 2 calls in flight, queue full (1 of 1) (attempts: 1, deadline: none)");
    assertThat(queued).isNotDone();
    assertThat(bulkhead.snapshot()).isEqualTo(new ExecutorBulkhead.Snapshot(2, 1, 2, 1, 1, 0));

    gate.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("b");
    assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("c");
    // The slot is free by the time the future completes.
    assertThat(bulkhead.snapshot()).isEqualTo(new ExecutorBulkhead.Snapshot(2, 1, 0, 0, 1, 3));
  }

  @Test
  void withoutAQueueTheNextTaskIsRefusedWhileAllThreadsAreBusy() throws Exception {
    ExecutorBulkhead bulkhead = bulkhead(false, 1, 0);
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<String> running = bulkhead.submit(blocked(started, "a"));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> bulkhead.submit(() -> "b").join()).cause()
        .isInstanceOf(BulkheadFullException.class).hasMessageContaining("1 of 1 calls in flight, no queue");

    gate.countDown();
    assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(bulkhead.submit(() -> "c").get(10, TimeUnit.SECONDS)).isEqualTo("c");
  }

  @Test
  void theRejectionCarriesTheSubmittersAttemptAndDeadline() throws Exception {
    ExecutorBulkhead bulkhead = bulkhead(true, 1, 0);
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<String> running = bulkhead.submit(blocked(started, "a"));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    FakeTicker ticker = new FakeTicker();
    CallContext context = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofMillis(250), ticker));

    CompletableFuture<String> refused = context.call(() -> bulkhead.submit(() -> "b"));

    assertThatThrownBy(refused::join).cause().isInstanceOf(BulkheadFullException.class)
        .hasMessageEndingWith("(attempts: 1, deadline: 250.0 ms left)");
    assertThat(running).isNotDone();
  }

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void tasksRunInTheSubmittersContextOnTheBulkheadsThreads(boolean virtual) throws Exception {
    ExecutorBulkhead bulkhead = bulkhead(virtual, 1, 0);
    CallContext context = CallContext.ROOT.with(TENANT, "acme");

    CompletableFuture<String> seen = context.call(() -> bulkhead.submit(() -> CallContext.current().get(TENANT)
        + " on " + (Thread.currentThread().isVirtual() ? "virtual " : "platform ")
        + Thread.currentThread().getName()));

    assertThat(seen.get(10, TimeUnit.SECONDS))
        .isEqualTo("acme on " + (virtual ? "virtual" : "platform") + " blastwall-bulkhead-billing-1");
    // The context does not leak to the next task on the same (pooled) thread.
    assertThat(bulkhead.submit(() -> CallContext.current() == CallContext.ROOT).get(10, TimeUnit.SECONDS))
        .isTrue();
  }

  @Test
  void aFailingTaskFailsItsFutureAndFreesItsSlot() throws Exception {
    ExecutorBulkhead bulkhead = bulkhead(false, 1, 0);

    CompletableFuture<String> failed = bulkhead.submit(() -> {
      throw new IOException("connection reset");
    });

    assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(IOException.class).hasMessage("connection reset");
    assertThat(bulkhead.snapshot().running()).isZero();
    assertThat(bulkhead.submit(() -> "next").get(10, TimeUnit.SECONDS)).isEqualTo("next");
  }

  // --- cancelling -----------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void cancellingARunningTaskInterruptsItAndFreesItsSlot(boolean virtual) throws Exception {
    ExecutorBulkhead bulkhead = bulkhead(virtual, 1, 0);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    CompletableFuture<String> task = bulkhead.submit(() -> {
      started.countDown();
      try {
        new CountDownLatch(1).await();
        return "never";
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
    });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(task.cancel(true)).isTrue();

    assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(task::join).isInstanceOf(CancellationException.class);
    awaitIdle(bulkhead);
    // The pooled thread does not carry the interrupt over to the next task.
    assertThat(bulkhead.submit(() -> Thread.currentThread().isInterrupted()).get(10, TimeUnit.SECONDS))
        .isFalse();
  }

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void cancellingAQueuedTaskDropsItAndFreesItsPlace(boolean virtual) throws Exception {
    ExecutorBulkhead bulkhead = bulkhead(virtual, 1, 1);
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<String> running = bulkhead.submit(blocked(started, "a"));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicBoolean ran = new AtomicBoolean();
    CompletableFuture<String> queued = bulkhead.submit(() -> {
      ran.set(true);
      return "dropped";
    });

    queued.cancel(true);

    awaitIdleQueue(bulkhead);
    CompletableFuture<String> next = bulkhead.submit(() -> "next");
    assertThat(next).isNotCompletedExceptionally();
    gate.countDown();
    assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo("next");
    assertThat(ran).isFalse();
    awaitIdle(bulkhead);
  }

  private static void awaitIdleQueue(ExecutorBulkhead bulkhead) {
    Eventually.await("the queue is empty", () -> bulkhead.snapshot().queued() == 0);
  }

  @Test
  void aTaskCancelledBeforeItStartsIsFreedAtOnceInPlatformMode() throws Exception {
    ExecutorBulkhead bulkhead = bulkhead(false, 1, 1);
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<String> running = bulkhead.submit(blocked(started, "a"));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> queued = bulkhead.submit(() -> "dropped");

    queued.cancel(false);

    // No thread had to notice: the cancel itself gave the place back.
    assertThat(bulkhead.snapshot().queued()).isZero();
    assertThat(running).isNotDone();
  }

  // --- closing --------------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void afterCloseNewTasksAreRefusedAndAcceptedOnesFinish(boolean virtual) throws Exception {
    ExecutorBulkhead bulkhead = bulkhead(virtual, 1, 1);
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<String> running = bulkhead.submit(blocked(started, "a"));
    CompletableFuture<String> queued = bulkhead.submit(() -> "b");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    bulkhead.close();
    bulkhead.close();

    assertThat(bulkhead.isClosed()).isTrue();
    assertThatThrownBy(() -> bulkhead.submit(() -> "c").join()).cause()
        .isInstanceOf(RejectedExecutionException.class).hasMessage("billing: bulkhead is closed");
    gate.countDown();
    assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("b");
    assertThat(bulkhead).hasToString("ExecutorBulkhead[billing, " + (virtual ? "virtual" : "platform")
        + " threads, maxConcurrentCalls=1, queueCapacity=1, closed]");
  }
}
