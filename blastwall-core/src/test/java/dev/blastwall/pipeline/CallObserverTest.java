package dev.blastwall.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.context.Idempotency;
import dev.blastwall.event.BlastwallEvent.CallCompleted;
import dev.blastwall.event.CallObserver;
import dev.blastwall.event.CallOutcome;
import dev.blastwall.event.Subscription;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.failure.RetryBudgetExhaustedException;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Call observers: every call a pipeline runs while one is added reports its end to it exactly once, in
 * primitives, on the fast path too (which an event listener would leave); it is timed only when the observer asks,
 * and rejections, budget refusals and hedges that won are reported beside it.
 */
class CallObserverTest {

  private static final String UPSTREAM = "inventory";
  private static final long MS = 1_000_000L;

  private final FakeTicker ticker = new FakeTicker(Duration.ofSeconds(3).toNanos());
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final ScriptedUpstream upstream = new ScriptedUpstream(scheduler);
  private final Recording observer = new Recording(true);

  /** What an observer heard, as strings: easy to compare whole. */
  private static final class Recording implements CallObserver {
    final boolean times;
    final List<String> heard = new ArrayList<>();

    Recording(boolean times) {
      this.times = times;
    }

    @Override
    public boolean timesCall() {
      return times;
    }

    @Override
    public void onCallEnded(CallOutcome outcome, int attempts, long durationNanos) {
      heard.add(outcome + " " + attempts + " "
          + (durationNanos == CallObserver.NOT_TIMED ? "untimed" : durationNanos / MS + "ms"));
    }

    @Override
    public void onAttemptRejected(String policy) {
      heard.add("rejected " + policy);
    }

    @Override
    public void onBudgetRefused() {
      heard.add("budget refused");
    }

    @Override
    public void onHedgeWon() {
      heard.add("hedge won");
    }
  }

