package dev.blastwall.overload;

import static dev.blastwall.context.Criticality.CRITICAL;
import static dev.blastwall.context.Criticality.CRITICAL_PLUS;
import static dev.blastwall.context.Criticality.SHEDDABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class BoundedWorkQueueTest {

  private static final long MS = 1_000_000L;

  private final FakeTicker ticker = new FakeTicker();
  private final List<String> dropped = new ArrayList<>();
  private final List<OverloadedException> dropReasons = new ArrayList<>();

  private BoundedWorkQueue.Builder<String> builder(int capacity) {
    return BoundedWorkQueue.<String>builder("search", capacity, (item, reason) -> {
      dropped.add(item);
      dropReasons.add(reason);
    }).ticker(ticker);
  }

  private CallContext context(Criticality criticality) {
    return CallContext.ROOT.withCriticality(criticality);
  }

  private CallContext context(Criticality criticality, long deadlineMillis) {
    return context(criticality).withDeadline(Deadline.afterNanos(deadlineMillis * MS, ticker));
  }

  private static List<String> drain(BoundedWorkQueue<String> queue) {
    List<String> out = new ArrayList<>();
    for (String item = queue.poll(); item != null; item = queue.poll()) {
      out.add(item);
    }
    return out;
  }

  // --- order --------------------------------------------------------------------------------------------------

  @Test
  void servesFirstInFirstOutWithinAClassAndTheMostCriticalClassFirst() {
    BoundedWorkQueue<String> queue = builder(10).build();
    queue.submit("s1", context(SHEDDABLE));
    queue.submit("c1", context(CRITICAL));
    queue.submit("c2", context(CRITICAL));
    queue.submit("p1", context(CRITICAL_PLUS));
    queue.submit("s2", context(SHEDDABLE));

    assertThat(queue.size()).isEqualTo(5);
    assertThat(drain(queue)).containsExactly("p1", "c1", "c2", "s1", "s2");
    assertThat(queue.poll()).isNull();
    assertThat(dropped).isEmpty();
  }

  // --- refusals at submit -------------------------------------------------------------------------------------

  @Test
  void aFullQueueRefusesWithQueueFull() {
    BoundedWorkQueue<String> queue = builder(2).build();
    queue.submit("a", context(CRITICAL));
    queue.submit("b", context(CRITICAL));

    assertThatThrownBy(() -> queue.submit("c", context(CRITICAL_PLUS)))
        .isInstanceOfSatisfying(OverloadedException.class, refusal -> {
          assertThat(refusal).hasMessage("search: queue: queue full: 2 of 2 queued (attempts: 0, deadline: none)");
          assertThat(refusal.policy()).isEqualTo("queue");
          assertThat(refusal.reason()).isEqualTo("queue-full");
          assertThat(refusal.doNotRetry()).isTrue();
          // No service time known yet: the hint is the target delay.
          assertThat(refusal.retryAfterNanos()).isEqualTo(10 * MS);
        });
    assertThat(queue.size()).isEqualTo(2);
    assertThat(queue.snapshot().rejectedFull()).isEqualTo(1);
    assertThat(drain(queue)).containsExactly("a", "b");
  }

  @Test
  void aFullQueueFirstMakesRoomByDroppingWhatHasExpired() {
    BoundedWorkQueue<String> queue = builder(2).build();
    queue.submit("expiring", context(CRITICAL, 5));
    queue.submit("b", context(CRITICAL));
    ticker.advance(Duration.ofMillis(6));

    queue.submit("c", context(CRITICAL));

    assertThat(dropped).containsExactly("expiring");
    assertThat(dropReasons.get(0).reason()).isEqualTo("deadline");
    assertThat(drain(queue)).containsExactly("b", "c");
  }

  @Test
  void aRequestWhoseDeadlineHasPassedIsRefusedAtSubmit() {
    BoundedWorkQueue<String> queue = builder(10).build();
    CallContext late = context(CRITICAL, 0);
    ticker.advance(Duration.ofMillis(5));

    assertThatThrownBy(() -> queue.submit("late", late))
        .isInstanceOfSatisfying(OverloadedException.class, refusal -> {
          assertThat(refusal).hasMessage(
              "search: queue: deadline passed 5.0 ms before enqueue (attempts: 0, deadline: none)");
          assertThat(refusal.reason()).isEqualTo("deadline");
        });
    assertThat(queue.size()).isZero();
    assertThat(queue.snapshot().rejectedDeadline()).isEqualTo(1);
  }

  @Test
  void aRequestThatCouldNotStartBeforeItsDeadlineIsRefusedAtSubmit() {
    BoundedWorkQueue<String> queue = builder(100).workers(2).build();
    queue.recordServiceTime(10 * MS);
    for (int i = 0; i < 4; i++) {
      queue.submit("c" + i, context(CRITICAL));
    }
    queue.submit("s", context(SHEDDABLE));

    // Four ahead, two workers, 10 ms each: about 20 ms before it could start.
    assertThat(queue.estimatedWaitNanos(CRITICAL)).isEqualTo(20 * MS);
    assertThatThrownBy(() -> queue.submit("tight", context(CRITICAL, 15)))
        .isInstanceOfSatisfying(OverloadedException.class, refusal -> {
          assertThat(refusal).hasMessage("search: queue: deadline in 15.0 ms, estimated queue wait 20.0 ms "
              + "(4 ahead, 2 workers, mean service 10.0 ms) (attempts: 0, deadline: none)");
          assertThat(refusal.reason()).isEqualTo("deadline");
          // Long enough for the five queued to be worked off.
          assertThat(refusal.retryAfterNanos()).isEqualTo(25 * MS);
        });

    queue.submit("roomy", context(CRITICAL, 25));
    // A more critical request jumps the queue, so the same deadline is enough for it; lower classes do not count.
    queue.submit("urgent", context(CRITICAL_PLUS, 15));
    assertThat(queue.estimatedWaitNanos(CRITICAL_PLUS)).isEqualTo(5 * MS);
    assertThat(drain(queue)).containsExactly("urgent", "c0", "c1", "c2", "c3", "roomy", "s");
  }

  // --- drops at dequeue ---------------------------------------------------------------------------------------

  @Test
  void requestsWhoseDeadlinePassedWhileQueuedAreDroppedWithoutRunning() {
    BoundedWorkQueue<String> queue = builder(10).build();
    queue.submit("expires", context(CRITICAL, 50));
    queue.submit("lives", context(CRITICAL, 500));
    queue.submit("no deadline", context(CRITICAL));
    ticker.advance(Duration.ofMillis(60));

    assertThat(queue.poll()).isEqualTo("lives");

    assertThat(dropped).containsExactly("expires");
    OverloadedException reason = dropReasons.get(0);
    assertThat(reason).hasMessage("search: queue: deadline passed after 60.0 ms queued (attempts: 0, deadline: none)");
    assertThat(reason.reason()).isEqualTo("deadline");
    assertThat(reason.policy()).isEqualTo("queue");
    assertThat(queue.poll()).isEqualTo("no deadline");
    assertThat(queue.snapshot().droppedExpired()).isEqualTo(1);
  }

  @Test
  void anExpiredRequestBehindALiveOneIsDroppedWhenItsTurnComes() {
    BoundedWorkQueue<String> queue = builder(10).build();
    queue.submit("lives", context(CRITICAL, 500));
    queue.submit("expires", context(CRITICAL, 50));
    ticker.advance(Duration.ofMillis(60));

    assertThat(queue.poll()).isEqualTo("lives");
    assertThat(dropped).isEmpty();
    assertThat(queue.poll()).isNull();
    assertThat(dropped).containsExactly("expires");
  }

  // --- controlled delay and adaptive LIFO ---------------------------------------------------------------------

  @Test
  void aShortBurstAboveTheTargetIsNoOverload() {
    BoundedWorkQueue<String> queue = builder(10).build();
    queue.submit("a", context(CRITICAL));
    queue.submit("b", context(CRITICAL));
    ticker.advance(Duration.ofMillis(50));
    queue.submit("c", context(CRITICAL));

    // Above the 10 ms target, but for 40 ms, not the 100 ms interval: a burst, served in order, nothing dropped.
    assertThat(drain(queue)).containsExactly("a", "b", "c");
    assertThat(queue.isOverloaded(CRITICAL)).isFalse();
    assertThat(dropped).isEmpty();
  }

  @Test
  void switchesToLifoWhenTheQueueStandsAboveTargetForAnIntervalAndBackOnceDrained() {
    BoundedWorkQueue<String> queue = builder(10).dropStale(false).build();
    queue.submit("old", context(CRITICAL));
    ticker.advance(Duration.ofMillis(105));
    queue.submit("b", context(CRITICAL));
    queue.submit("c", context(CRITICAL));
    queue.submit("urgent", context(CRITICAL_PLUS));
    assertThat(queue.isLifo(CRITICAL)).isFalse();
    ticker.advance(Duration.ofMillis(5));

    // The oldest has been above the 10 ms target since t = 10 ms; at t = 110 ms that is a whole interval.
    assertThat(queue.poll()).isEqualTo("urgent");
    assertThat(queue.isLifo(CRITICAL)).isTrue();
    assertThat(queue.isLifo(CRITICAL_PLUS)).isFalse();
    assertThat(queue.snapshot().overloaded()).containsExactly(CRITICAL);
    assertThat(drain(queue)).containsExactly("c", "b", "old");
    assertThat(dropped).isEmpty();

    // Drained, but "old" waited past the target just now: stay LIFO until an interval has gone by without that.
    assertThat(queue.isLifo(CRITICAL)).isTrue();
    ticker.advance(Duration.ofMillis(99));
    assertThat(queue.poll()).isNull();
    assertThat(queue.isLifo(CRITICAL)).isTrue();
    ticker.advance(Duration.ofMillis(1));
    assertThat(queue.poll()).isNull();
    assertThat(queue.isLifo(CRITICAL)).isFalse();
    assertThat(queue.snapshot().overloadEpisodes()).isEqualTo(1);

    queue.submit("d", context(CRITICAL));
    queue.submit("e", context(CRITICAL));
    assertThat(drain(queue)).containsExactly("d", "e");
  }

  @Test
  void anOverloadedLaneDropsRequestsThatWaitedPastTheTarget() {
    BoundedWorkQueue<String> queue = builder(10).build();
    queue.submit("old", context(CRITICAL));
    ticker.advance(Duration.ofMillis(105));
    queue.submit("stale", context(CRITICAL));
    ticker.advance(Duration.ofMillis(2));
    queue.submit("fresh", context(CRITICAL));
    ticker.advance(Duration.ofMillis(9));

    // t = 116 ms: "old" waited 116 ms, "stale" 11 ms (past the target), "fresh" 9 ms.
    assertThat(queue.poll()).isEqualTo("fresh");
    assertThat(dropped).containsExactly("old", "stale");
    assertThat(dropReasons).extracting(OverloadedException::reason).containsOnly("shed");
    assertThat(dropReasons.get(0)).hasMessage("search: queue: shed after 116.0 ms queued (target 10.0 ms, "
        + "CRITICAL queue overloaded) (attempts: 0, deadline: none)");
    assertThat(queue.poll()).isNull();
    assertThat(queue.snapshot().droppedStale()).isEqualTo(2);
  }

  @Test
  void withoutAdaptiveLifoAnOverloadedLaneStaysFifoButStillDropsStaleRequests() {
    BoundedWorkQueue<String> queue = builder(10).adaptiveLifo(false).build();
    queue.submit("old", context(CRITICAL));
    ticker.advance(Duration.ofMillis(105));
    queue.submit("b", context(CRITICAL));
    queue.submit("c", context(CRITICAL));
    ticker.advance(Duration.ofMillis(5));

    assertThat(drain(queue)).containsExactly("b", "c");
    assertThat(dropped).containsExactly("old");
    assertThat(queue.isOverloaded(CRITICAL)).isTrue();
    assertThat(queue.isLifo(CRITICAL)).isFalse();
  }

  // --- stats, handler failures, blocking take -----------------------------------------------------------------

  @Test
  void reportsQueueWaitStatistics() {
    BoundedWorkQueue<String> queue = builder(10).build();
    queue.submit("a", context(CRITICAL));
    ticker.advance(Duration.ofMillis(2));
    queue.submit("b", context(CRITICAL));
    ticker.advance(Duration.ofMillis(4));
    queue.poll();
    queue.poll();
    queue.recordServiceTime(7 * MS);

    BoundedWorkQueue.Snapshot snapshot = queue.snapshot();
    assertThat(snapshot.served()).isEqualTo(2);
    assertThat(snapshot.accepted()).isEqualTo(2);
    assertThat(snapshot.queued()).isZero();
    assertThat(snapshot.capacity()).isEqualTo(10);
    assertThat(snapshot.meanWaitNanos()).isEqualTo(5 * MS);
    assertThat(snapshot.maxWaitNanos()).isEqualTo(6 * MS);
    // A moving average: the first wait, then one eighth of the way to the second.
    assertThat(snapshot.recentWaitNanos()).isEqualTo(6 * MS - (2 * MS) / 8);
    assertThat(snapshot.meanServiceNanos()).isEqualTo(7 * MS);
    assertThat(queue).hasToString("BoundedWorkQueue[search, 0 of 10 queued, workers=1, target=PT0.01S, "
        + "interval=PT0.1S, overloaded=[]]");
  }

  @Test
  void aThrowingDropHandlerLosesNeitherTheOtherDropsNorTheDequeuedRequest() {
    List<String> seen = new ArrayList<>();
    BoundedWorkQueue<String> queue = BoundedWorkQueue.<String>builder("search", 10, (item, reason) -> {
      seen.add(item);
      throw new IllegalStateException("handler broke on " + item);
    }).ticker(ticker).build();
    queue.submit("x", context(CRITICAL, 1));
    queue.submit("y", context(CRITICAL, 1));
    queue.submit("z", context(CRITICAL));
    ticker.advance(Duration.ofMillis(2));
    AtomicReference<@Nullable Throwable> uncaught = new AtomicReference<>();
    Thread thread = Thread.currentThread();
    Thread.UncaughtExceptionHandler previous = thread.getUncaughtExceptionHandler();
    thread.setUncaughtExceptionHandler((t, failure) -> uncaught.set(failure));
    try {
      assertThat(queue.poll()).isEqualTo("z");
    } finally {
      thread.setUncaughtExceptionHandler(previous);
    }

    assertThat(seen).containsExactly("x", "y");
    assertThat(uncaught.get()).hasMessage("handler broke on y");
  }

  @Test
  void takeWaitsForARequest() throws Exception {
    BoundedWorkQueue<String> queue = builder(10).build();
    CompletableFuture<String> taken = new CompletableFuture<>();
    Thread worker = Thread.ofVirtual().start(() -> {
      try {
        taken.complete(queue.take());
      } catch (InterruptedException interrupted) {
        taken.completeExceptionally(interrupted);
      }
    });

    queue.submit("work", context(CRITICAL));

    assertThat(taken.get(10, TimeUnit.SECONDS)).isEqualTo("work");
    assertThat(worker.join(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void takeIsInterruptible() throws Exception {
    BoundedWorkQueue<String> queue = builder(10).build();
    CompletableFuture<String> taken = new CompletableFuture<>();
    Thread worker = Thread.ofVirtual().start(() -> {
      try {
        taken.complete(queue.take());
      } catch (InterruptedException interrupted) {
        taken.completeExceptionally(interrupted);
      }
    });

    worker.interrupt();

    assertThatThrownBy(() -> taken.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(InterruptedException.class);
    assertThat(queue.size()).isZero();
  }

  // --- configuration ------------------------------------------------------------------------------------------

  @Test
  void badConfigurationFailsWithExactMessages() {
    BoundedWorkQueue.DropHandler<String> ignore = (item, reason) -> { };
    assertThatIllegalArgumentException().isThrownBy(() -> BoundedWorkQueue.builder("", 10, ignore))
        .withMessage("name: \"\" (expected: a non-blank name)");
    assertThatIllegalArgumentException().isThrownBy(() -> BoundedWorkQueue.builder("search", 0, ignore))
        .withMessage("capacity: 0 (expected: 1 <= capacity <= 2147483647)");

    BoundedWorkQueue.Builder<String> builder = BoundedWorkQueue.builder("search", 10, ignore);
    assertThatIllegalArgumentException().isThrownBy(() -> builder.workers(0))
        .withMessage("workers: 0 (expected: 1 <= workers <= 2147483647)");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.targetDelay(Duration.ZERO))
        .withMessage("targetDelay: PT0S (expected: > 0)");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.interval(Duration.ofMillis(-5)))
        .withMessage("interval: PT-0.005S (expected: > 0)");

    builder.workers(4).targetDelay(Duration.ofMillis(20)).adaptiveLifo(false).dropStale(false);
    assertThatIllegalStateException().isThrownBy(() -> builder.workers(4))
        .withMessage("workers was already set (expected: set once)");
    assertThatIllegalStateException().isThrownBy(() -> builder.targetDelay(Duration.ofMillis(20)))
        .withMessage("targetDelay was already set (expected: set once)");
    assertThatIllegalStateException().isThrownBy(() -> builder.adaptiveLifo(true))
        .withMessage("adaptiveLifo was already set (expected: set once)");
    assertThatIllegalStateException().isThrownBy(() -> builder.dropStale(true))
        .withMessage("dropStale was already set (expected: set once)");
    builder.ticker(ticker).interval(Duration.ofMillis(200));
    assertThatIllegalStateException().isThrownBy(() -> builder.ticker(ticker))
        .withMessage("ticker was already set (expected: set once)");
    assertThatIllegalStateException().isThrownBy(() -> builder.interval(Duration.ofMillis(200)))
        .withMessage("interval was already set (expected: set once)");
    assertThat(builder.build()).hasToString("BoundedWorkQueue[search, 0 of 10 queued, workers=4, target=PT0.02S, "
        + "interval=PT0.2S, overloaded=[]]");
  }
}
