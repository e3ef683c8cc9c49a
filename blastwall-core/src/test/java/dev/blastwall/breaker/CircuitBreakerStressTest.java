package dev.blastwall.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.breaker.CircuitBreaker.Snapshot;
import dev.blastwall.breaker.CircuitBreaker.State;
import dev.blastwall.event.BlastwallEvent.CircuitStateChanged;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Many threads against one breaker: the invariants that no interleaving may break. */
class CircuitBreakerStressTest {

  private static final int THREADS = 16;
  private static final int OPERATIONS_PER_THREAD = 12_500;
  private static final int PROBES = 3;

  /** Runs {@code worker(threadIndex)} on every thread at once and waits (boundedly) for all of them. */
  private static void runConcurrently(ThrowingIntConsumer worker) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        running.add(pool.submit(() -> {
          start.await();
          worker.accept(thread);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : running) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @FunctionalInterface
  private interface ThrowingIntConsumer {
    void accept(int value) throws Exception;
  }

  @Test
  void neverMoreProbesThanAllowedAndEveryTransitionReportedOnceInOrder() throws Exception {
    FakeTicker ticker = new FakeTicker();
    ConcurrentLinkedQueue<CircuitStateChanged> events = new ConcurrentLinkedQueue<>();
    CircuitBreaker breaker = CircuitBreaker.builder("stress").ticker(ticker).countWindow(20).minimumCalls(10)
        .openDuration(Duration.ofMillis(1)).openDurationBackoff(1.5, Duration.ofMillis(3))
        .halfOpenProbes(PROBES).halfOpenSuccessesToClose(10)
        .listener(event -> events.add((CircuitStateChanged) event)).build();
    // Probes in flight per half-open period (all probes of one period carry the same permit).
    ConcurrentHashMap<CircuitBreaker.Permit, AtomicInteger> probesInFlight = new ConcurrentHashMap<>();
    AtomicInteger mostProbesInFlight = new AtomicInteger();
    AtomicLong probesAdmitted = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    AtomicInteger mostProbesReported = new AtomicInteger();

    runConcurrently(thread -> {
      SplittableRandom random = new SplittableRandom(0xB1A57L + thread);
      for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
        if (random.nextInt(64) == 0) {
          ticker.advanceNanos(random.nextLong(1_000_000));
        }
        if (thread == 0 && i % 2_500 == 1_000) {
          // Manual changes race with the automatic ones.
          if (random.nextBoolean()) {
            breaker.forceOpen();
          } else {
            breaker.forceClosed();
          }
          breaker.reset();
        }
        CircuitBreaker.Permit permit = breaker.tryAcquirePermit();
        if (!permit.isPermitted()) {
          rejected.incrementAndGet();
          continue;
        }
        AtomicInteger inFlight = null;
        if (permit.isProbe()) {
          probesAdmitted.incrementAndGet();
          inFlight = probesInFlight.computeIfAbsent(permit, key -> new AtomicInteger());
          mostProbesInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          mostProbesReported.accumulateAndGet(breaker.snapshot().probesInFlight(), Math::max);
        }
        if (inFlight != null) {
          // Hold the slot a little, so that other threads race for the free ones meanwhile.
          for (int spin = random.nextInt(500); spin > 0; spin--) {
            Thread.onSpinWait();
          }
        }
        // Alternating weather, 20 ms each: storms trip the circuit, calm spells let probes close it.
        boolean storm = (ticker.nanos() / 20_000_000) % 2 == 0;
        int roll = random.nextInt(100);
        int failing = storm ? 60 : 3;
        if (inFlight != null) {
          // Before handing the permit back: from then on the breaker may give the slot to another probe.
          inFlight.decrementAndGet();
        }
        if (roll < failing) {
          permit.onFailure(1_000, FailureKind.UNAVAILABLE);
        } else if (roll < failing + 5) {
          permit.onFailure(1_000, FailureKind.INVALID);
        } else if (roll < failing + 10) {
          permit.release();
        } else {
          permit.onSuccess(1_000);
        }
      }
    });

    assertThat(mostProbesInFlight.get()).isBetween(1, PROBES);
    assertThat(mostProbesReported.get()).isBetween(1, PROBES);
    assertThat(probesAdmitted.get()).isPositive();
    assertThat(rejected.get()).isPositive();

    List<CircuitStateChanged> chain = new ArrayList<>(events);
    String state = "CLOSED";
    Set<String> kinds = new HashSet<>();
    for (CircuitStateChanged event : chain) {
      assertThat(event.from()).as("event %s follows a change to %s", event, state).isEqualTo(state);
      assertThat(event.to()).isNotEqualTo(event.from());
      kinds.add(event.from() + "->" + event.to());
      state = event.to();
    }
    assertThat(state).isEqualTo(breaker.state().name());
    // Every automatic kind of change happened. (Which manual changes meet which state depends on the
    // interleaving, so they are checked by the chain above, not by name.)
    assertThat(kinds).contains("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->OPEN", "HALF_OPEN->CLOSED");
    assertThat(chain).hasSizeGreaterThan(100);
    // Everything was handed back: no probe slot leaked.
    Snapshot end = breaker.snapshot();
    assertThat(end.probesInFlight()).isZero();
  }

  @Test
  void probeSlotsHoldUnderContentionForThem() throws Exception {
    FakeTicker ticker = new FakeTicker();
    CircuitBreaker breaker = CircuitBreaker.builder("probes").ticker(ticker).countWindow(10)
        .openDuration(Duration.ofMillis(1)).halfOpenProbes(PROBES)
        .halfOpenSuccessesToClose(CircuitBreaker.MAX_HALF_OPEN_PROBES).build();
    for (int i = 0; i < 10; i++) {
      breaker.tryAcquirePermit().onFailure(1, FailureKind.UNAVAILABLE);
    }
    ticker.advanceNanos(1_000_000);
    ConcurrentHashMap<CircuitBreaker.Permit, AtomicInteger> probesInFlight = new ConcurrentHashMap<>();
    AtomicInteger mostProbesInFlight = new AtomicInteger();
    AtomicLong probesAdmitted = new AtomicLong();

    // Almost every probe ends without a verdict, so the circuit stays HALF_OPEN and all threads fight over its
    // three slots; a rare failure reopens it and the next thread to move time on half-opens it again.
    runConcurrently(thread -> {
      SplittableRandom random = new SplittableRandom(0x9B0BEL + thread);
      for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
        CircuitBreaker.Permit permit = breaker.tryAcquirePermit();
        if (!permit.isPermitted()) {
          if (breaker.state() == State.OPEN) {
            ticker.advanceNanos(1_000_000);
          }
          continue;
        }
        assertThat(permit.isProbe()).isTrue();
        probesAdmitted.incrementAndGet();
        AtomicInteger inFlight = probesInFlight.computeIfAbsent(permit, key -> new AtomicInteger());
        mostProbesInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        for (int spin = random.nextInt(200); spin > 0; spin--) {
          Thread.onSpinWait();
        }
        inFlight.decrementAndGet();
        int roll = random.nextInt(1_000);
        if (roll == 0) {
          permit.onFailure(1, FailureKind.TIMEOUT);
        } else if (roll < 10) {
          permit.onSuccess(1);
        } else if (roll < 500) {
          permit.onFailure(1, FailureKind.CANCELLED);
        } else {
          permit.release();
        }
      }
    });

    assertThat(mostProbesInFlight.get()).isEqualTo(PROBES);
    assertThat(probesAdmitted.get()).isGreaterThan(10_000);
    assertThat(breaker.snapshot().probesInFlight()).isZero();
  }

