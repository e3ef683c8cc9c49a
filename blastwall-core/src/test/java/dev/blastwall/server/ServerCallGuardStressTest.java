package dev.blastwall.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.limit.ConcurrencyLimiter;
import dev.blastwall.limit.Limit;
import dev.blastwall.overload.AdmissionController;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Eight threads entering calls through a guard and ending each admitted call from two threads at once, with any of
 * the three ends, a fixed number of times (a count, not a clock). Every permit the admission gave must come back
 * exactly once: none leaks, none comes back twice, and the admission's own count ends at zero.
 */
class ServerCallGuardStressTest {

  private static final int THREADS = 8;
  private static final int CALLS_PER_THREAD = 20_000;

  /** Wraps an admission and checks, per permit, that it comes back exactly once. */
  private static final class Auditing implements Admission {
    private final Admission inner;
    final AtomicLong admitted = new AtomicLong();
    final AtomicLong released = new AtomicLong();
    final AtomicLong doubleReleases = new AtomicLong();
    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger maxInside = new AtomicInteger();

    Auditing(Admission inner) {
      this.inner = inner;
    }

    @Override
    public @Nullable Permit tryAdmit(CallContext context) {
      Permit permit = inner.tryAdmit(context);
      if (permit == null) {
        return null;
      }
      admitted.incrementAndGet();
      maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
      AtomicInteger ends = new AtomicInteger();
      return new Permit() {
        @Override
        public void onSuccess() {
          if (count()) {
            permit.onSuccess();
          }
        }

        @Override
        public void onDropped() {
          if (count()) {
            permit.onDropped();
          }
        }

        @Override
        public void onIgnore() {
          if (count()) {
            permit.onIgnore();
          }
        }

        private boolean count() {
          if (ends.incrementAndGet() != 1) {
            doubleReleases.incrementAndGet();
            return false;
          }
          inside.decrementAndGet();
          released.incrementAndGet();
          return true;
        }
      };
    }

    @Override
    public OverloadedException rejection(CallContext context) {
      return inner.rejection(context);
    }
  }

  @Test
  void admissionController_everyPermitComesBackExactlyOnce() throws Exception {
    AdmissionController controller = AdmissionController.builder("stress", 4)
        .reserve(Criticality.CRITICAL_PLUS, 0.25).build();
    Auditing audit = new Auditing(controller);

    long refused = hammer(ServerCallGuard.of(audit));

    assertThat(audit.doubleReleases.get()).as("permits released twice").isZero();
    assertThat(audit.released.get()).as("permits released").isEqualTo(audit.admitted.get());
    assertThat(audit.admitted.get()).as("admitted").isPositive();
    assertThat(refused).as("refused").isPositive();
    assertThat(audit.maxInside.get()).as("most inside at once").isBetween(1, 4);
    assertThat(controller.inFlight()).as("controller's count after the run").isZero();
  }

  @Test
  void concurrencyLimiter_everyPermitComesBackExactlyOnce() throws Exception {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder("stress", Limit.fixed(3)).build();
    Auditing audit = new Auditing(limiter);

    hammer(ServerCallGuard.of(audit));

    assertThat(audit.doubleReleases.get()).as("permits released twice").isZero();
    assertThat(audit.released.get()).as("permits released").isEqualTo(audit.admitted.get());
    assertThat(audit.maxInside.get()).as("most inside at once").isBetween(1, 3);
    assertThat(limiter.inflight()).as("limiter's count after the run").isZero();
  }

  @Test
  void withoutAudit_theAdmissionsOwnCountsEndAtZero() throws Exception {
    AdmissionController controller = AdmissionController.builder("stress", 2).build();

    hammer(ServerCallGuard.of(controller));

    // A second release of a controller slot either throws (nothing in flight) or steals another call's slot,
    // which would leave the count negative or the next release throwing: the count ends at zero only if none did.
    assertThat(controller.inFlight()).isZero();
  }

  /**
   * Each thread enters calls; it hands each admitted call to the others through a queue and ends it itself, so most
   * calls are ended by two threads racing. Returns the calls refused.
   */
  private static long hammer(ServerCallGuard guard) throws Exception {
    ConcurrentLinkedQueue<GuardedCall> shared = new ConcurrentLinkedQueue<>();
    AtomicLong refused = new AtomicLong();
    List<Throwable> failures = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    Criticality[] classes = Criticality.values();
    for (int t = 0; t < THREADS; t++) {
      SplittableRandom random = new SplittableRandom(20261207L + t);
      Thread thread = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < CALLS_PER_THREAD; i++) {
            CallContext context = CallContext.ROOT.withCriticality(classes[random.nextInt(classes.length)]);
            GuardedCall call = guard.enter(context);
            if (call.admitted()) {
              shared.add(call);
              end(call, random);
            } else {
              refused.incrementAndGet();
            }
            GuardedCall other = shared.poll();
            if (other != null) {
              end(other, random);
            }
          }
        } catch (Throwable failure) {
          synchronized (failures) {
            failures.add(failure);
          }
        }
      }, "guard-stress-" + t);
      threads.add(thread);
      thread.start();
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(thread.isAlive()).as(thread.getName() + " finished").isFalse();
    }
    for (GuardedCall left = shared.poll(); left != null; left = shared.poll()) {
      end(left, new SplittableRandom(1));
    }
    assertThat(failures).isEmpty();
    return refused.get();
  }

  private static void end(GuardedCall call, SplittableRandom random) {
    switch (random.nextInt(3)) {
      case 0 -> call.onSuccess();
      case 1 -> call.onDropped();
      default -> call.onIgnore();
    }
  }
}
