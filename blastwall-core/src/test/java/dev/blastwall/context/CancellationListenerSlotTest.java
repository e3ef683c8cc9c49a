package dev.blastwall.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The listener storage that is created lazily: nothing while nobody listens, one slot for the first listener, a
 * queue from the second on. Each form and each move between them keeps the rules: every listener runs exactly
 * once (also when registered while the signal is being cancelled), in registration order, and a removed one never.
 */
class CancellationListenerSlotTest {

  private static final int ROUNDS = 2_000;

  @Test
  void aSignalNobodyListenedToCancelsWithNothingToRun() {
    Cancellation signal = Cancellation.create();

    assertThat(signal.cancel(new IllegalStateException("stop"))).isTrue();
    assertThat(signal.cancel(new IllegalStateException("again"))).isFalse();
  }

  @Test
  void theFirstListenerRemovedFromTheSlotNeverRuns_andTheSlotTakesTheNextOne() {
    Cancellation signal = Cancellation.create();
    List<String> ran = new ArrayList<>();
    Cancellation.Registration first = signal.onCancel(() -> ran.add("first"));

    first.remove();
    signal.onCancel(() -> ran.add("second"));
    signal.cancel(new IllegalStateException("stop"));

    assertThat(ran).containsExactly("second");
  }

  @Test
  void theSlotsListenerMovedIntoTheQueueKeepsItsPlace_andCanStillBeRemoved() {
    Cancellation signal = Cancellation.create();
    List<String> ran = new ArrayList<>();
    Cancellation.Registration first = signal.onCancel(() -> ran.add("first"));
    signal.onCancel(() -> ran.add("second"));
    Cancellation.Registration third = signal.onCancel(() -> ran.add("third"));
    signal.onCancel(() -> ran.add("fourth"));

    third.remove();
    signal.cancel(new IllegalStateException("stop"));
    first.remove(); // too late: it ran; removing it now changes nothing

    assertThat(ran).containsExactly("first", "second", "fourth");
  }

  @Test
  void removingEveryListenerLeavesNothingToRun() {
    Cancellation signal = Cancellation.create();
    AtomicInteger ran = new AtomicInteger();
    Cancellation.Registration first = signal.onCancel(ran::incrementAndGet);
    Cancellation.Registration second = signal.onCancel(ran::incrementAndGet);

    second.remove();
    first.remove();
    signal.cancel(new IllegalStateException("stop"));

    assertThat(ran).hasValue(0);
  }

  @Test
  @Timeout(60)
  void listenersRegisteredWhileTheSignalIsCancelledRunExactlyOnce() throws Exception {
    // One or two registrations per thread race the cancel: the empty slot, the single slot and its move into
    // the queue are all hit while cancel() is taking listeners.
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        Cancellation signal = Cancellation.create();
        List<String> ran = new CopyOnWriteArrayList<>();
        CyclicBarrier start = new CyclicBarrier(3);
        List<Future<?>> done = new ArrayList<>();
        for (String thread : List.of("a", "b")) {
          done.add(pool.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            signal.onCancel(() -> ran.add(thread + "1"));
            signal.onCancel(() -> ran.add(thread + "2"));
            return null;
          }));
        }
        done.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return signal.cancel(new IllegalStateException("stop"));
        }));
        for (Future<?> future : done) {
          future.get(10, TimeUnit.SECONDS);
        }

        // No order across threads here: a listener registered during cancel() may run on its registering
        // thread before cancel() got to run the one it took just before.
        assertThat(ran).as("round %d", round).containsExactlyInAnyOrder("a1", "a2", "b1", "b2");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(60)
  void aListenerRemovedWhileTheSignalIsCancelledRunsAtMostOnce_andTheOthersExactlyOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        Cancellation signal = Cancellation.create();
        AtomicInteger removedOnesRan = new AtomicInteger();
        AtomicInteger keptRan = new AtomicInteger();
        // Odd rounds: the removed listener sits in the slot; even rounds: it was moved into the queue.
        Cancellation.Registration removed = signal.onCancel(removedOnesRan::incrementAndGet);
        if (round % 2 == 0) {
          signal.onCancel(keptRan::incrementAndGet);
        }
        CyclicBarrier start = new CyclicBarrier(2);
        Future<?> removing = pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          removed.remove();
          return null;
        });
        Future<Boolean> cancelling = pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return signal.cancel(new IllegalStateException("stop"));
        });
        removing.get(10, TimeUnit.SECONDS);
        assertThat(cancelling.get(10, TimeUnit.SECONDS)).isTrue();

        assertThat(removedOnesRan.get()).as("round %d", round).isBetween(0, 1);
        assertThat(keptRan).as("round %d", round).hasValue(round % 2 == 0 ? 1 : 0);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
