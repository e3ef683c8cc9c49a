package dev.blastwall.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.time.Cancellable;
import dev.blastwall.time.Scheduler;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SemaphoreBulkheadTest {

  private static final long NO_DEADLINE = Long.MAX_VALUE;
  private static final long MS = 1_000_000L;

  private final FakeScheduler scheduler = new FakeScheduler();

  private static SemaphoreBulkhead queueing(int max, int maxWaiting, Duration maxWait) {
    return SemaphoreBulkhead.builder("inventory").maxConcurrentCalls(max).maxWaiting(maxWaiting).maxWait(maxWait)
        .build();
  }

  // --- configuration --------------------------------------------------------------------------------------------

  @Test
  void defaultsAre25PermitsAndNoQueue() {
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("inventory").build();

    assertThat(bulkhead.name()).isEqualTo("inventory");
    assertThat(bulkhead.maxConcurrentCalls()).isEqualTo(25);
    assertThat(bulkhead.maxWaiting()).isZero();
    assertThat(bulkhead.maxWait()).isZero();
    assertThat(bulkhead.snapshot()).isEqualTo(new SemaphoreBulkhead.Snapshot(25, 0, 0, 0, 0));
    assertThat(bulkhead).hasToString(
        "SemaphoreBulkhead[inventory, maxConcurrentCalls=25, maxWaiting=0, maxWait=PT0S, inUse=0, waiting=0]");
  }

  @Test
  void badOptionsAreRefusedWithTheUsualMessage() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SemaphoreBulkhead.builder("x").maxConcurrentCalls(0))
        .withMessage("maxConcurrentCalls: 0 (expected: 1 <= maxConcurrentCalls <= 2147483647)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SemaphoreBulkhead.builder("x").maxWaiting(-1))
        .withMessage("maxWaiting: -1 (expected: 0 <= maxWaiting <= 2147483647)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SemaphoreBulkhead.builder("x").maxWait(Duration.ofMillis(-1)))
        .withMessage("maxWait: PT-0.001S (expected: >= 0)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SemaphoreBulkhead.builder("x").maxWaiting(3).build())
        .withMessage("maxWait: PT0S (expected: > 0 when maxWaiting is 3)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SemaphoreBulkhead.builder("x").maxWait(Duration.ofMillis(5)).build())
        .withMessage("maxWaiting: 0 (expected: > 0 when maxWait is PT0.005S)");
  }

  @Test
  void optionsMayBeSetOnce() {
    assertThatIllegalStateException()
        .isThrownBy(() -> SemaphoreBulkhead.builder("x").maxConcurrentCalls(2).maxConcurrentCalls(3))
        .withMessage("maxConcurrentCalls was already set (expected: set once)");
    assertThatIllegalStateException()
        .isThrownBy(() -> SemaphoreBulkhead.builder("x").maxWaiting(2).maxWaiting(3));
    assertThatIllegalStateException()
        .isThrownBy(() -> SemaphoreBulkhead.builder("x").maxWait(Duration.ZERO).maxWait(Duration.ZERO));
  }

  // --- without a queue ------------------------------------------------------------------------------------------

  @Test
  void rejectsAtOnceWhenFullWithoutAQueue() throws InterruptedException {
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("inventory").maxConcurrentCalls(2).build();

    assertThat(bulkhead.tryAcquire()).isTrue();
    assertThat(bulkhead.acquire(NO_DEADLINE)).isTrue();
    assertThat(bulkhead.tryAcquire()).isFalse();
    assertThat(bulkhead.acquire(NO_DEADLINE)).isFalse();
    CompletableFuture<Boolean> async = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    assertThat(async).isCompletedWithValue(false);
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(bulkhead.snapshot()).isEqualTo(new SemaphoreBulkhead.Snapshot(2, 2, 0, 3, 2));

    bulkhead.release();
    assertThat(bulkhead.tryAcquire()).isTrue();
    assertThat(bulkhead.snapshot().inUse()).isEqualTo(2);
  }

  @Test
  void rejectionNamesWhatWasFull() {
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("inventory").maxConcurrentCalls(2).build();
    bulkhead.tryAcquire();
    bulkhead.tryAcquire();

    BulkheadFullException rejection = bulkhead.rejection("inventory", 1, BlastwallException.NO_DEADLINE);

    assertThat(rejection.upstream()).isEqualTo("inventory");
    assertThat(rejection.policy()).isEqualTo("bulkhead");
    assertThat(rejection.kind()).isEqualTo(FailureKind.OVERLOADED);
    assertThat(rejection.doNotRetry()).isTrue();
    assertThat(rejection).hasMessage(
        "inventory: bulkhead: 2 of 2 calls in flight, no wait queue (attempts: 1, deadline: none)");
  }

  @Test
  void rejectionReportsAFullWaitQueue() {
    SemaphoreBulkhead bulkhead = queueing(25, 10, Duration.ofMillis(50));
    for (int i = 0; i < 25; i++) {
      assertThat(bulkhead.tryAcquire()).isTrue();
    }
    for (int i = 0; i < 10; i++) {
      assertThat(bulkhead.acquireAsync(NO_DEADLINE, scheduler)).isNotDone();
    }
    assertThat(bulkhead.acquireAsync(NO_DEADLINE, scheduler)).isCompletedWithValue(false);

    assertThat(bulkhead.rejectionDetail()).isEqualTo("25 of 25 calls in flight, wait queue full (10 of 10)");
    assertThat(bulkhead.rejection("inventory", 2, 30 * MS)).hasMessage("inventory: bulkhead: 25 of 25 calls in "
        + "flight, wait queue full (10 of 10) (attempts: 2, deadline: 30.0 ms left)");

    scheduler.advance(Duration.ofMillis(50));
    assertThat(bulkhead.rejectionDetail())
        .isEqualTo("25 of 25 calls in flight, no permit within the wait (0 of 10 waiting)");
  }

  // --- waiting --------------------------------------------------------------------------------------------------

  @Test
  void asyncWaitersAreServedFirstComeFirstServed() {
    SemaphoreBulkhead bulkhead = queueing(1, 5, Duration.ofSeconds(1));
    assertThat(bulkhead.tryAcquire()).isTrue();
    List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiters.add(bulkhead.acquireAsync(NO_DEADLINE, scheduler));
    }

    for (int served = 0; served < 5; served++) {
      bulkhead.release();
      for (int i = 0; i < 5; i++) {
        if (i <= served) {
          assertThat(waiters.get(i)).as("waiter %d after %d releases", i, served + 1).isCompletedWithValue(true);
        } else {
          assertThat(waiters.get(i)).as("waiter %d after %d releases", i, served + 1).isNotDone();
        }
      }
      assertThat(bulkhead.snapshot().inUse()).isEqualTo(1);
      assertThat(bulkhead.snapshot().waiting()).isEqualTo(4 - served);
    }
    bulkhead.release();
    assertThat(bulkhead.snapshot()).isEqualTo(new SemaphoreBulkhead.Snapshot(1, 0, 0, 0, 6));
    // The granted waiters' timeouts were withdrawn.
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void blockingWaitersAreServedFirstComeFirstServed() throws Exception {
    SemaphoreBulkhead bulkhead = queueing(1, 3, Duration.ofSeconds(30));
    assertThat(bulkhead.tryAcquire()).isTrue();
    ConcurrentLinkedQueue<Integer> order = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int id = i;
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          if (bulkhead.acquire(NO_DEADLINE)) {
            order.add(id);
            bulkhead.release();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      // Queue them one after the other, so their arrival order is known.
      int queued = i + 1;
      Eventually.await(queued + " waiting", () -> bulkhead.snapshot().waiting() == queued);
    }

    bulkhead.release();
    for (Thread thread : threads) {
      assertThat(thread.join(Duration.ofSeconds(10))).isTrue();
    }

    assertThat(order).containsExactly(0, 1, 2);
    assertThat(bulkhead.snapshot()).isEqualTo(new SemaphoreBulkhead.Snapshot(1, 0, 0, 0, 4));
  }

  @Test
  void releaseHandsThePermitStraightToAWaiter() throws Exception {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofSeconds(30));
    assertThat(bulkhead.tryAcquire()).isTrue();
    AtomicReference<Boolean> outcome = new AtomicReference<>();
    Thread waiter = Thread.ofVirtual().start(() -> {
      try {
        outcome.set(bulkhead.acquire(NO_DEADLINE));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    // Counted as waiting happens just before the waiter joins the queue: wait until it is parked in it, or a
    // release in between would (correctly) free the permit for the waiter to take on its way in.
    Eventually.await("the waiter parked in the queue", () -> bulkhead.snapshot().waiting() == 1
        && waiter.getState() == Thread.State.TIMED_WAITING);

    bulkhead.release();

    // The permit never became free: a newcomer cannot take it while the waiter is still waking up.
    assertThat(bulkhead.snapshot().inUse()).isEqualTo(1);
    assertThat(bulkhead.snapshot().waiting()).isZero();
    assertThat(bulkhead.tryAcquire()).isFalse();
    assertThat(waiter.join(Duration.ofSeconds(10))).isTrue();
    assertThat(outcome.get()).isTrue();
    bulkhead.release();
    assertThat(bulkhead.snapshot().inUse()).isZero();
    assertThat(bulkhead.snapshot().acquired()).as("the first caller's permit and the waiter's").isEqualTo(2);
  }

  @Test
  void theAcquiredCountCrossesTwoToThe32() {
    SemaphoreBulkhead bulkhead = queueing(2, 1, Duration.ofSeconds(1));
    long start = (1L << 32) - 2;
    bulkhead.startAcquiredCountAt(start);

    assertThat(bulkhead.tryAcquire()).isTrue();
    assertThat(bulkhead.tryAcquire()).isTrue();
    CompletableFuture<Boolean> waiter = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    bulkhead.release(); // handed to the waiter: counted as acquired, still held

    assertThat(waiter).isCompletedWithValue(true);
    assertThat(bulkhead.snapshot().acquired()).isEqualTo(start + 3);
    assertThat(bulkhead.snapshot().inUse()).isEqualTo(2);
    bulkhead.release();
    bulkhead.release();
    assertThat(bulkhead.snapshot().inUse()).isZero();
    assertThat(bulkhead.snapshot().acquired()).isEqualTo(start + 3);
    assertThat(bulkhead.tryAcquire()).isTrue();
    assertThat(bulkhead.snapshot().acquired()).isEqualTo(start + 4);
    bulkhead.release();
  }

  @Test
  void aNewcomerDoesNotJumpTheQueue() {
    SemaphoreBulkhead bulkhead = queueing(2, 2, Duration.ofSeconds(1));
    bulkhead.tryAcquire();
    bulkhead.tryAcquire();
    CompletableFuture<Boolean> first = bulkhead.acquireAsync(NO_DEADLINE, scheduler);

    bulkhead.release();
    CompletableFuture<Boolean> newcomer = bulkhead.acquireAsync(NO_DEADLINE, scheduler);

    assertThat(first).isCompletedWithValue(true);
    assertThat(newcomer).isNotDone();
    assertThat(bulkhead.tryAcquire()).isFalse();
    assertThat(bulkhead.snapshot().acquired()).isEqualTo(3);
    assertThat(bulkhead.snapshot().inUse()).isEqualTo(2);
  }

  @Test
  void asyncWaitEndsAtMaxWaitWhenTheCallerHasMoreTime() {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofMillis(100));
    bulkhead.tryAcquire();

    CompletableFuture<Boolean> waiter = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    scheduler.advanceNanos(100 * MS - 1);
    assertThat(waiter).isNotDone();
    scheduler.advanceNanos(1);

    assertThat(waiter).isCompletedWithValue(false);
    assertThat(bulkhead.snapshot()).isEqualTo(new SemaphoreBulkhead.Snapshot(1, 1, 0, 1, 1));
  }

  @Test
  void asyncWaitEndsAtTheCallersDeadlineWhenThatIsSooner() {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofMillis(100));
    bulkhead.tryAcquire();

    CompletableFuture<Boolean> waiter = bulkhead.acquireAsync(30 * MS, scheduler);
    scheduler.advanceNanos(30 * MS - 1);
    assertThat(waiter).isNotDone();
    scheduler.advanceNanos(1);

    assertThat(waiter).isCompletedWithValue(false);
    assertThat(bulkhead.snapshot().waiting()).isZero();
    // A caller with no time left is refused without queueing.
    assertThat(bulkhead.acquireAsync(0, scheduler)).isCompletedWithValue(false);
    assertThat(bulkhead.acquireAsync(-5, scheduler)).isCompletedWithValue(false);
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void aTimedOutWaiterIsNotGrantedLater() {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofMillis(10));
    bulkhead.tryAcquire();
    CompletableFuture<Boolean> waiter = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    scheduler.advance(Duration.ofMillis(10));

    bulkhead.release();

    assertThat(waiter).isCompletedWithValue(false);
    assertThat(bulkhead.snapshot().inUse()).isZero();
  }

  @Test
  void blockingWaitEndsAtMaxWaitWhenTheCallerHasMoreTime() throws InterruptedException {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofMillis(40));
    bulkhead.tryAcquire();
    Ticker real = Ticker.system();

    long start = real.nanos();
    boolean acquired = bulkhead.acquire(TimeUnit.SECONDS.toNanos(30));
    long waited = real.nanos() - start;

    assertThat(acquired).isFalse();
    assertThat(waited).isBetween(40 * MS, 10_000 * MS);
    assertThat(bulkhead.snapshot()).isEqualTo(new SemaphoreBulkhead.Snapshot(1, 1, 0, 1, 1));
  }

  @Test
  void blockingWaitEndsAtTheCallersDeadlineWhenThatIsSooner() throws InterruptedException {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofSeconds(30));
    bulkhead.tryAcquire();
    Ticker real = Ticker.system();

    long start = real.nanos();
    boolean acquired = bulkhead.acquire(20 * MS);
    long waited = real.nanos() - start;

    assertThat(acquired).isFalse();
    assertThat(waited).isBetween(20 * MS, 10_000 * MS);
    assertThat(bulkhead.snapshot().waiting()).isZero();
    assertThat(bulkhead.acquire(0)).isFalse();
  }

  @Test
  void anInterruptedWaiterLeavesTheQueueHoldingNothing() throws Exception {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofSeconds(30));
    bulkhead.tryAcquire();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread waiter = Thread.ofVirtual().start(() -> {
      try {
        bulkhead.acquire(NO_DEADLINE);
      } catch (InterruptedException e) {
        thrown.set(e);
      }
    });
    Eventually.await("the waiter queued", () -> bulkhead.snapshot().waiting() == 1);

    waiter.interrupt();

    assertThat(waiter.join(Duration.ofSeconds(10))).isTrue();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(bulkhead.snapshot().waiting()).isZero();
    bulkhead.release();
    assertThat(bulkhead.snapshot().inUse()).isZero();
  }

  @Test
  void anInterruptedThreadDoesNotAcquire() {
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("x").build();
    Thread.currentThread().interrupt();

    assertThatThrownBy(() -> bulkhead.acquire(NO_DEADLINE)).isInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).isFalse();
    assertThat(bulkhead.snapshot().inUse()).isZero();
  }

  // --- cancelling an async waiter -------------------------------------------------------------------------------

  @Test
  void cancellingAnAsyncWaiterFreesItsPlaceAndLeaksNothing() {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofSeconds(1));
    bulkhead.tryAcquire();
    CompletableFuture<Boolean> waiter = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    assertThat(bulkhead.acquireAsync(NO_DEADLINE, scheduler)).as("queue full").isCompletedWithValue(false);

    assertThat(waiter.cancel(true)).isTrue();

    assertThat(bulkhead.snapshot().waiting()).isZero();
    assertThat(scheduler.pendingTasks()).as("its timeout was withdrawn").isZero();
    CompletableFuture<Boolean> next = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    assertThat(next).isNotDone();
    bulkhead.release();
    assertThat(next).isCompletedWithValue(true);
    bulkhead.release();
    assertThat(bulkhead.snapshot().inUse()).isZero();
    assertThat(bulkhead.snapshot().waiting()).isZero();
  }

  @Test
  void aWaiterCancelledBeforeAnyReleaseIsSkipped() {
    SemaphoreBulkhead bulkhead = queueing(1, 2, Duration.ofSeconds(1));
    bulkhead.tryAcquire();
    CompletableFuture<Boolean> cancelled = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    CompletableFuture<Boolean> second = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    cancelled.cancel(false);

    bulkhead.release();

    assertThat(second).isCompletedWithValue(true);
    assertThat(bulkhead.snapshot().inUse()).isEqualTo(1);
  }

  @Test
  void aGrantTheCallerNoLongerWantsIsPassedOn() {
    SemaphoreBulkhead bulkhead = queueing(1, 2, Duration.ofSeconds(1));
    bulkhead.tryAcquire();
    CompletableFuture<Boolean> first = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    CompletableFuture<Boolean> second = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    // The caller gave up on the first waiter by failing its future (as orTimeout does): the waiter is withdrawn,
    // and the permit goes on to the second.
    first.completeExceptionally(new TimeoutException("caller gave up"));

    bulkhead.release();

    assertThat(second).isCompletedWithValue(true);
    assertThat(bulkhead.snapshot().inUse()).isEqualTo(1);
    assertThat(bulkhead.snapshot().waiting()).isZero();
  }

  @Test
  void cancellingAfterTheGrantChangesNothing() {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofSeconds(1));
    bulkhead.tryAcquire();
    CompletableFuture<Boolean> waiter = bulkhead.acquireAsync(NO_DEADLINE, scheduler);
    bulkhead.release();

    assertThat(waiter.cancel(true)).isFalse();

    assertThat(waiter).isCompletedWithValue(true);
    assertThat(bulkhead.snapshot().inUse()).isEqualTo(1);
  }

  @Test
  void aSchedulerThatRefusesTheTimeoutCostsNoQueuePlace() {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofSeconds(1));
    bulkhead.tryAcquire();
    Scheduler refusing = new Scheduler() {
      @Override
      public Cancellable schedule(Runnable task, long delayNanos) {
        throw new RejectedExecutionException("scheduler shut down");
      }

      @Override
      public void sleep(long delayNanos) {}
    };

    assertThatThrownBy(() -> bulkhead.acquireAsync(NO_DEADLINE, refusing))
        .isInstanceOf(RejectedExecutionException.class);

    assertThat(bulkhead.snapshot().waiting()).isZero();
    assertThat(bulkhead.acquireAsync(NO_DEADLINE, scheduler)).isNotDone();
  }

  @Test
  void aPermitFreedWhileAWaiterQueuesIsGrantedAndCountedOnce() {
    SemaphoreBulkhead bulkhead = queueing(1, 1, Duration.ofSeconds(1));
    assertThat(bulkhead.tryAcquire()).isTrue();
    // The waiter schedules its timeout after finding no permit and before joining the queue: releasing right
    // then frees a permit nobody is queued for yet, which the waiter must take on its way in (the queue's drain).
    Scheduler releasingMeanwhile = new Scheduler() {
      @Override
      public Cancellable schedule(Runnable task, long delayNanos) {
        bulkhead.release();
        return scheduler.schedule(task, delayNanos);
      }

      @Override
      public void sleep(long delayNanos) {}
    };

    CompletableFuture<Boolean> waiter = bulkhead.acquireAsync(NO_DEADLINE, releasingMeanwhile);

    assertThat(waiter).isCompletedWithValue(true);
    assertThat(bulkhead.snapshot().inUse()).isEqualTo(1);
    assertThat(bulkhead.snapshot().waiting()).isZero();
    assertThat(bulkhead.snapshot().acquired()).as("the first caller's permit and the waiter's").isEqualTo(2);
    bulkhead.release();
    assertThat(bulkhead.snapshot().inUse()).isZero();
  }

  // --- misuse ---------------------------------------------------------------------------------------------------

  @Test
  void releasingMoreThanWasAcquiredIsDetected() {
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("inventory").maxConcurrentCalls(2).build();

    assertThatIllegalStateException().isThrownBy(bulkhead::release)
        .withMessage("inventory: release() without a permit held (expected: one release per successful acquire)");

    assertThat(bulkhead.tryAcquire()).isTrue();
    bulkhead.release();
    assertThatIllegalStateException().isThrownBy(bulkhead::release);

    // The count was not driven below zero: still exactly two permits.
    assertThat(bulkhead.snapshot().inUse()).isZero();
    assertThat(bulkhead.tryAcquire()).isTrue();
    assertThat(bulkhead.tryAcquire()).isTrue();
    assertThat(bulkhead.tryAcquire()).isFalse();
  }
}
