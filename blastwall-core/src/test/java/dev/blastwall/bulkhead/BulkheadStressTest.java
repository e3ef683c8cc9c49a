package dev.blastwall.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.time.Scheduler;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many threads hammering one bulkhead with every way a call can end (success, a throw, a timed-out wait, a
 * cancel, an interrupt), each run bounded to well under a second. Afterwards nothing may be held or queued, and
 * at no moment may more calls have been inside than the limit.
 */
class BulkheadStressTest {

  private static final int THREADS = 16;
  private static final int LIMIT = 4;
  private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final int MAX_ITERATIONS_PER_THREAD = 20_000;

  /** Counts the calls inside the guarded section and remembers the most seen at once. */
  private static final class Occupancy {
    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger maxSeen = new AtomicInteger();

    void enter() {
      int now = inside.incrementAndGet();
      maxSeen.accumulateAndGet(now, Math::max);
    }

    void leave() {
      inside.decrementAndGet();
    }
  }

  private static void spin(SplittableRandom random, int maxSpins) {
    for (int i = random.nextInt(maxSpins + 1); i > 0; i--) {
      Thread.onSpinWait();
    }
  }

  private static void runAll(List<Thread> threads) throws InterruptedException {
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      assertThat(thread.join(Duration.ofSeconds(20))).as(thread.getName() + " finished").isTrue();
    }
  }

  // --- SemaphoreBulkhead ----------------------------------------------------------------------------------------

  @Test
  void semaphorePermitsNeverLeakAndNeverExceedTheLimit() throws Exception {
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("stress").maxConcurrentCalls(LIMIT).maxWaiting(6)
        .maxWait(Duration.ofMillis(2)).build();
    Scheduler scheduler = Scheduler.system();
    Occupancy occupancy = new Occupancy();
    AtomicInteger snapshotOverLimit = new AtomicInteger();
    AtomicLong granted = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    Ticker real = Ticker.system();
    long start = real.nanos();

    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      SplittableRandom random = new SplittableRandom(1000 + t);
      workers.add(Thread.ofPlatform().name("semaphore-worker-" + t).unstarted(() -> {
        try {
          for (int i = 0; i < MAX_ITERATIONS_PER_THREAD && real.nanos() - start < RUN_NANOS; i++) {
            if (takePermit(bulkhead, scheduler, random)) {
              granted.incrementAndGet();
              try {
                occupancy.enter();
                try {
                  spin(random, 200);
                  if (random.nextInt(5) == 0) {
                    throw new IllegalStateException("the call failed");
                  }
                } finally {
                  occupancy.leave();
                }
              } catch (IllegalStateException expected) {
                // A failing call must release its permit like any other.
              } finally {
                bulkhead.release();
              }
            }
            if (bulkhead.snapshot().inUse() > LIMIT) {
              snapshotOverLimit.incrementAndGet();
            }
          }
        } catch (Throwable unexpected) {
          failures.add(unexpected);
        } finally {
          Thread.interrupted();
        }
      }));
    }
    // Interrupts workers at random, wherever they are: parked in a wait, blocked on a future, or working.
    AtomicBoolean chaosDone = new AtomicBoolean();
    Thread chaos = Thread.ofPlatform().name("interrupter").unstarted(() -> {
      SplittableRandom random = new SplittableRandom(7);
      while (!chaosDone.get()) {
        workers.get(random.nextInt(THREADS)).interrupt();
        spin(random, 20_000);
      }
    });

    chaos.start();
    try {
      runAll(workers);
    } finally {
      chaosDone.set(true);
      assertThat(chaos.join(Duration.ofSeconds(10))).isTrue();
    }

    assertThat(failures).isEmpty();
    SemaphoreBulkhead.Snapshot snapshot = bulkhead.snapshot();
    assertThat(snapshot.inUse()).as("permits held after the run").isZero();
    assertThat(snapshot.waiting()).as("waiters left after the run").isZero();
    assertThat(occupancy.inside.get()).isZero();
    assertThat(occupancy.maxSeen.get()).as("most calls inside at once").isBetween(1, LIMIT);
    assertThat(snapshotOverLimit.get()).isZero();
    // Grants that an interrupted or cancelled caller passed on count too, so at least what the callers got.
    assertThat(snapshot.acquired()).isPositive().isGreaterThanOrEqualTo(granted.get());
    // Every permit is still there.
    for (int i = 0; i < LIMIT; i++) {
      assertThat(bulkhead.tryAcquire()).isTrue();
    }
    assertThat(bulkhead.tryAcquire()).isFalse();
  }

  /** One way or another, tries to take a permit; true if this thread now holds one. */
  private static boolean takePermit(SemaphoreBulkhead bulkhead, Scheduler scheduler, SplittableRandom random) {
    long callerWait = random.nextInt(4) == 0 ? Long.MAX_VALUE : random.nextLong(0, 3_000_000);
    return switch (random.nextInt(4)) {
      case 0 -> bulkhead.tryAcquire();
      case 1 -> {
        try {
          yield bulkhead.acquire(callerWait);
        } catch (InterruptedException interrupted) {
          yield false;
        }
      }
      case 2 -> {
        CompletableFuture<Boolean> permit = bulkhead.acquireAsync(callerWait, scheduler);
        try {
          yield permit.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | TimeoutException gaveUp) {
          yield withdraw(permit);
        } catch (ExecutionException impossible) {
          throw new AssertionError(impossible);
        }
      }
      default -> {
        // Gives up on the async wait soon, racing the grant.
        CompletableFuture<Boolean> permit = bulkhead.acquireAsync(callerWait, scheduler);
        spin(random, 2_000);
        yield withdraw(permit);
      }
    };
  }

  /** Cancels an async acquisition; true if it had already been granted, so the caller holds the permit. */
  private static boolean withdraw(CompletableFuture<Boolean> permit) {
    if (permit.cancel(true)) {
      return false;
    }
    return permit.join();
  }

  // --- ExecutorBulkhead -----------------------------------------------------------------------------------------

  @ParameterizedTest(name = "virtual={0}")
  @ValueSource(booleans = {false, true})
  void executorSlotsNeverLeakAndNeverExceedTheLimit(boolean virtual) throws Exception {
    int queueCapacity = 4;
    ExecutorBulkhead.Builder builder = ExecutorBulkhead.builder("stress").queueCapacity(queueCapacity);
    ExecutorBulkhead bulkhead = (virtual ? builder.virtualThreads(LIMIT) : builder.maxThreads(LIMIT)).build();
    try {
      Occupancy occupancy = new Occupancy();
      AtomicInteger rejected = new AtomicInteger();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      Ticker real = Ticker.system();
      long start = real.nanos();

      List<Thread> submitters = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom random = new SplittableRandom(2000 + t);
        submitters.add(Thread.ofPlatform().name("submitter-" + t).unstarted(() -> {
          try {
            for (int i = 0; i < MAX_ITERATIONS_PER_THREAD && real.nanos() - start < RUN_NANOS; i++) {
              submitOne(bulkhead, occupancy, random, rejected);
            }
          } catch (Throwable unexpected) {
            failures.add(unexpected);
          }
        }));
      }

      runAll(submitters);

      assertThat(failures).isEmpty();
      // Cancelled tasks stop on their own threads, a moment after their futures completed.
      Eventually.await("every task stopped", () -> {
        ExecutorBulkhead.Snapshot snapshot = bulkhead.snapshot();
        return snapshot.running() == 0 && snapshot.queued() == 0;
      });
      assertThat(occupancy.inside.get()).isZero();
      assertThat(occupancy.maxSeen.get()).as("most tasks running at once").isBetween(1, LIMIT);
      assertThat(bulkhead.snapshot().rejected()).isEqualTo(rejected.get());
      assertThat(bulkhead.snapshot().completed()).isPositive();
      assertFullCapacityIsAvailable(bulkhead, LIMIT + queueCapacity);
    } finally {
      bulkhead.close();
    }
  }

  private static void submitOne(ExecutorBulkhead bulkhead, Occupancy occupancy, SplittableRandom random,
      AtomicInteger rejected) throws InterruptedException {
    int kind = random.nextInt(4);
    int spins = random.nextInt(300);
    boolean fails = kind == 1;
    boolean hangs = kind == 2;
    CompletableFuture<String> task = bulkhead.submit(() -> {
      occupancy.enter();
      try {
        if (hangs) {
          // Blocks until cancelled, like a call to an upstream that never answers.
          new CountDownLatch(1).await();
        }
        for (int i = 0; i < spins; i++) {
          Thread.onSpinWait();
        }
        if (fails) {
          throw new IllegalStateException("the call failed");
        }
        return "ok";
      } finally {
        occupancy.leave();
      }
    });
    try {
      if (hangs) {
        // Times the call out, then cancels it.
        task.get(random.nextLong(0, 2_000_000), TimeUnit.NANOSECONDS);
      } else if (kind == 3) {
        spin(random, 2_000);
        task.cancel(true);
        task.get(10, TimeUnit.SECONDS);
      } else {
        task.get(10, TimeUnit.SECONDS);
      }
    } catch (TimeoutException timedOut) {
      task.cancel(true);
    } catch (CancellationException cancelled) {
      // Expected for the tasks cancelled above.
    } catch (ExecutionException failed) {
      if (failed.getCause() instanceof BulkheadFullException) {
        rejected.incrementAndGet();
      } else if (!(failed.getCause() instanceof IllegalStateException)) {
        throw new AssertionError("unexpected failure", failed);
      }
    }
  }

  /** Fills threads and queue to capacity: every slot must be free again, and one more is refused. */
  private static void assertFullCapacityIsAvailable(ExecutorBulkhead bulkhead, int capacity) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<CompletableFuture<Boolean>> tasks = new ArrayList<>();
    for (int i = 0; i < capacity; i++) {
      tasks.add(bulkhead.submit(() -> release.await(10, TimeUnit.SECONDS)));
    }
    CompletableFuture<Boolean> oneTooMany = bulkhead.submit(() -> true);
    release.countDown();

    assertThat(oneTooMany).isCompletedExceptionally();
    for (CompletableFuture<Boolean> task : tasks) {
      assertThat(task.get(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
