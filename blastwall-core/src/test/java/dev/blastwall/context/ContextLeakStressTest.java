package dev.blastwall.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads binding their own contexts at once: inside a call each sees exactly its own, between calls each
 * sees ROOT, and pooled threads that run other submitters' tasks never show a stale context. Bounded to a few
 * seconds; checks are plain comparisons so the loop measures the context code, not the assertion library.
 */
class ContextLeakStressTest {

  private static final BaggageKey<Long> VALUE = BaggageKey.of("stress-value", Long.class);

  /** Thrown by every third call; made once, since filling in a stack trace would dominate the loop. */
  private final IllegalStateException taskFailed = new IllegalStateException("task failed");

  private static final int THREADS = 16;
  private static final int CALLS_PER_THREAD = 100_000;

  private final AtomicLong mismatches = new AtomicLong();
  private final AtomicReference<@Nullable String> firstMismatch = new AtomicReference<>();

  private void mismatch(String what) {
    mismatches.incrementAndGet();
    firstMismatch.compareAndSet(null, what);
  }

  private void expectOwn(long expected, String where) {
    Long seen = CallContext.current().get(VALUE);
    if (seen == null || seen.longValue() != expected) {
      mismatch(where + ": expected " + expected + ", saw " + seen + " on " + Thread.currentThread());
    }
  }

  private void expectRoot(String where) {
    CallContext current = CallContext.current();
    if (current != CallContext.ROOT) {
      mismatch(where + ": expected ROOT, saw " + current + " on " + Thread.currentThread());
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void sixteenThreadsEachSeeOnlyTheirOwnContext() throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      long thread = t;
      threads.add(Thread.ofPlatform().name("context-stress-" + t).start(() -> {
        try {
          start.await();
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          mismatch("interrupted before starting");
          return;
        }
        for (int i = 0; i < CALLS_PER_THREAD; i++) {
          long value = thread << 32 | i;
          CallContext context = CallContext.ROOT.with(VALUE, value);
          expectRoot("before call " + i);
          if (i % 3 == 0) {
            context.run(() -> expectOwn(value, "run"));
          } else if (i % 3 == 1) {
            try {
              context.call(() -> {
                expectOwn(value, "call");
                // A nested call binds its own value, and the outer one comes back after it.
                CallContext.current().with(VALUE, ~value).run(() -> expectOwn(~value, "nested"));
                expectOwn(value, "after nested");
                return null;
              });
            } catch (Exception unexpected) {
              mismatch("call threw " + unexpected);
            }
          } else {
            try {
              context.call(() -> {
                expectOwn(value, "throwing call");
                throw taskFailed;
              });
              mismatch("the throwing call returned");
            } catch (Exception expected) {
              if (expected != taskFailed) {
                mismatch("the throwing call threw " + expected);
              }
              // The binding must be gone all the same, checked below.
            }
          }
          expectRoot("after call " + i);
        }
      }));
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(thread.isAlive()).as("%s still running", thread.getName()).isFalse();
    }

    assertThat(firstMismatch.get()).as("first mismatch").isNull();
    assertThat(mismatches).hasValue(0);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void pooledThreadsRunEachSubmittersTaskInItsContextAndOthersInRoot() throws Exception {
    int submitters = 8;
    int tasksPerSubmitter = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    ExecutorService wrapped = CallContext.wrap(pool);
    ExecutorService submitting = Executors.newFixedThreadPool(submitters);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int s = 0; s < submitters; s++) {
        long submitter = s;
        done.add(submitting.submit(() -> {
          List<Future<?>> tasks = new ArrayList<>(tasksPerSubmitter);
          for (int i = 0; i < tasksPerSubmitter; i++) {
            long value = submitter << 32 | i;
            CallContext context = CallContext.ROOT.with(VALUE, value);
            tasks.add(context.call(() -> wrapped.submit(() -> expectOwn(value, "wrapped task"))));
            // Interleaved plain tasks land on the same pooled threads right after wrapped ones.
            tasks.add(pool.submit(() -> expectRoot("plain task")));
          }
          for (Future<?> task : tasks) {
            task.get(30, TimeUnit.SECONDS);
          }
          return null;
        }));
      }
      for (Future<?> submitter : done) {
        submitter.get(30, TimeUnit.SECONDS);
      }
    } finally {
      submitting.shutdownNow();
      pool.shutdownNow();
    }

    assertThat(firstMismatch.get()).as("first mismatch").isNull();
    assertThat(mismatches).hasValue(0);
  }
}