  private Pipeline.Builder pipeline() {
    return Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).random(() -> 0.5)
        .idempotency(Idempotency.IDEMPOTENT);
  }

  private static RetryPolicy retries(int attempts) {
    return RetryPolicy.builder().maxAttempts(attempts).backoff(Backoff.constant(Duration.ofMillis(5))).build();
  }

  private static RemoteFailure unavailable() {
    return new RemoteFailure(FailureKind.UNAVAILABLE, "down");
  }

  @Test
  void aFastPathSuccessIsReportedTimedFromTheCallsStart() throws Exception {
    Pipeline observed = pipeline().retry(retries(3)).build();
    assertThat(observed.fastCalls).as("the fast path applies").isTrue();
    var unused = observed.addObserver(observer);
    upstream.answer(10, "ok");

    assertThat(observed.call(upstream::callBlocking)).isEqualTo("ok");

    assertThat(observer.heard).containsExactly("SUCCESS 1 10ms");
  }

  @Test
  void aCallTheObserverDoesNotTimeIsReportedUntimed() throws Exception {
    Recording untimed = new Recording(false);
    Pipeline observed = pipeline().build();
    var unused = observed.addObserver(untimed);
    upstream.answer(10, "ok");

    var value = observed.call(upstream::callBlocking);

    assertThat(value).isEqualTo("ok");
    assertThat(untimed.heard).containsExactly("SUCCESS 1 untimed");
  }

  @Test
  void aFirstAttemptThatFailsOnTheFastPathIsReportedOnceWhenTheRetryAnswers() throws Exception {
    Pipeline observed = pipeline().retry(retries(3)).retryBudget(RetryBudget.unlimited()).build();
    var unused = observed.addObserver(observer);
    upstream.fail(10, unavailable()).answer(20, "ok");

    assertThat(observed.call(upstream::callBlocking)).isEqualTo("ok");

    assertThat(observer.heard).containsExactly("SUCCESS 2 35ms"); // 10 + 5 of backoff + 20
  }

  @Test
  void aFailedResultReturnedAsItIsFromTheFastPathIsAFailure() throws Exception {
    RetryPolicy classifying = RetryPolicy.builder().maxAttempts(1)
        .resultClassifier(result -> "503".equals(result) ? FailureKind.UNAVAILABLE : null).build();
    Pipeline observed = pipeline().retry(classifying).build();
    var unused = observed.addObserver(observer);
    upstream.answer(10, "503");

    assertThat(observed.call(upstream::callBlocking)).isEqualTo("503");

    assertThat(observer.heard).containsExactly("FAILURE 1 10ms");
  }

  @Test
  void aFirstAttemptTheBreakerRefusesIsARejectionAndARejectedCallWithNoAttempt() {
    CircuitBreaker breaker = CircuitBreaker.builder(UPSTREAM).ticker(ticker).build();
    breaker.forceOpen();
    Pipeline observed = pipeline().circuitBreaker(breaker).build();
    var unused = observed.addObserver(observer);

    assertThatThrownBy(() -> observed.call(upstream::callBlocking)).isInstanceOf(CallNotPermittedException.class);

    assertThat(observer.heard).containsExactly("rejected circuit-breaker", "REJECTED 0 0ms");
  }

  @Test
  void anAsyncCallTheBreakerRefusesIsARejectionOfTheRun() {
    CircuitBreaker breaker = CircuitBreaker.builder(UPSTREAM).ticker(ticker).build();
    breaker.forceOpen();
    Pipeline observed = pipeline().circuitBreaker(breaker).build();
    var unused = observed.addObserver(observer);

    CompletableFuture<String> future = observed.callAsync(upstream::callAsync);

    assertThat(future).isCompletedExceptionally();
    assertThat(observer.heard).containsExactly("rejected circuit-breaker", "REJECTED 0 0ms");
  }

  @Test
  void aFullBulkheadOnTheFastPathIsARejection() {
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder(UPSTREAM).maxConcurrentCalls(1).build();
    assertThat(bulkhead.tryAcquire()).isTrue();
    Pipeline observed = pipeline().bulkhead(bulkhead).build();
    var unused = observed.addObserver(observer);

    assertThatThrownBy(() -> observed.call(upstream::callBlocking)).isInstanceOf(BulkheadFullException.class);

    assertThat(observer.heard).containsExactly("rejected bulkhead", "REJECTED 0 0ms");
  }

  @Test
  void aRetryTheBudgetRefusesIsReportedBeforeTheCall() {
    Pipeline observed = pipeline().retry(retries(3)).retryBudget(CountingBudget.refusing()).build();
    var unused = observed.addObserver(observer);
    upstream.fail(10, unavailable());

    assertThatThrownBy(() -> observed.call(upstream::callBlocking))
        .isInstanceOf(RetryBudgetExhaustedException.class);

    assertThat(observer.heard).containsExactly("budget refused", "BUDGET_EXHAUSTED 1 10ms");
  }

  @Test
  void anAsyncCallIsReportedWhenItsResultCompletes() {
    Pipeline observed = pipeline().build();
    var unused = observed.addObserver(observer);
    upstream.answer(10, "ok");

    CompletableFuture<String> future = observed.callAsync(upstream::callAsync);
    scheduler.advance(Duration.ofMillis(10));

    assertThat(future).isCompletedWithValue("ok");
    assertThat(observer.heard).containsExactly("SUCCESS 1 10ms");
  }

  @Test
  void aHedgeThatAnswersFirstIsAWonHedge() {
    Pipeline observed = pipeline().hedge(HedgePolicy.afterDelay(Duration.ofMillis(10)))
        .hedgeBudget(RetryBudget.unlimited()).build();
    var unused = observed.addObserver(observer);
    upstream.answer(100, "slow").answer(20, "fast");

    CompletableFuture<String> future = observed.callAsync(upstream::callAsync);
    scheduler.advance(Duration.ofMillis(30));

    assertThat(future).isCompletedWithValue("fast");
    assertThat(observer.heard).containsExactly("hedge won", "SUCCESS 2 30ms");
  }

  @Test
  void aListenedCallIsTimedForTheObserverWithTheEventsReading() throws Exception {
    RecordingListener events = new RecordingListener();
    Recording untimed = new Recording(false);
    Pipeline both = pipeline().listener(events).build();
    var unused = both.addObserver(untimed);
    upstream.answer(10, "ok");

    assertThat(both.call(upstream::callBlocking)).isEqualTo("ok");

    assertThat(untimed.heard).containsExactly("SUCCESS 1 10ms");
    assertThat(events.events(CallCompleted.class)).singleElement()
        .extracting(CallCompleted::durationNanos).isEqualTo(10 * MS);
  }

  @Test
  void twoObserversBothHearEveryCallAndAClosedOneNoMore() throws Exception {
    Recording second = new Recording(false);
    Pipeline observed = pipeline().build();
    Subscription first = observed.addObserver(observer);
    var unused = observed.addObserver(second);
    upstream.answer(10, "ok");

    var value = observed.call(upstream::callBlocking);
    first.close();
    first.close(); // twice is harmless
    var again = observed.call(upstream::callBlocking);

    assertThat(value).isEqualTo(again).isEqualTo("ok");
    // Timed when either asks, and then for both.
    assertThat(observer.heard).containsExactly("SUCCESS 1 10ms");
    assertThat(second.heard).containsExactly("SUCCESS 1 10ms", "SUCCESS 1 untimed");
  }

  @Test
  void anObserverThatThrowsNeverBreaksTheCall() throws Exception {
    Pipeline observed = pipeline().build();
    var unused = observed.addObserver(new CallObserver() {
      @Override
      public boolean timesCall() {
        throw new IllegalStateException("broken observer");
      }

      @Override
      public void onCallEnded(CallOutcome outcome, int attempts, long durationNanos) {
        throw new IllegalStateException("broken observer");
      }
    });
    upstream.answer(10, "ok");

    assertThat(observed.call(upstream::callBlocking)).isEqualTo("ok");
    assertThat(observed.callAsync(upstream::callAsync)).isNotCompleted();
    scheduler.advance(Duration.ofMillis(10));
  }
}
