package dev.blastwall.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CancellationTest {

  @Test
  void aNewSignalIsNotCancelled() {
    Cancellation signal = Cancellation.create();

    assertThat(signal.isCancelled()).isFalse();
    assertThat(signal.cause()).isNull();
    signal.throwIfCancelled();
    assertThat(signal).hasToString("Cancellation[active]");
  }

  @Test
  void cancelKeepsTheFirstCauseAndReportsWhetherItCancelled() {
    Cancellation signal = Cancellation.create();
    IllegalStateException first = new IllegalStateException("first");

    assertThat(signal.cancel(first)).isTrue();
    assertThat(signal.cancel(new IllegalStateException("second"))).isFalse();

    assertThat(signal.isCancelled()).isTrue();
    assertThat(signal.cause()).isSameAs(first);
  }

  @Test
  void throwIfCancelledCarriesTheCause() {
    Cancellation signal = Cancellation.create();
    IllegalStateException cause = new IllegalStateException("deadline passed");
    signal.cancel(cause);

    assertThatThrownBy(signal::throwIfCancelled)
        .isInstanceOf(CancellationException.class)
        .hasMessage("call cancelled: deadline passed")
        .hasCause(cause);
  }

  @Test
  void childIsCancelledWithItsParentAndKeepsTheParentsCause() {
    Cancellation parent = Cancellation.create();
    Cancellation child = parent.child();
    Cancellation grandchild = child.child();
    IllegalStateException cause = new IllegalStateException("caller gave up");

    parent.cancel(cause);

    assertThat(child.isCancelled()).isTrue();
    assertThat(child.cause()).isSameAs(cause);
    assertThat(grandchild.isCancelled()).isTrue();
    assertThat(grandchild.cause()).isSameAs(cause);
  }

  @Test
  void cancellingAChildNeverReachesItsParentOrSiblings() {
    Cancellation parent = Cancellation.create();
    Cancellation child = parent.child();
    Cancellation sibling = parent.child();

    child.cancel(new IllegalStateException("attempt timed out"));

    assertThat(child.isCancelled()).isTrue();
    assertThat(parent.isCancelled()).isFalse();
    assertThat(sibling.isCancelled()).isFalse();
  }

  @Test
  void childOfAnAlreadyCancelledParentIsBornCancelled() {
    Cancellation parent = Cancellation.create();
    IllegalStateException cause = new IllegalStateException("gone");
    parent.cancel(cause);

    Cancellation child = parent.child();

    assertThat(child.isCancelled()).isTrue();
    assertThat(child.cause()).isSameAs(cause);
  }

  @Test
  void listenersRunOnce() {
    Cancellation signal = Cancellation.create();
    AtomicInteger runs = new AtomicInteger();
    signal.onCancel(runs::incrementAndGet);

    signal.cancel(new IllegalStateException("one"));
    signal.cancel(new IllegalStateException("two"));

    assertThat(runs).hasValue(1);
  }

  @Test
  void listenerAddedAfterCancelRunsAtOnceOnTheRegisteringThread() {
    Cancellation signal = Cancellation.create();
    signal.cancel(new IllegalStateException("done"));
    List<Thread> ranOn = new ArrayList<>();

    signal.onCancel(() -> ranOn.add(Thread.currentThread()));

    assertThat(ranOn).containsExactly(Thread.currentThread());
  }

  @Test
  void listenersRunInRegistrationOrder() {
    Cancellation signal = Cancellation.create();
    List<String> order = new ArrayList<>();
    signal.onCancel(() -> order.add("first"));
    Cancellation child = signal.child();
    child.onCancel(() -> order.add("child"));
    signal.onCancel(() -> order.add("third"));

    signal.cancel(new IllegalStateException("stop"));

    assertThat(order).containsExactly("first", "child", "third");
  }

  @Test
  void aThrowingListenerDoesNotKeepTheOthersFromRunning() {
    Cancellation signal = Cancellation.create();
    Cancellation child = signal.child();
    List<String> ran = new ArrayList<>();
    IllegalStateException firstFailure = new IllegalStateException("listener 1 broke");
    IllegalArgumentException secondFailure = new IllegalArgumentException("listener 3 broke");
    signal.onCancel(() -> {
      throw firstFailure;
    });
    signal.onCancel(() -> ran.add("second"));
    signal.onCancel(() -> {
      throw secondFailure;
    });
    signal.onCancel(() -> ran.add("fourth"));

    assertThatThrownBy(() -> signal.cancel(new IllegalStateException("stop"))).isSameAs(firstFailure);

    assertThat(ran).containsExactly("second", "fourth");
    assertThat(firstFailure.getSuppressed()).containsExactly(secondFailure);
    assertThat(signal.isCancelled()).isTrue();
    assertThat(child.isCancelled()).as("the child, registered before the throwing listener").isTrue();
  }

  @Test
  void neverIsNeverCancelled() {
    AtomicInteger runs = new AtomicInteger();
    Cancellation.NEVER.onCancel(runs::incrementAndGet);

    assertThat(Cancellation.NEVER.cancel(new IllegalStateException("try"))).isFalse();

    assertThat(Cancellation.NEVER.isCancelled()).isFalse();
    assertThat(Cancellation.NEVER.cause()).isNull();
    assertThat(runs).hasValue(0);
  }

  @Test
  void childOfNeverCanStillBeCancelledOnItsOwn() {
    Cancellation child = Cancellation.NEVER.child();

    assertThat(child.cancel(new IllegalStateException("own"))).isTrue();

    assertThat(child.isCancelled()).isTrue();
    assertThat(Cancellation.NEVER.isCancelled()).isFalse();
  }

  @Test
  @Timeout(30)
  void racingCancelsWinOnceAndRacingRegistrationsEachRunExactlyOnce() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 300; round++) {
        Cancellation signal = Cancellation.create();
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        List<Integer> registered = new CopyOnWriteArrayList<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          int id = i;
          done.add(pool.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            for (int j = 0; j < 20; j++) {
              signal.onCancel(runs::incrementAndGet);
              registered.add(id);
            }
            if (signal.cancel(new IllegalStateException("by " + id))) {
              wins.incrementAndGet();
            }
            return null;
          }));
        }
        for (Future<?> future : done) {
          future.get(10, TimeUnit.SECONDS);
        }
        assertThat(wins).as("round %d", round).hasValue(1);
        assertThat(runs).as("round %d", round).hasValue(registered.size());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aDetachedChildNoLongerFollowsItsParent() {
    Cancellation parent = Cancellation.create();
    Cancellation kept = parent.child();
    Cancellation detached = parent.child();

    detached.detach();
    parent.cancel(new IllegalStateException("caller gave up"));

    assertThat(kept.isCancelled()).isTrue();
    assertThat(detached.isCancelled()).isFalse();
  }

  @Test
  void aRemovedListenerNeverRuns() {
    Cancellation signal = Cancellation.create();
    java.util.List<String> ran = new java.util.ArrayList<>();
    Cancellation.Registration first = signal.onCancel(() -> ran.add("first"));
    signal.onCancel(() -> ran.add("second"));

    first.remove();
    first.remove();
    signal.cancel(new IllegalStateException("stop"));

    assertThat(ran).containsExactly("second");
  }

  @Test
  void manyFinishedChildrenLeaveNothingRegisteredOnTheParent() {
    Cancellation parent = Cancellation.create();
    java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
    for (int i = 0; i < 10_000; i++) {
      Cancellation child = parent.child();
      child.onCancel(ran::incrementAndGet);
      child.detach();
    }

    parent.cancel(new IllegalStateException("late"));

    assertThat(ran).hasValue(0);
  }
}
