package dev.blastwall.overload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.Criticality;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * Sixteen threads admitting and releasing every class (and health checks) on one controller as fast as they can.
 * At no moment may more than the capacity be in flight, and once all have finished nothing may be left in flight
 * and every attempt must be counted as admitted or shed.
 */
class AdmissionControllerStressTest {

  private static final int THREADS = 16;
  private static final int ITERATIONS_PER_THREAD = 50_000;
  private static final int CAPACITY = 8;
  private static final List<Criticality> CLASSES = List.of(Criticality.values());

  @Test
  void inFlightNeverExceedsCapacityAndReturnsToZero() throws Exception {
    AdmissionController admission = AdmissionController.builder("stress", CAPACITY)
        .reserve(Criticality.CRITICAL_PLUS, 0.25).reserve(Criticality.CRITICAL, 0.25).build();
    // Our own count of requests inside, independent of the controller's: it must obey the same bound.
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    AtomicInteger overLimit = new AtomicInteger();
    AtomicLongArray attempts = new AtomicLongArray(Criticality.values().length);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);

    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      SplittableRandom random = new SplittableRandom(42 + t);
      threads.add(new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < ITERATIONS_PER_THREAD; i++) {
            Criticality criticality = CLASSES.get(random.nextInt(CLASSES.size()));
            attempts.incrementAndGet(criticality.rank());
            if (!admission.tryAdmit(criticality)) {
              continue;
            }
            int now = inside.incrementAndGet();
            maxInside.accumulateAndGet(now, Math::max);
            // The controller's own count, read while this request holds a slot, must obey the bound too.
            if (admission.inFlight() > CAPACITY) {
              overLimit.incrementAndGet();
            }
            for (int spin = random.nextInt(50); spin > 0; spin--) {
              Thread.onSpinWait();
            }
            inside.decrementAndGet();
            admission.release(random.nextInt(1_000));
          }
        } catch (Throwable failure) {
          failures.add(failure);
        }
      }, "admission-stress-" + t));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread thread : threads) {
      assertThat(thread.join(Duration.ofSeconds(60))).as(thread.getName() + " finished").isTrue();
    }

    assertThat(failures).isEmpty();
    assertThat(admission.inFlight()).isZero();
    assertThat(maxInside.get()).isLessThanOrEqualTo(CAPACITY);
    assertThat(overLimit.get()).isZero();
    AdmissionController.Snapshot snapshot = admission.snapshot();
    for (Criticality criticality : Criticality.values()) {
      AdmissionController.ClassCounts counts = snapshot.of(criticality);
      assertThat(counts.admitted() + counts.shed()).as(criticality + " attempts")
          .isEqualTo(attempts.get(criticality.rank()));
    }
  }

  @Test
  void healthChecksMixedInStillReturnToZero() throws Exception {
    AdmissionController admission = AdmissionController.builder("stress", CAPACITY).build();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      SplittableRandom random = new SplittableRandom(7 + t);
      threads.add(new Thread(() -> {
        try {
          for (int i = 0; i < ITERATIONS_PER_THREAD / 5; i++) {
            if (random.nextInt(4) == 0) {
              admission.admitHealthCheck();
              admission.release();
            } else if (admission.tryAdmit(Criticality.SHEDDABLE)) {
              admission.release();
            }
          }
        } catch (Throwable failure) {
          failures.add(failure);
        }
      }, "health-stress-" + t));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      assertThat(thread.join(Duration.ofSeconds(60))).as(thread.getName() + " finished").isTrue();
    }

    assertThat(failures).isEmpty();
    assertThat(admission.inFlight()).isZero();
    assertThat(admission.snapshot().healthChecks()).isPositive();
  }
}
