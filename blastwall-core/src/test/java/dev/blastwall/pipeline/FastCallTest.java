package dev.blastwall.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.context.Idempotency;
import dev.blastwall.event.EventListener;
import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.ratelimit.TokenBucketRateLimiter;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast path ({@link FastCall}) against the general one ({@link BlockingCall}): every scenario runs without a
 * listener (fast path) and with one (a listener keeps calls on the general path), and must end the same way,
 * with the same counts in the budget, breaker and bulkhead. The scenarios are the ones where the fast path hands
 * over or refuses: a failed first attempt, a failed result, each slot refusing, and the attempt's timing.
 */
class FastCallTest {

  private static final String UPSTREAM = "ledger";

  private final FakeTicker ticker = new FakeTicker(Duration.ofSeconds(3).toNanos());
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final ScriptedUpstream upstream = new ScriptedUpstream(scheduler);
  private final CountingBudget budget = CountingBudget.allowing();
  private final SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder(UPSTREAM).maxConcurrentCalls(1).build();

  @AfterEach
  void nothingLeftBehind() {
    assertThat(bulkhead.snapshot().inUse()).as("bulkhead permits still held").isZero();
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  private Pipeline.Builder pipeline(boolean listened) {
    return pipeline(listened, RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build());
  }

  private Pipeline.Builder pipeline(boolean listened, RetryPolicy retry) {
    Pipeline.Builder builder = Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).retryBudget(budget)
        .idempotency(Idempotency.IDEMPOTENT).bulkhead(bulkhead).retry(retry);
    return listened ? builder.listener(event -> {}) : builder;
  }

  /** Whether a call made now, outside any call, takes the fast path. */
  private static boolean fast(Pipeline pipeline) {
    return pipeline.fastCalls && !pipeline.listening();
  }

  private CircuitBreaker breaker() {
    return CircuitBreaker.builder(UPSTREAM).ticker(ticker).slowCallDuration(Duration.ofMillis(25)).build();
  }

  @ParameterizedTest(name = "listened={0}")
  @ValueSource(booleans = {false, true})
  void aFailedFirstAttemptIsRetriedWithOneDepositAndBothOutcomesInTheBreaker(boolean listened) throws Exception {
    CircuitBreaker breaker = breaker();
    Pipeline pipeline = pipeline(listened).circuitBreaker(breaker).build();
    assertThat(fast(pipeline)).isEqualTo(!listened);
    upstream.fail(5, new RemoteFailure(FailureKind.UNAVAILABLE, "down")).answer(5, "ok");

    assertThat(pipeline.call(upstream::callBlocking)).isEqualTo("ok");

    assertThat(upstream.attempts()).hasSize(2);
    assertThat(budget.requests.get()).as("one request, deposited once").isEqualTo(1);
    assertThat(budget.retryRequests.get()).isEqualTo(1);
    assertThat(budget.successes.get()).isEqualTo(1);
    CircuitBreaker.Snapshot counts = breaker.snapshot();
    assertThat(counts.calls()).isEqualTo(2);
    assertThat(counts.failures()).isEqualTo(1);
    assertThat(counts.slowCalls()).isZero();
  }

  @ParameterizedTest(name = "listened={0}")
  @ValueSource(booleans = {false, true})
  void aFailedResultIsRetriedAndTheLastOneReturnedWhenAttemptsRunOut(boolean listened) throws Exception {
    Pipeline pipeline = pipeline(listened, RetryPolicy.builder().maxAttempts(2).backoff(Backoff.none())
        .resultClassifier(result -> "busy".equals(result) ? FailureKind.OVERLOADED : null).build()).build();
    upstream.answer(1, "busy").answer(1, "busy");

    assertThat(pipeline.call(upstream::callBlocking)).isEqualTo("busy");

    assertThat(upstream.attempts()).hasSize(2);
    assertThat(budget.requests.get()).isEqualTo(1);
    assertThat(budget.failures.get()).isEqualTo(2);
  }

  @ParameterizedTest(name = "listened={0}")
  @ValueSource(booleans = {false, true})
  void anOpenBreakerRefusesBeforeAnythingElseIsTaken(boolean listened) {
    CircuitBreaker breaker = breaker();
    breaker.forceOpen();
    Pipeline pipeline = pipeline(listened).circuitBreaker(breaker).build();

    assertThatThrownBy(() -> pipeline.call(upstream::callBlocking))
        .isInstanceOfSatisfying(CallNotPermittedException.class, refused -> {
          assertThat(refused.attempts()).isZero();
          assertThat(refused.remainingNanos()).isEqualTo(BlastwallException.NO_DEADLINE);
        });
    assertThat(upstream.attempts()).isEmpty();
    assertThat(budget.requests.get()).isEqualTo(1);
  }