  @Test
  void windowsLoseNoOutcomeUnderContention() throws Exception {
    FakeTicker ticker = new FakeTicker();
    CircuitBreaker counted = CircuitBreaker.builder("count").ticker(ticker)
        .countWindow(CircuitBreaker.MAX_WINDOW_CALLS).minimumCalls(CircuitBreaker.MAX_WINDOW_CALLS).build();
    // A minimum above the calls made: the circuit never trips, so every outcome must be in the window.
    CircuitBreaker timed = CircuitBreaker.builder("time").ticker(ticker)
        .timeWindow(Duration.ofSeconds(10), 10).minimumCalls(CircuitBreaker.MAX_WINDOW_CALLS).build();

    runConcurrently(thread -> {
      for (int i = 0; i < 5_000; i++) {
        for (CircuitBreaker breaker : List.of(counted, timed)) {
          CircuitBreaker.Permit permit = breaker.tryAcquirePermit();
          switch (i % 4) {
            case 0 -> permit.onFailure(1, FailureKind.OVERLOADED);
            case 1 -> permit.onSuccess(Duration.ofMinutes(2).toNanos());
            default -> permit.onSuccess(1);
          }
        }
        if (thread == 0 && i % 500 == 0) {
          ticker.advanceNanos(100_000_000); // within the time window, but across its buckets
        }
      }
    });

    Snapshot expected = new Snapshot(State.CLOSED, 25, 25, 80_000, 20_000, 20_000, 0, 0, -1, 0);
    assertThat(counted.snapshot()).isEqualTo(expected);
    assertThat(timed.snapshot()).isEqualTo(expected);
  }
}
