package dev.blastwall.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testkit.PropertyCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of acquisitions, async waits, cancellations, releases and time passing, checked after every
 * step against what a fair bulkhead must guarantee.
 */
class SemaphoreBulkheadPropertiesTest {

  private static final long MS = 1_000_000L;
  private static final long MAX_WAIT_NANOS = 20 * MS;

  enum Kind { TRY_ACQUIRE, ACQUIRE_ASYNC, CANCEL, RELEASE, ADVANCE }

  record Op(Kind kind, long value) {}

  record Scenario(int max, int maxWaiting, List<Op> ops) {}

  private static Scenario scenario(SplittableRandom random) {
    int max = PropertyCheck.edgeOr(random, 1, 5, 1);
    int maxWaiting = PropertyCheck.edgeOr(random, 1, 6, 1);
    List<Op> ops = new ArrayList<>();
    int steps = random.nextInt(1, 60);
    for (int i = 0; i < steps; i++) {
      Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
      long value = switch (kind) {
        case ACQUIRE_ASYNC -> PropertyCheck.edgeOr(random, -1, 40 * MS, 0, 1, MAX_WAIT_NANOS, Long.MAX_VALUE);
        case ADVANCE -> PropertyCheck.edgeOr(random, 0, 30 * MS, 0, MAX_WAIT_NANOS);
        default -> random.nextInt(1000);
      };
      ops.add(new Op(kind, value));
    }
    return new Scenario(max, maxWaiting, ops);
  }

  @Test
  void permitsAreCountedExactlyAndWaitersServedInOrder() {
    PropertyCheck.forAll(0xB01C_4EADL, 400, SemaphoreBulkheadPropertiesTest::scenario, scenario -> {
      FakeScheduler scheduler = new FakeScheduler();
      SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("p").maxConcurrentCalls(scenario.max())
          .maxWaiting(scenario.maxWaiting()).maxWait(Duration.ofNanos(MAX_WAIT_NANOS)).build();
      List<CompletableFuture<Boolean>> requests = new ArrayList<>();
      // Which requests were seen granted, so each grant is counted once.
      List<Boolean> counted = new ArrayList<>();
      int held = 0;

      for (Op op : scenario.ops()) {
        switch (op.kind()) {
          case TRY_ACQUIRE -> {
            if (bulkhead.tryAcquire()) {
              held++;
            }
          }
          case ACQUIRE_ASYNC -> {
            requests.add(bulkhead.acquireAsync(op.value(), scheduler));
            counted.add(false);
          }
          case CANCEL -> {
            List<CompletableFuture<Boolean>> pending = requests.stream().filter(f -> !f.isDone()).toList();
            if (!pending.isEmpty()) {
              pending.get((int) (op.value() % pending.size())).cancel(true);
            }
          }
          case RELEASE -> {
            if (held > 0) {
              bulkhead.release();
              held--;
            }
          }
          case ADVANCE -> scheduler.advanceNanos(op.value());
        }
        held += newlyGranted(requests, counted);
        checkInvariants(scenario, bulkhead, requests, held);
      }

      while (held > 0) {
        bulkhead.release();
        held--;
        held += newlyGranted(requests, counted);
      }
      scheduler.advanceNanos(MAX_WAIT_NANOS);
      held += newlyGranted(requests, counted);
      while (held > 0) {
        bulkhead.release();
        held--;
        held += newlyGranted(requests, counted);
      }
      assertThat(bulkhead.snapshot().inUse()).isZero();
      assertThat(bulkhead.snapshot().waiting()).isZero();
      assertThat(scheduler.pendingTasks()).isZero();
    });
  }

  private static int newlyGranted(List<CompletableFuture<Boolean>> requests, List<Boolean> counted) {
    int granted = 0;
    for (int i = 0; i < requests.size(); i++) {
      CompletableFuture<Boolean> request = requests.get(i);
      if (!counted.get(i) && request.isDone() && !request.isCompletedExceptionally() && request.join()) {
        counted.set(i, true);
        granted++;
      }
    }
    return granted;
  }

  private static void checkInvariants(Scenario scenario, SemaphoreBulkhead bulkhead,
      List<CompletableFuture<Boolean>> requests, int held) {
    SemaphoreBulkhead.Snapshot snapshot = bulkhead.snapshot();
    long pending = requests.stream().filter(f -> !f.isDone()).count();
    assertThat(snapshot.inUse()).as("permits held").isEqualTo(held);
    assertThat(snapshot.inUse()).as("permits held").isLessThanOrEqualTo(scenario.max());
    assertThat(snapshot.waiting()).as("waiting").isEqualTo(pending);
    assertThat(snapshot.waiting()).as("waiting").isLessThanOrEqualTo(scenario.maxWaiting());
    if (snapshot.waiting() > 0) {
      assertThat(snapshot.inUse()).as("no permit idles while someone waits").isEqualTo(scenario.max());
    }
    // First come, first served: no request still waits behind a later one that was granted.
    int oldestPending = Integer.MAX_VALUE;
    int youngestGranted = -1;
    for (int i = 0; i < requests.size(); i++) {
      CompletableFuture<Boolean> request = requests.get(i);
      if (!request.isDone()) {
        oldestPending = Math.min(oldestPending, i);
      } else if (!request.isCompletedExceptionally() && request.join()) {
        youngestGranted = i;
      }
    }
    assertThat(youngestGranted).as("youngest granted request").isLessThan(oldestPending);
  }
}