  @ParameterizedTest(name = "listened={0}")
  @ValueSource(booleans = {false, true})
  void aRateLimiterRefusalSendsNothingAndRecordsNothing(boolean listened) {
    CircuitBreaker breaker = breaker();
    TokenBucketRateLimiter limiter =
        TokenBucketRateLimiter.builder(1, 1, Duration.ofMinutes(1)).ticker(ticker).build();
    assertThat(limiter.tryAcquire()).isZero();
    Pipeline pipeline = pipeline(listened).circuitBreaker(breaker).rateLimiter(limiter, Duration.ZERO).build();

    assertThatThrownBy(() -> pipeline.call(upstream::callBlocking)).isInstanceOf(RateLimitedException.class);
    assertThat(upstream.attempts()).isEmpty();
    assertThat(breaker.snapshot().calls()).as("nothing recorded for a call never sent").isZero();
  }

  @ParameterizedTest(name = "listened={0}")
  @ValueSource(booleans = {false, true})
  void aFullBulkheadRefuses(boolean listened) {
    Pipeline pipeline = pipeline(listened).build();
    assertThat(bulkhead.tryAcquire()).isTrue();
    try {
      assertThatThrownBy(() -> pipeline.call(upstream::callBlocking))
          .isInstanceOfSatisfying(BulkheadFullException.class, refused -> assertThat(refused.attempts()).isZero());
      assertThat(upstream.attempts()).isEmpty();
    } finally {
      bulkhead.release();
    }
  }

  @ParameterizedTest(name = "listened={0}")
  @ValueSource(booleans = {false, true})
  void theBreakerTimesTheAttemptNotTheWaitForARateLimiterPermit(boolean listened) throws Exception {
    CircuitBreaker breaker = breaker();
    // One permit per 20 ms, already taken: the call books the next one and waits 20 ms for it.
    TokenBucketRateLimiter limiter =
        TokenBucketRateLimiter.builder(1, 1, Duration.ofMillis(20)).ticker(ticker).build();
    assertThat(limiter.tryAcquire()).isZero();
    Pipeline pipeline = pipeline(listened).circuitBreaker(breaker)
        .rateLimiter(limiter, Duration.ofMillis(50)).build();
    long start = ticker.nanos();
    upstream.answer(10, "ok").answer(30, "slow");

    assertThat(pipeline.call(upstream::callBlocking)).isEqualTo("ok");
    assertThat(ticker.nanos() - start).isEqualTo(Duration.ofMillis(30).toNanos());
    assertThat(breaker.snapshot().slowCalls()).as("10 ms of work after a 20 ms wait is not slow").isZero();

    assertThat(pipeline.call(upstream::callBlocking)).isEqualTo("slow");
    assertThat(breaker.snapshot().slowCalls()).as("30 ms of work is slow (> 25 ms)").isEqualTo(1);
  }

  @ParameterizedTest(name = "listened={0}")
  @ValueSource(booleans = {false, true})
  void everyCallIsDepositedOnceWhicheverPathRunsIt(boolean listened) throws Exception {
    Pipeline pipeline = pipeline(listened).build();
    upstream.answer(1, "a").answer(1, "b");

    // Another idempotency than the pipeline's default always takes the general path.
    assertThat(pipeline.call(Idempotency.NON_IDEMPOTENT, upstream::callBlocking)).isEqualTo("a");
    assertThat(pipeline.call(upstream::callBlocking)).isEqualTo("b");
    assertThat(budget.requests.get()).isEqualTo(2);
    assertThat(budget.successes.get()).isEqualTo(2);
  }

  @Test
  void aListenerOrATimeLimitKeepsCallsOffTheFastPath() {
    assertThat(fast(pipeline(false).build())).isTrue();
    assertThat(fast(pipeline(false).listener(EventListener.NONE).build())).isTrue();
    assertThat(fast(pipeline(false).timeout(Duration.ofSeconds(1)).build())).isFalse();
    assertThat(fast(pipeline(false).attemptTimeout(Duration.ofSeconds(1)).build())).isFalse();
  }
}
