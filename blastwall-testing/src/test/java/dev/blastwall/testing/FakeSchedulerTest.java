package dev.blastwall.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.time.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FakeSchedulerTest {

  private static final long MS = 1_000_000;

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final List<String> ran = new ArrayList<>();

  @AfterEach
  void leaveTheTestThreadClean() {
    // A failed interrupt test must not leak its flag into the next test on this thread.
    boolean wasInterrupted = Thread.interrupted();
    assertThat(wasInterrupted).as("interrupt flag left set").isFalse();
  }

  private Runnable record(String name) {
    return () -> ran.add(name + "@" + ticker.nanos() / MS);
  }

  @Test
  void tasksRunOnlyWhenTimeIsAdvanced() {
    scheduler.schedule(record("a"), 10 * MS);

    assertThat(ran).isEmpty();
    assertThat(scheduler.advanceNanos(10 * MS - 1)).isZero();
    assertThat(ran).isEmpty();
    assertThat(scheduler.advanceNanos(1)).isEqualTo(1);
    assertThat(ran).containsExactly("a@10");
    assertThat(scheduler.advance(Duration.ofDays(1))).isZero();
  }

  @Test
  void tasksRunInDueOrderAndFifoForEqualDueTimes() {
    scheduler.schedule(record("late"), 30 * MS);
    scheduler.schedule(record("first-at-10"), 10 * MS);
    scheduler.schedule(record("second-at-10"), 10, TimeUnit.MILLISECONDS);
    scheduler.schedule(record("early"), 5 * MS);
    scheduler.schedule(record("third-at-10"), 10 * MS);

    assertThat(scheduler.advance(Duration.ofMillis(100))).isEqualTo(5);
    assertThat(ran).containsExactly("early@5", "first-at-10@10", "second-at-10@10", "third-at-10@10", "late@30");
    assertThat(ticker.nanos()).isEqualTo(100 * MS);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, Long.MIN_VALUE})
  void zeroAndNegativeDelaysNeverRunInlineButOnTheNextRunDueTasks(long delay) {
    scheduler.schedule(record("now"), delay);

    assertThat(ran).isEmpty();
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
    assertThat(scheduler.nanosUntilNextTask()).isZero();
    assertThat(scheduler.runDueTasks()).isEqualTo(1);
    assertThat(ran).containsExactly("now@0");
    assertThat(ticker.nanos()).isZero();
  }

  @Test
  void cancelPreventsTheRunAndOnlySucceedsOnce() {
    Cancellable cancelled = scheduler.schedule(record("cancelled"), 10 * MS);
    Cancellable kept = scheduler.schedule(record("kept"), 10 * MS);

    assertThat(cancelled.cancel()).isTrue();
    assertThat(cancelled.cancel()).isFalse();
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
    assertThat(scheduler.advance(Duration.ofMillis(10))).isEqualTo(1);
    assertThat(ran).containsExactly("kept@10");
    // Too late: it already ran.
    assertThat(kept.cancel()).isFalse();
  }

  @Test
  void eachTaskSeesItsOwnDueTimeOnTheTicker() {
    List<Long> seen = new ArrayList<>();
    for (long delay : new long[] {3, 1, 2}) {
      scheduler.schedule(() -> seen.add(ticker.nanos()), delay * MS);
    }

    scheduler.advance(Duration.ofMillis(10));
    assertThat(seen).containsExactly(1 * MS, 2 * MS, 3 * MS);
    assertThat(ticker.nanos()).isEqualTo(10 * MS);
  }

  @Test
  void tasksScheduledByARunningTaskRunInTheSameAdvanceIfDueWithinIt() {
    scheduler.schedule(() -> {
      ran.add("outer@" + ticker.nanos() / MS);
      scheduler.schedule(record("inner-now"), 0);
      scheduler.schedule(record("inner-within"), 5 * MS);
      scheduler.schedule(record("inner-beyond"), 50 * MS);
    }, 10 * MS);

    assertThat(scheduler.advance(Duration.ofMillis(20))).isEqualTo(3);
    assertThat(ran).containsExactly("outer@10", "inner-now@10", "inner-within@15");
    assertThat(ticker.nanos()).isEqualTo(20 * MS);
    assertThat(scheduler.nanosUntilNextTask()).isEqualTo(40 * MS);
  }

  @Test
  void sleepAdvancesTimeAndRunsWhatFallsDue() throws InterruptedException {
    scheduler.schedule(record("during"), 30 * MS);
    scheduler.schedule(record("after"), 90 * MS);

    scheduler.sleep(80 * MS);
    assertThat(ticker.nanos()).isEqualTo(80 * MS);
    assertThat(ran).containsExactly("during@30");
  }

  @Test
  void aTaskThatInterruptsTheSleeperEndsTheSleepAtItsDueTime() {
    Thread sleeper = Thread.currentThread();
    // Like an attempt timeout: a 50 ms timer interrupts a simulated call that would take 80 ms.
    scheduler.schedule(sleeper::interrupt, 50 * MS);
    scheduler.schedule(record("after-the-interrupt"), 60 * MS);

    assertThatThrownBy(() -> scheduler.sleep(80 * MS)).isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).as("flag cleared, as Thread.sleep does").isFalse();
    assertThat(ticker.nanos()).as("a real sleeper wakes at the interrupt").isEqualTo(50 * MS);
    assertThat(ran).isEmpty();
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
  }

  @Test
  void sleepingWhileAlreadyInterruptedThrowsAtOnceWithoutMovingTime() {
    scheduler.schedule(record("due-during-sleep"), 10 * MS);
    Thread.currentThread().interrupt();

    assertThatThrownBy(() -> scheduler.sleep(80 * MS)).isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(ticker.nanos()).isZero();
    assertThat(ran).isEmpty();
  }

  @Test
  void anInterruptDuringAPlainAdvanceIsLeftForTheCodeUnderTest() {
    scheduler.schedule(Thread.currentThread()::interrupt, 10 * MS);

    scheduler.advance(Duration.ofMillis(20));
    // advance is not a sleep: it does not throw, and it keeps the flag for whoever checks it next.
    assertThat(Thread.interrupted()).isTrue();
    assertThat(ticker.nanos()).isEqualTo(20 * MS);
  }

  @Test
  void runAllAdvancesToEachTaskInTurnAndStopsAtTheLimit() {
    scheduler.schedule(record("b"), 20 * MS);
    scheduler.schedule(record("a"), 10 * MS);
    scheduler.schedule(record("cancelled"), 15 * MS).cancel();

    assertThat(scheduler.runAll(100)).isEqualTo(2);
    assertThat(ran).containsExactly("a@10", "b@20");
    assertThat(ticker.nanos()).isEqualTo(20 * MS);
    assertThat(scheduler.runAll(100)).isZero();

    // A task that always reschedules itself would never let runAll finish without the limit.
    AtomicInteger ticks = new AtomicInteger();
    Runnable[] periodic = new Runnable[1];
    periodic[0] = () -> {
      ticks.incrementAndGet();
      scheduler.schedule(periodic[0], MS);
    };
    scheduler.schedule(periodic[0], MS);
    assertThat(scheduler.runAll(5)).isEqualTo(5);
    assertThat(ticks).hasValue(5);
    assertThat(ticker.nanos()).isEqualTo(25 * MS);
  }

  @Test
  void pendingTasksAndNanosUntilNextTaskSkipCancelledAndRunTasks() {
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(scheduler.nanosUntilNextTask()).isEqualTo(-1);

    Cancellable soon = scheduler.schedule(record("soon"), 10 * MS);
    scheduler.schedule(record("later"), 30 * MS);
    assertThat(scheduler.pendingTasks()).isEqualTo(2);
    assertThat(scheduler.nanosUntilNextTask()).isEqualTo(10 * MS);

    ticker.advance(Duration.ofMillis(4)); // the ticker alone: nothing runs
    assertThat(scheduler.nanosUntilNextTask()).isEqualTo(6 * MS);
    soon.cancel();
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
    assertThat(scheduler.nanosUntilNextTask()).isEqualTo(26 * MS);

    ticker.advance(Duration.ofMillis(100)); // overdue tasks report zero, not a negative wait
    assertThat(scheduler.nanosUntilNextTask()).isZero();
    scheduler.runDueTasks();
    assertThat(ran).containsExactly("later@104");
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(scheduler.nanosUntilNextTask()).isEqualTo(-1);
  }

  @Test
  void negativeAdvancesAreRejectedWithAClearMessage() {
    assertThatThrownBy(() -> scheduler.advanceNanos(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deltaNanos: -1 ns (expected: >= 0, time only moves forward)");
    assertThatThrownBy(() -> scheduler.advance(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration: PT-0.001S (expected: >= 0, time only moves forward)");
    assertThatThrownBy(() -> scheduler.advance(Duration.ofSeconds(Long.MIN_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("duration: PT-");
    assertThat(ticker.nanos()).isZero();
  }

  @Test
  void worksWhenTheTickerWrapsAround() throws InterruptedException {
    FakeTicker nearEnd = new FakeTicker(Long.MAX_VALUE - 1000);
    FakeScheduler wrapping = new FakeScheduler(nearEnd);
    List<String> order = new ArrayList<>();
    wrapping.schedule(() -> order.add("before-wrap"), 500);
    wrapping.schedule(() -> order.add("after-wrap"), 2000);
    wrapping.schedule(() -> order.add("just-after-wrap"), 1001);

    // The target of this advance is exactly Long.MAX_VALUE: an ordinary reading, not "run everything".
    assertThat(wrapping.advanceNanos(1000)).isEqualTo(1);
    assertThat(nearEnd.nanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(order).containsExactly("before-wrap");
    assertThat(wrapping.nanosUntilNextTask()).isEqualTo(1);

    wrapping.sleep(1500);
    assertThat(order).containsExactly("before-wrap", "just-after-wrap", "after-wrap");
    assertThat(nearEnd.nanos()).isEqualTo(Long.MIN_VALUE + 1499);
  }

  @Test
  void hugeDelaysStayInTheFutureAndNeverHideOverdueTasks() {
    FakeTicker started = new FakeTicker(1000);
    FakeScheduler far = new FakeScheduler(started);
    far.schedule(() -> ran.add("overdue"), 10);
    started.advance(Duration.ofDays(1)); // the ticker alone: the task above is now overdue
    // "No timeout" is often spelled Long.MAX_VALUE. Unclamped, now + MAX_VALUE lies more than half the long range
    // from the overdue task, so wrap-aware ordering would put it first and block the queue.
    far.schedule(() -> ran.add("never"), Long.MAX_VALUE);
    far.schedule(() -> ran.add("next-week"), TimeUnit.DAYS.toNanos(7));

    assertThat(far.runDueTasks()).isEqualTo(1);
    assertThat(ran).containsExactly("overdue");
    assertThat(far.advance(Duration.ofDays(365))).isEqualTo(1);
    assertThat(ran).containsExactly("overdue", "next-week");
    assertThat(far.pendingTasks()).isEqualTo(1);
    assertThat(far.nanosUntilNextTask()).isPositive();
  }

  @Test
  void aFailingTaskSurfacesAndTheRestStayScheduled() {
    scheduler.schedule(() -> {
      throw new IllegalStateException("boom");
    }, 10 * MS);
    scheduler.schedule(record("next"), 20 * MS);

    assertThatThrownBy(() -> scheduler.advance(Duration.ofMillis(30))).hasMessage("boom");
    assertThat(ticker.nanos()).isEqualTo(10 * MS);
    assertThat(scheduler.advance(Duration.ofMillis(20))).isEqualTo(1);
    assertThat(ran).containsExactly("next@20");
  }

  @Test
  void theDefaultConstructorBringsItsOwnTickerAtZero() {
    FakeScheduler own = new FakeScheduler();

    assertThat(own.ticker().nanos()).isZero();
    own.advance(Duration.ofSeconds(1));
    assertThat(own.ticker().nanos()).isEqualTo(1_000_000_000L);
    assertThat(scheduler.ticker()).isSameAs(ticker);
  }

  @Test
  void schedulingFromEightThreadsAtOnceLosesNoTaskAndKeepsEachThreadsOrder() throws Exception {
    int threads = 8;
    int perThread = 2_000;
    int[] next = new int[threads]; // tasks run on the test thread, one at a time
    AtomicInteger outOfOrder = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            int seq = i;
            // The same due time for all: FIFO must hold per thread.
            scheduler.schedule(() -> {
              if (next[thread]++ != seq) {
                outOfOrder.incrementAndGet();
              }
            }, MS);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get();
      }
    }

    assertThat(scheduler.pendingTasks()).isEqualTo(threads * perThread);
    assertThat(scheduler.advance(Duration.ofMillis(1))).isEqualTo(threads * perThread);
    assertThat(next).containsOnly(perThread);
    assertThat(outOfOrder).hasValue(0);
  }
}
