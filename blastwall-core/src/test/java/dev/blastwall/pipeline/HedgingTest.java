package dev.blastwall.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class HedgingTest {

  private static final long MS = 1_000_000L;

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);

  /** One attempt as the upstream saw it. */
  private record Sent(int attempt, AttemptKind kind, long startNanos, CallContext context,
      CompletableFuture<String> future) {}

  private final List<Sent> sent = new ArrayList<>();

  /** An upstream whose attempt n answers after {@code latency(n)} ms with "answer-n", or fails if negative. */
  private CompletableFuture<String> upstream(IntFunction<Long> latencyMs) {
    CallContext context = CallContext.current();
    int attempt = context.attempt();
    CompletableFuture<String> future = new CompletableFuture<>();
    sent.add(new Sent(attempt, context.attemptKind(), ticker.nanos(), context, future));
    long latency = latencyMs.apply(attempt);
    scheduler.schedule(() -> {
      if (latency >= 0) {
        future.complete("answer-" + attempt);
      } else {
        future.completeExceptionally(new RemoteFailure(FailureKind.UNAVAILABLE, "attempt " + attempt + " down"));
      }
    }, Math.abs(latency) * MS);
    return future;
  }

  private Pipeline.Builder pipeline(HedgePolicy hedge) {
    return Pipeline.builder("search").ticker(ticker).scheduler(scheduler).hedge(hedge)
        .hedgeBudget(RetryBudget.unlimited());
  }

  @Test
  void slowOriginalIsRacedByAHedgeAfterTheDelayAndTheLoserIsCancelled() throws Exception {
    Pipeline search = pipeline(HedgePolicy.afterDelay(Duration.ofMillis(100))).build();

    CompletableFuture<String> answer = search.callAsync(Idempotency.IDEMPOTENT,
        () -> upstream(attempt -> attempt == 1 ? 500L : 50L));
    long[] answeredAt = {-1};
    var unused = answer.whenComplete((value, failure) -> answeredAt[0] = ticker.nanos());
    scheduler.runAll(100);

    assertThat(answer.get()).isEqualTo("answer-2");
    assertThat(answeredAt[0]).isEqualTo(150 * MS);
    assertThat(sent).extracting(Sent::kind).containsExactly(AttemptKind.ORIGINAL, AttemptKind.HEDGE);
    assertThat(sent.get(1).startNanos()).isEqualTo(100 * MS);
    assertThat(sent.get(0).future()).isCancelled();
    assertThat(sent.get(0).context().isCancelled()).isTrue();
    assertThat(sent.get(1).context().isCancelled()).isFalse();
  }

  @Test
  void fastOriginalSendsNoHedge() throws Exception {
    Pipeline search = pipeline(HedgePolicy.afterDelay(Duration.ofMillis(100))).build();

    CompletableFuture<String> answer = search.callAsync(Idempotency.IDEMPOTENT, () -> upstream(attempt -> 30L));
    scheduler.runAll(100);

    assertThat(answer.get()).isEqualTo("answer-1");
    assertThat(sent).hasSize(1);
    assertThat(scheduler.pendingTasks()).as("the hedge timer was cancelled").isZero();
  }

  @Test
  void nonIdempotentCallsAreNeverHedged() throws Exception {
    Pipeline search = pipeline(HedgePolicy.afterDelay(Duration.ofMillis(10))).build();

    CompletableFuture<String> answer = search.callAsync(Idempotency.NON_IDEMPOTENT, () -> upstream(attempt -> 500L));
    scheduler.runAll(100);

    assertThat(answer.get()).isEqualTo("answer-1");
    assertThat(sent).hasSize(1);
  }

  @Test
  void aRetryableFailureSendsTheNextHedgeAtOnce() throws Exception {
    Pipeline search = pipeline(HedgePolicy.builder().fixedDelay(Duration.ofMillis(100)).maxExtraAttempts(2).build())
        .build();

    CompletableFuture<String> answer = search.callAsync(Idempotency.IDEMPOTENT,
        () -> upstream(attempt -> attempt == 1 ? -20L : 30L));
    scheduler.runAll(100);

    assertThat(answer.get()).isEqualTo("answer-2");
    assertThat(sent.get(1).startNanos()).as("sent when attempt 1 failed, not after the delay").isEqualTo(20 * MS);
  }

  @Test
  void whenEveryAttemptFailsTheCallFailsWithTheLastFailure() {
    Pipeline search = pipeline(HedgePolicy.afterDelay(Duration.ofMillis(100))).build();

    CompletableFuture<String> answer = search.callAsync(Idempotency.IDEMPOTENT, () -> upstream(attempt -> -10L));
    scheduler.runAll(100);

    assertThatThrownBy(answer::get).isInstanceOf(ExecutionException.class)
        .cause().hasMessageContaining("every hedged attempt failed").hasMessageContaining("attempt 2 down");
    assertThat(sent).hasSize(2);
  }

  @Test
  void aNonRetryableFailureEndsTheCallAndCancelsTheOthers() {
    Pipeline search = pipeline(HedgePolicy.afterDelay(Duration.ofMillis(10))).build();
    CompletableFuture<String> answer = search.callAsync(Idempotency.IDEMPOTENT, () -> {
      if (CallContext.current().attempt() == 2) {
        sent.add(new Sent(2, AttemptKind.HEDGE, ticker.nanos(), CallContext.current(), new CompletableFuture<>()));
        return CompletableFuture.failedFuture(new RemoteFailure(FailureKind.INVALID, "bad request"));
      }
      return upstream(attempt -> 500L);
    });
    scheduler.runAll(100);

    assertThatThrownBy(answer::get).cause().hasMessage("bad request");
    assertThat(sent.get(0).future()).isCancelled();
  }

  @Test
  void theHedgeBudgetCapsExtraLoad() throws Exception {
    Pipeline search = Pipeline.builder("search").ticker(ticker).scheduler(scheduler)
        .hedge(HedgePolicy.afterDelay(Duration.ofMillis(10)))
        .hedgeBudget(RetryBudget.ratio().percentCanRetry(0.05).minRetriesPerSecond(0).ticker(ticker).build())
        .build();

    for (int call = 0; call < 1000; call++) {
      CompletableFuture<String> answer = search.callAsync(Idempotency.IDEMPOTENT, () -> upstream(attempt -> 50L));
      scheduler.runAll(100);
      assertThat(answer).isCompleted();
    }

    long hedges = sent.stream().filter(s -> s.kind() == AttemptKind.HEDGE).count();
    // Every call was slow enough to hedge; the budget let through at most 5% of the requests seen (a little
    // less, as deposits older than its 10 s window expire slot by slot).
    assertThat(hedges).isBetween(40L, 51L);
  }

  @Test
  void aColdPipelineCanHedgeItsFirstCallsOnTheDefaultBudgetsFloor() throws Exception {
    Pipeline search = Pipeline.builder("search").ticker(ticker).scheduler(scheduler)
        .hedge(HedgePolicy.afterDelay(Duration.ofMillis(10))).build();

    CompletableFuture<String> answer = search.callAsync(Idempotency.IDEMPOTENT,
        () -> upstream(attempt -> attempt == 1 ? 500L : 5L));
    scheduler.runAll(100);

    // Without the floor the first call's hedge would be refused: one request deposits 5% of a hedge.
    assertThat(answer.get()).isEqualTo("answer-2");
    assertThat(sent).extracting(Sent::kind).containsExactly(AttemptKind.ORIGINAL, AttemptKind.HEDGE);
    assertThat(search.hedgeBudget().balance()).isCloseTo(10 + 0.05 - 1, within(1e-9));
  }

  @Test
  void theDynamicDelayTracksTheP95AndKeepsExtraLoadNearFivePercent() throws Exception {
    // 98% of attempts answer in 10-20 ms, 2% stall for a second: the p95 sits near 20 ms.
    SplittableRandom random = new SplittableRandom(42);
    HedgePolicy hedge = HedgePolicy.builder().minDelay(Duration.ofMillis(1)).ticker(ticker).build();
    Pipeline search = Pipeline.builder("search").ticker(ticker).scheduler(scheduler).hedge(hedge).build();
    int calls = 10_000;
    long[] callLatencies = new long[calls];

    for (int call = 0; call < calls; call++) {
      long start = ticker.nanos();
      CompletableFuture<String> answer = search.callAsync(Idempotency.IDEMPOTENT, () -> upstream(
          attempt -> random.nextInt(100) < 2 ? 1000L : 10L + random.nextInt(11)));
      int index = call;
      var unused = answer.whenComplete((value, failure) -> callLatencies[index] = ticker.nanos() - start);
      scheduler.runAll(100); // also runs the cancelled losers' scripted completions, which no one awaits
      assertThat(answer).isCompleted();
      ticker.advance(Duration.ofMillis(2)); // spread calls over time so the 30 s window slides
    }

    assertThat(hedge.hedgeDelayNanos()).as("learned delay ~ p95").isBetween(17 * MS, 22 * MS);
    long hedges = sent.stream().filter(s -> s.kind() == AttemptKind.HEDGE).count();
    assertThat((double) hedges / calls).as("extra load").isLessThanOrEqualTo(0.0525);
    Arrays.sort(callLatencies);
    assertThat(callLatencies[(int) (calls * 0.99)]).as("p99 with hedging, vs 1000 ms without")
        .isLessThan(60 * MS);
  }

  @Test
  void blockingCallsAreHedgedOnVirtualThreads() throws Exception {
    // Real time: the attempts run on their own threads and really wait; kept short.
    Pipeline search = Pipeline.builder("search").hedge(HedgePolicy.afterDelay(Duration.ofMillis(20)))
        .hedgeBudget(RetryBudget.unlimited()).build();
    CountDownLatch loserInterrupted = new CountDownLatch(1);
    CountDownLatch neverOpened = new CountDownLatch(1);

    String answer = search.call(Idempotency.IDEMPOTENT, () -> {
      if (CallContext.current().attempt() == 1) {
        try {
          // The slow original: a latch nobody opens, so only the hedge's win (an interrupt) ends this wait.
          boolean opened = neverOpened.await(10, TimeUnit.SECONDS);
          throw new AssertionError("the slow original was not interrupted (latch opened: " + opened + ")");
        } catch (InterruptedException e) {
          loserInterrupted.countDown();
          throw e;
        }
      }
      return "hedge";
    });

    assertThat(answer).isEqualTo("hedge");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(loserInterrupted.await(5, TimeUnit.SECONDS)).as("the slow original was interrupted").isTrue();
  }

  @Test
  void hedgeAndRetryCannotBothBeSet() {
    assertThatThrownBy(() -> Pipeline.builder("search").hedge(HedgePolicy.afterDelay(Duration.ofMillis(10)))
        .retry(RetryPolicy.defaults()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("retry: ").hasMessageContaining("expected: no retry when hedging");
  }
}
