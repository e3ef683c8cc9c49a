package dev.blastwall.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.event.BlastwallEvent.AttemptStarted;
import dev.blastwall.event.BlastwallEvent.AttemptTimedOut;
import dev.blastwall.event.BlastwallEvent.CallRejected;
import dev.blastwall.event.BlastwallEvent.CircuitStateChanged;
import dev.blastwall.event.BlastwallEvent.DeadlineExceeded;
import dev.blastwall.event.BlastwallEvent.RetryScheduled;
import dev.blastwall.failure.AttemptTimeoutException;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.ratelimit.RateLimiter;
import dev.blastwall.ratelimit.TokenBucketRateLimiter;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The per-attempt slots (circuit breaker, rate limiter, bulkhead) wired into the pipeline, on fake time. Every
 * scenario that can run both ways runs {@link Pipeline#call} and {@link Pipeline#callAsync} with the same
 * assertions; hedged calls are checked async only, since blocking hedges run on virtual threads of their own.
 */
class PipelineGatesTest {

  /** The two ways to run a call, which must behave the same. */
  enum Mode {
    BLOCKING,
    ASYNC
  }

  private static final String UPSTREAM = "inventory";
  // Not zero, so a timestamp taken as a duration (or the reverse) shows up.
  private static final long START = Duration.ofSeconds(7).toNanos();

  private final FakeTicker ticker = new FakeTicker(START);
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final ScriptedUpstream upstream = new ScriptedUpstream(scheduler);
  private final CountingBudget budget = CountingBudget.allowing();
  private final RecordingListener events = new RecordingListener();

  @AfterEach
  void nothingLeftBehind() {
    assertThat(scheduler.pendingTasks()).as("timers or retries left scheduled after the call").isZero();
    assertThat(Thread.currentThread().isInterrupted()).as("interrupt leaked to the caller's thread").isFalse();
  }

  // --- fixtures -------------------------------------------------------------------------------------------------

  private static long ms(long millis) {
    return Duration.ofMillis(millis).toNanos();
  }

  /** The absolute fake time {@code millis} after the test started. */
  private static long t(long millis) {
    return START + ms(millis);
  }

  private Pipeline.Builder pipeline() {
    return Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).retryBudget(budget).listener(events)
        .idempotency(Idempotency.IDEMPOTENT);
  }

  private CircuitBreaker.Builder breaker() {
    return CircuitBreaker.builder(UPSTREAM).ticker(ticker);
  }

  private static RetryPolicy retry(int maxAttempts, Duration backoff) {
    return RetryPolicy.builder().maxAttempts(maxAttempts).backoff(Backoff.constant(backoff)).build();
  }

  private static RemoteFailure failure(FailureKind kind, String message) {
    return new RemoteFailure(kind, message);
  }

  /** What a call came to: its value or what it threw, and the fake time when it ended. */
  record Outcome(@Nullable String value, @Nullable Throwable failure, long endNanos) {

    String success() {
      if (failure != null) {
        throw new AssertionError("expected a value, but the call failed", failure);
      }
      if (value == null) {
        throw new AssertionError("expected a value, got null");
      }
      return value;
    }

    <E extends Throwable> E failure(Class<E> type) {
      if (failure == null) {
        throw new AssertionError("expected a failure, but the call returned " + value);
      }
      assertThat(failure).isInstanceOf(type);
      return type.cast(failure);
    }
  }

  /** Runs one call through {@code pipeline} in {@code mode}, driving fake time until it is done. */
  private Outcome execute(Mode mode, Pipeline pipeline, ScriptedUpstream remote) {
    return switch (mode) {
      case BLOCKING -> {
        try {
          String value = pipeline.call(remote::callBlocking);
          yield new Outcome(value, null, ticker.nanos());
        } catch (Exception thrown) {
          yield new Outcome(null, thrown, ticker.nanos());
        }
      }
      case ASYNC -> await(pipeline.callAsync(remote::callAsync));
    };
  }

  private Outcome execute(Mode mode, Pipeline pipeline) {
    return execute(mode, pipeline, upstream);
  }

  /** Runs scheduled tasks one at a time until {@code future} is done, so the end time is when it completed. */
  private Outcome await(CompletableFuture<String> future) {
    for (int ran = 0; !future.isDone(); ran++) {
      assertThat(ran).as("tasks run without the call completing").isLessThan(10_000);
      assertThat(scheduler.runAll(1)).as("the call is not done, yet nothing is scheduled").isEqualTo(1);
    }
    long end = ticker.nanos();
    return future.handle((value, failure) -> failure == null
        ? new Outcome(value, null, end)
        : new Outcome(null, unwrap(failure), end)).join();
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure.getCause();
    return failure instanceof CompletionException && cause != null ? cause : failure;
  }

  private List<Long> attemptStarts() {
    return upstream.attempts().stream().map(attempt -> attempt.startNanos).toList();
  }

  // --- circuit breaker ------------------------------------------------------------------------------------------

  @Nested
  class Breaker {

    @ParameterizedTest
    @EnumSource(Mode.class)
    void opensAfterMinimumCallsFailuresRejectsAtOnceThenProbesAndCloses(Mode mode) {
      CircuitBreaker breaker = breaker().minimumCalls(3).countWindow(10).openDuration(Duration.ofSeconds(1))
          .halfOpenProbes(1).halfOpenSuccessesToClose(2).build();
      Pipeline pipeline = pipeline().circuitBreaker(breaker).build();
      RemoteFailure down = failure(FailureKind.UNAVAILABLE, "down");
      upstream.fail(10, down).fail(10, down).fail(10, down).answer(10, "ok");

      for (int call = 1; call <= 3; call++) {
        assertThat(execute(mode, pipeline).failure(RemoteFailure.class)).isSameAs(down);
      }
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
      assertThat(breaker.snapshot().failures()).isEqualTo(3);
      long openedAt = ticker.nanos();
      assertThat(openedAt).isEqualTo(t(30));

      Outcome rejected = execute(mode, pipeline);

      CallNotPermittedException notPermitted = rejected.failure(CallNotPermittedException.class);
      assertThat(rejected.endNanos()).as("rejected at once").isEqualTo(openedAt);
      assertThat(upstream.attempts()).as("no attempt sent").hasSize(3);
      assertThat(notPermitted.attempts()).isZero();
      assertThat(notPermitted.policy()).isEqualTo("circuit-breaker");
      assertThat(notPermitted.retryAfterNanos()).isEqualTo(ms(1000));
      assertThat(notPermitted.doNotRetry()).isTrue();
      assertThat(events.events(CallRejected.class)).singleElement().satisfies(event -> {
        assertThat(event.policy()).isEqualTo("circuit-breaker");
        assertThat(event.atNanos()).isEqualTo(openedAt);
        assertThat(event.retryAfterNanos()).isPositive().isEqualTo(notPermitted.retryAfterNanos());
        assertThat(event.detail()).isEqualTo(notPermitted.getMessage());
      });
      assertThat(budget.requests).as("a rejected call is still a request").hasValue(4);

      ticker.advance(Duration.ofSeconds(1));
      assertThat(execute(mode, pipeline).success()).isEqualTo("ok");
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
      assertThat(breaker.snapshot().probesInFlight()).isZero();
      assertThat(execute(mode, pipeline).success()).isEqualTo("ok");
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
      assertThat(upstream.attempts()).hasSize(5);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void everyRetryAttemptIsJudgedByTheBreaker(Mode mode) {
      CircuitBreaker breaker = breaker().minimumCalls(10).build();
      Pipeline pipeline = pipeline().circuitBreaker(breaker).retry(retry(3, Duration.ofMillis(20))).build();
      upstream.fail(10, failure(FailureKind.UNAVAILABLE, "first"))
          .fail(10, failure(FailureKind.OVERLOADED, "second")).answer(10, "ok");

      Outcome outcome = execute(mode, pipeline);

      assertThat(outcome.success()).isEqualTo("ok");
      assertThat(attemptStarts()).containsExactly(t(0), t(30), t(60));
      CircuitBreaker.Snapshot snapshot = breaker.snapshot();
      assertThat(snapshot.calls()).as("one outcome per attempt").isEqualTo(3);
      assertThat(snapshot.failures()).isEqualTo(2);
      assertThat(snapshot.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void validationFailuresNeverTripIt(Mode mode) {
      CircuitBreaker breaker = breaker().minimumCalls(2).countWindow(2).build();
      Pipeline pipeline = pipeline().circuitBreaker(breaker).retry(retry(3, Duration.ofMillis(5))).build();
      RemoteFailure invalid = failure(FailureKind.INVALID, "no such item");
      upstream.fail(5, invalid).fail(5, new IllegalArgumentException("bad id"));

      for (int call = 0; call < 10; call++) {
        assertThat(execute(mode, pipeline).failure()).isInstanceOfAny(RemoteFailure.class,
            IllegalArgumentException.class);
      }

      assertThat(upstream.attempts()).as("never retried either").hasSize(10);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
      assertThat(breaker.snapshot().calls()).as("nothing recorded").isZero();
      assertThat(events.events(CallRejected.class)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anAttemptCutOffByTheDeadlineCountsAsATimeout(Mode mode) {
      CircuitBreaker breaker = breaker().minimumCalls(2).countWindow(2).failureRateThreshold(100).build();
      Pipeline pipeline = pipeline().circuitBreaker(breaker).timeout(Duration.ofMillis(100))
          .retry(retry(3, Duration.ofMillis(5))).build();
      upstream.answer(1000, "too late");

      Outcome first = execute(mode, pipeline);

      assertThat(first.failure(DeadlineExceededException.class).attempts()).isEqualTo(1);
      assertThat(first.endNanos()).isEqualTo(t(100));
      assertThat(breaker.snapshot().failures()).isEqualTo(1);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);

      execute(mode, pipeline).failure(DeadlineExceededException.class);

      assertThat(breaker.state()).as("two hanging calls trip it").isEqualTo(CircuitBreaker.State.OPEN);
      execute(mode, pipeline).failure(CallNotPermittedException.class);
      assertThat(upstream.attempts()).hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anAttemptTimeoutCountsAsATimeout(Mode mode) {
      CircuitBreaker breaker = breaker().minimumCalls(3).countWindow(3).failureRateThreshold(100).build();
      Pipeline pipeline = pipeline().circuitBreaker(breaker).attemptTimeout(Duration.ofMillis(50))
          .retry(retry(3, Duration.ofMillis(5))).build();
      upstream.answer(1000, "too late");

      Outcome outcome = execute(mode, pipeline);

      assertThat(outcome.failure(RetriesExhaustedException.class)).cause()
          .isInstanceOf(AttemptTimeoutException.class);
      assertThat(upstream.attempts()).hasSize(3);
      assertThat(breaker.snapshot().failures()).as("after each attempt").isEqualTo(3);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aRejectionAtTheRetryEndsTheCallCarryingTheEarlierFailure(Mode mode) {
      CircuitBreaker breaker = breaker().minimumCalls(1).openDuration(Duration.ofSeconds(5)).build();
      Pipeline pipeline = pipeline().circuitBreaker(breaker).retry(retry(3, Duration.ofMillis(20))).build();
      RemoteFailure down = failure(FailureKind.UNAVAILABLE, "down");
      upstream.fail(10, down).answer(10, "never");

      Outcome outcome = execute(mode, pipeline);

      CallNotPermittedException rejected = outcome.failure(CallNotPermittedException.class);
      assertThat(rejected.getSuppressed()).containsExactly(down);
      assertThat(rejected.attempts()).isEqualTo(1);
      assertThat(rejected.retryAfterNanos()).as("open since the first attempt failed").isEqualTo(ms(4980));
      assertThat(outcome.endNanos()).as("after the backoff, not later").isEqualTo(t(30));
      assertThat(upstream.attempts()).hasSize(1);
      assertThat(budget.retryRequests).hasValue(1);
      assertThat(events.events(AttemptStarted.class)).hasSize(1);
      assertThat(breaker.snapshot().probesInFlight()).isZero();
    }
  }

  // --- probes are always given back -----------------------------------------------------------------------------

  @Nested
  class Probes {

    private final CircuitBreaker breaker = breaker().minimumCalls(1).openDuration(Duration.ofMillis(100))
        .halfOpenProbes(1).halfOpenSuccessesToClose(2).build();

    /** Trips the breaker with one failed call and waits out the open duration: the next call is the probe. */
    private void tripAndWaitForProbes(Mode mode, Pipeline pipeline) {
      execute(mode, pipeline).failure(RemoteFailure.class);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
      ticker.advance(Duration.ofMillis(100));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aProbeWhoseCallerGivesUpFreesItsSlot(Mode mode) throws Exception {
      Pipeline pipeline = pipeline().circuitBreaker(breaker).build();
      upstream.fail(10, failure(FailureKind.UNAVAILABLE, "down")).answer(1000, "slow").answer(10, "ok");
      tripAndWaitForProbes(mode, pipeline);
      CallContext caller = CallContext.ROOT.withChildCancellation();
      CancellationException gaveUp = new CancellationException("caller gave up");
      scheduler.schedule(() -> caller.cancellation().cancel(gaveUp), ms(50));

      Outcome outcome = caller.call(() -> execute(mode, pipeline));

      assertThat(outcome.failure()).isSameAs(gaveUp);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
      assertThat(breaker.snapshot().probesInFlight()).isZero();
      assertThat(execute(mode, pipeline).success()).as("the next probe is let through").isEqualTo("ok");
    }

    @Test
    void cancellingAnAsyncProbesResultFreesItsSlot() {
      Pipeline pipeline = pipeline().circuitBreaker(breaker).build();
      upstream.fail(10, failure(FailureKind.UNAVAILABLE, "down")).answer(1000, "slow").answer(10, "ok");
      tripAndWaitForProbes(Mode.ASYNC, pipeline);

      CompletableFuture<String> probe = pipeline.callAsync(upstream::callAsync);
      scheduler.advance(Duration.ofMillis(50));
      assertThat(breaker.snapshot().probesInFlight()).isEqualTo(1);
      assertThat(probe.cancel(true)).isTrue();

      assertThat(breaker.snapshot().probesInFlight()).isZero();
      assertThat(execute(Mode.ASYNC, pipeline).success()).isEqualTo("ok");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aProbeAdmittedButNeverSentFreesItsSlot(Mode mode) {
      // The limiter lets the probe wait exactly as long as the deadline has left: by then there is no time to
      // send it.
      RateLimiter limiter = TokenBucketRateLimiter.builder(1, 2, Duration.ofSeconds(1)).ticker(ticker).build();
      Pipeline pipeline = pipeline().circuitBreaker(breaker).rateLimiter(limiter, Duration.ofSeconds(1))
          .timeout(Duration.ofMillis(390)).build();
      upstream.fail(10, failure(FailureKind.UNAVAILABLE, "down")).answer(10, "ok");
      // The bucket's one permit went at t(0) and is back at t(500); the probe asks at t(110), with 390 ms left.
      tripAndWaitForProbes(mode, pipeline);

      Outcome outcome = execute(mode, pipeline);

      assertThat(outcome.failure(DeadlineExceededException.class).getMessage())
          .contains("deadline passed before attempt 1");
      assertThat(outcome.endNanos()).isEqualTo(t(500));
      assertThat(upstream.attempts()).hasSize(1);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
      assertThat(breaker.snapshot().probesInFlight()).isZero();
    }
  }

  // --- rate limiter ---------------------------------------------------------------------------------------------

  @Nested
  class Limiter {

    /** A bucket of 2 permits, refilled at 2 per second: one permit every 500 ms once drained. */
    private final TokenBucketRateLimiter limiter =
        TokenBucketRateLimiter.builder(2, 2, Duration.ofSeconds(1)).ticker(ticker).build();

    @ParameterizedTest
    @EnumSource(Mode.class)
    void withoutAWaitTheThirdCallIsRejectedWithTheLimitersRetryAfter(Mode mode) {
      Pipeline pipeline = pipeline().rateLimiter(limiter, Duration.ZERO).build();
      upstream.answer(0, "ok");

      assertThat(execute(mode, pipeline).success()).isEqualTo("ok");
      assertThat(execute(mode, pipeline).success()).isEqualTo("ok");
      long expected = limiter.nanosUntilNextPermit();
      Outcome third = execute(mode, pipeline);

      RateLimitedException limited = third.failure(RateLimitedException.class);
      assertThat(expected).isEqualTo(ms(500));
      assertThat(limited.retryAfterNanos()).isEqualTo(expected);
      assertThat(limited.policy()).isEqualTo("rate-limiter");
      assertThat(limited.attempts()).isZero();
      assertThat(third.endNanos()).isEqualTo(t(0));
      assertThat(upstream.attempts()).hasSize(2);
      assertThat(events.events(CallRejected.class)).singleElement().satisfies(event -> {
        assertThat(event.policy()).isEqualTo("rate-limiter");
        assertThat(event.retryAfterNanos()).isEqualTo(expected);
      });
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void withAWaitTheThirdCallIsPacedAndSucceeds(Mode mode) {
      Pipeline pipeline = pipeline().rateLimiter(limiter, Duration.ofSeconds(1)).build();
      upstream.answer(10, "ok");

      execute(mode, pipeline).success();
      ticker.advance(Duration.ofMillis(100)); // the first call took 10 ms; now at 110 ms
      execute(mode, pipeline).success();
      // The limiter's own pacing: the bucket was drained at 0 ms and 110 ms, and refills one permit per 500 ms.
      long pacing = limiter.nanosUntilNextPermit();
      long askedAt = ticker.nanos();
      Outcome third = execute(mode, pipeline);

      assertThat(third.success()).isEqualTo("ok");
      assertThat(pacing).isEqualTo(ms(500) - (askedAt - t(0)));
      assertThat(attemptStarts()).containsExactly(t(0), t(110), askedAt + pacing);
      assertThat(third.endNanos()).isEqualTo(askedAt + pacing + ms(10));
      assertThat(events.events(CallRejected.class)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theWaitNeverOutlastsTheDeadline(Mode mode) {
      Pipeline pipeline = pipeline().rateLimiter(limiter, Duration.ofSeconds(1))
          .timeout(Duration.ofMillis(100)).build();
      upstream.answer(0, "ok");
      execute(mode, pipeline).success();
      execute(mode, pipeline).success();

      Outcome third = execute(mode, pipeline);

      RateLimitedException limited = third.failure(RateLimitedException.class);
      assertThat(limited.retryAfterNanos()).isEqualTo(ms(500));
      assertThat(limited.remainingNanos()).isEqualTo(ms(100));
      assertThat(third.endNanos()).as("refused at once, not after waiting").isEqualTo(t(0));
      assertThat(upstream.attempts()).hasSize(2);
    }

    @Test
    void anAsyncCallCancelledWhileWaitingForAPermitIsNeverSent() {
      CircuitBreaker breaker = breaker().build();
      SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder(UPSTREAM).maxConcurrentCalls(1).build();
      Pipeline pipeline = pipeline().circuitBreaker(breaker).rateLimiter(limiter, Duration.ofSeconds(1))
          .bulkhead(bulkhead).build();
      upstream.answer(0, "ok");
      execute(Mode.ASYNC, pipeline).success();
      execute(Mode.ASYNC, pipeline).success();

      CompletableFuture<String> waiting = pipeline.callAsync(upstream::callAsync);
      scheduler.advance(Duration.ofMillis(100));
      assertThat(waiting.cancel(true)).isTrue();
      scheduler.runAll(10);

      assertThat(upstream.attempts()).as("not sent once its permit came").hasSize(2);
      assertThat(bulkhead.snapshot().inUse()).isZero();
      assertThat(breaker.snapshot().calls()).as("nothing to tell the breaker").isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aRefusedAttemptGivesItsBreakerPermitBack(Mode mode) {
      CircuitBreaker breaker = breaker().minimumCalls(1).openDuration(Duration.ofMillis(10)).halfOpenProbes(1)
          .build();
      Pipeline pipeline = pipeline().circuitBreaker(breaker).rateLimiter(limiter, Duration.ZERO).build();
      upstream.fail(0, failure(FailureKind.UNAVAILABLE, "down")).answer(0, "ok");
      execute(mode, pipeline).failure(RemoteFailure.class);
      ticker.advance(Duration.ofMillis(10));
      execute(mode, pipeline).success(); // the probe: takes the bucket's second permit

      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
      execute(mode, pipeline).failure(RateLimitedException.class);

      assertThat(breaker.snapshot().probesInFlight()).as("the refused probe's slot is free again").isZero();
    }
  }

  // --- bulkhead -------------------------------------------------------------------------------------------------

  @Nested
  class Bulkheads {

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aFullBulkheadRejectsWhileAnAsyncCallIsInFlight(Mode mode) {
      SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder(UPSTREAM).maxConcurrentCalls(1).build();
      Pipeline pipeline = pipeline().bulkhead(bulkhead).build();
      upstream.answer(100, "first").answer(10, "third");

      CompletableFuture<String> inFlight = pipeline.callAsync(upstream::callAsync);
      assertThat(inFlight).isNotDone();
      assertThat(bulkhead.snapshot().inUse()).isEqualTo(1);

      Outcome second = execute(mode, pipeline);

      BulkheadFullException full = second.failure(BulkheadFullException.class);
      assertThat(full.policy()).isEqualTo("bulkhead");
      assertThat(full.attempts()).isZero();
      assertThat(second.endNanos()).isEqualTo(t(0));
      assertThat(upstream.attempts()).as("the second call was not sent").hasSize(1);
      assertThat(events.events(CallRejected.class)).singleElement()
          .satisfies(event -> assertThat(event.policy()).isEqualTo("bulkhead"));
      assertThat(bulkhead.snapshot().rejected()).as("one refusal, counted once").isEqualTo(1);

      assertThat(await(inFlight).success()).isEqualTo("first");
      assertThat(bulkhead.snapshot().inUse()).isZero();
      assertThat(execute(mode, pipeline).success()).isEqualTo("third");
      assertThat(bulkhead.snapshot()).isEqualTo(new SemaphoreBulkhead.Snapshot(1, 0, 0, 1, 2));
    }

    @Test
    void anAsyncCallQueuesWithinTheBulkheadsWaitAndGoesWhenASlotFrees() {
      // Async only: a blocking caller waits for a slot by parking, timed on the real clock.
      SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder(UPSTREAM).maxConcurrentCalls(1).maxWaiting(1)
          .maxWait(Duration.ofMillis(50)).build();
      Pipeline pipeline = pipeline().bulkhead(bulkhead).build();
      upstream.answer(30, "first").answer(10, "second").answer(100, "third").answer(10, "never");

      CompletableFuture<String> first = pipeline.callAsync(upstream::callAsync);
      Outcome second = await(pipeline.callAsync(upstream::callAsync));

      assertThat(second.success()).isEqualTo("second");
      assertThat(attemptStarts()).as("the second went when the first gave its slot back")
          .containsExactly(t(0), t(30));
      assertThat(first).isCompletedWithValue("first");

      CompletableFuture<String> third = pipeline.callAsync(upstream::callAsync);
      long queuedAt = ticker.nanos();
      Outcome fourth = await(pipeline.callAsync(upstream::callAsync));

      assertThat(fourth.failure(BulkheadFullException.class).getMessage()).contains("1 of 1 calls in flight");
      assertThat(fourth.endNanos()).as("after the bulkhead's wait").isEqualTo(queuedAt + ms(50));
      assertThat(await(third).success()).isEqualTo("third");
      assertThat(bulkhead.snapshot()).isEqualTo(new SemaphoreBulkhead.Snapshot(1, 0, 0, 1, 3));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aRefusedAttemptGivesItsBreakerPermitBack(Mode mode) {
      SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder(UPSTREAM).maxConcurrentCalls(1).build();
      CircuitBreaker breaker = breaker().minimumCalls(1).openDuration(Duration.ofMillis(10)).halfOpenProbes(1)
          .build();
      Pipeline pipeline = pipeline().circuitBreaker(breaker).bulkhead(bulkhead).build();
      upstream.fail(0, failure(FailureKind.UNAVAILABLE, "down")).answer(100, "ok");
      execute(mode, pipeline).failure(RemoteFailure.class);
      ticker.advance(Duration.ofMillis(10));
      // Holds the bulkhead's only slot, outside the breaker, so the probe below is refused by the bulkhead.
      assertThat(bulkhead.tryAcquire()).isTrue();

      execute(mode, pipeline).failure(BulkheadFullException.class);

      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
      assertThat(breaker.snapshot().probesInFlight()).isZero();
      bulkhead.release();
      assertThat(execute(mode, pipeline).success()).isEqualTo("ok");
    }

    /**
     * 1000 calls of every kind, blocking ones run while async ones are in flight: successes, failures,
     * validation errors, attempt timeouts, deadlines, retries, cancelled async results, rate limiter waits, and
     * rejections by all three gates.
     * Afterwards nothing may be held: no bulkhead slot, no breaker probe.
     */
    @Test
    void afterAThousandMixedCallsNothingIsHeld() {
      SplittableRandom random = new SplittableRandom(20_240_601);
      SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder(UPSTREAM).maxConcurrentCalls(4).build();
      RecordingListener transitions = new RecordingListener();
      CircuitBreaker breaker = breaker().minimumCalls(10).countWindow(20).openDuration(Duration.ofMillis(200))
          .halfOpenProbes(1).halfOpenSuccessesToClose(2).listener(transitions).build();
      RateLimiter limiter = TokenBucketRateLimiter.builder(10, 100, Duration.ofSeconds(1)).ticker(ticker).build();
      Pipeline pipeline = Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler)
          .retryBudget(RetryBudget.unlimited()).idempotency(Idempotency.IDEMPOTENT).listener(events)
          .timeout(Duration.ofMillis(150)).retry(retry(3, Duration.ofMillis(5)))
          .attemptTimeout(Duration.ofMillis(50)).circuitBreaker(breaker)
          .rateLimiter(limiter, Duration.ofMillis(20)).bulkhead(bulkhead).build();
      for (int step = 0; step < 5000; step++) {
        int roll = random.nextInt(100);
        long millis = 1L + random.nextInt(30);
        if (roll < 55) {
          upstream.answer(millis, "ok");
        } else if (roll < 75) {
          upstream.fail(millis, failure(FailureKind.UNAVAILABLE, "down"));
        } else if (roll < 85) {
          upstream.fail(millis, failure(FailureKind.INVALID, "bad"));
        } else {
          upstream.answer(200, "hangs past the attempt timeout");
        }
      }

      List<CompletableFuture<String>> async = new ArrayList<>();
      int blocking = 0;
      int cancelled = 0;
      for (int call = 0; call < 1000; call++) {
        int kind = random.nextInt(10);
        if (kind < 3) {
          blocking++;
          try {
            pipeline.call(upstream::callBlocking);
          } catch (Exception expected) {
            // Failures of every kind are part of the mix.
          }
        } else {
          CompletableFuture<String> result = pipeline.callAsync(upstream::callAsync);
          async.add(result);
          if (kind < 5) {
            cancelled++;
            scheduler.schedule(() -> result.cancel(true), ms(random.nextInt(60)));
          }
        }
        scheduler.advance(Duration.ofMillis(random.nextInt(15)));
      }
      scheduler.runAll(100_000);

      assertThat(async).allSatisfy(result -> assertThat(result).isDone());
      assertThat(blocking).isGreaterThan(200);
      assertThat(cancelled).isGreaterThan(100);
      assertThat(async).filteredOn(CompletableFuture::isCancelled).isNotEmpty();
      SemaphoreBulkhead.Snapshot slots = bulkhead.snapshot();
      assertThat(slots.inUse()).isZero();
      assertThat(slots.waiting()).isZero();
      assertThat(slots.rejected()).as("the mix did fill the bulkhead").isPositive();
      // Attempts are admitted and then not sent when the caller cancels or the deadline passes meanwhile.
      assertThat(slots.acquired()).isGreaterThanOrEqualTo(upstream.attempts().size());
      assertThat(breaker.snapshot().probesInFlight()).as("no probe leaked").isZero();
      // The mix did reach every path.
      assertThat(events.events(CallRejected.class)).extracting(CallRejected::policy)
          .contains("circuit-breaker", "rate-limiter", "bulkhead");
      assertThat(events.events(AttemptTimedOut.class)).isNotEmpty();
      assertThat(events.events(DeadlineExceeded.class)).isNotEmpty();
      assertThat(events.events(RetryScheduled.class)).isNotEmpty();
      assertThat(transitions.events(CircuitStateChanged.class)).extracting(CircuitStateChanged::to)
          .contains("OPEN", "HALF_OPEN", "CLOSED");

      // A breaker that leaked probe slots would stay HALF_OPEN (rejecting) for good: it must close again.
      ScriptedUpstream healthy = new ScriptedUpstream(scheduler).answer(1, "ok");
      ticker.advance(Duration.ofSeconds(1));
      for (int call = 0; call < 3; call++) {
        assertThat(execute(call % 2 == 0 ? Mode.BLOCKING : Mode.ASYNC, pipeline, healthy).success()).isEqualTo("ok");
      }
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
      assertThat(breaker.snapshot().probesInFlight()).isZero();
      assertThat(bulkhead.snapshot().inUse()).isZero();
    }
  }

  // --- hedging with the gates (async) ---------------------------------------------------------------------------

  @Nested
  class Hedging {

    private Pipeline.Builder hedged(HedgePolicy policy) {
      return pipeline().hedge(policy).hedgeBudget(RetryBudget.unlimited());
    }

    @Test
    void aCancelledHedgeLoserIsNotABreakerFailure() {
      CircuitBreaker breaker = breaker().minimumCalls(10).build();
      Pipeline pipeline = hedged(HedgePolicy.afterDelay(Duration.ofMillis(100))).circuitBreaker(breaker).build();
      upstream.answer(500, "slow original").answer(50, "hedge");

      Outcome outcome = await(pipeline.callAsync(upstream::callAsync));

      assertThat(outcome.success()).isEqualTo("hedge");
      assertThat(outcome.endNanos()).isEqualTo(t(150));
      assertThat(upstream.attempt(1).stop()).isEqualTo(ScriptedUpstream.Stop.FUTURE_CANCELLED);
      CircuitBreaker.Snapshot snapshot = breaker.snapshot();
      assertThat(snapshot.calls()).as("only the winner's outcome").isEqualTo(1);
      assertThat(snapshot.failures()).isZero();
      assertThat(snapshot.state()).isEqualTo(CircuitBreaker.State.CLOSED);
      scheduler.runAll(100);
    }

    @Test
    void anAttemptCancelledBecauseAnotherEndedTheCallIsNotABreakerFailure() {
      CircuitBreaker breaker = breaker().minimumCalls(10).build();
      Pipeline pipeline = hedged(HedgePolicy.afterDelay(Duration.ofMillis(100))).circuitBreaker(breaker).build();
      // The hedge's upstream says "overloaded, and do not retry": that ends the call, cancelling the original.
      RemoteFailure shed = new RemoteFailure(FailureKind.OVERLOADED, "shed", null, true, null);
      upstream.answer(500, "slow original").fail(10, shed);

      Outcome outcome = await(pipeline.callAsync(upstream::callAsync));

      assertThat(outcome.failure(RemoteFailure.class)).isSameAs(shed);
      assertThat(upstream.attempt(1).stop()).isEqualTo(ScriptedUpstream.Stop.FUTURE_CANCELLED);
      CircuitBreaker.Snapshot snapshot = breaker.snapshot();
      assertThat(snapshot.calls()).as("the hedge's failure only; the cancelled original says nothing")
          .isEqualTo(1);
      assertThat(snapshot.failures()).isEqualTo(1);
      scheduler.runAll(100);
    }

    @Test
    void aHedgeRefusedByAFullBulkheadIsNotSentAndTheOriginalAnswers() {
      SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder(UPSTREAM).maxConcurrentCalls(1).build();
      Pipeline pipeline = hedged(HedgePolicy.builder().fixedDelay(Duration.ofMillis(100)).maxExtraAttempts(2)
          .build()).bulkhead(bulkhead).build();
      upstream.answer(300, "original").answer(10, "hedge");

      Outcome outcome = await(pipeline.callAsync(upstream::callAsync));

      assertThat(outcome.success()).isEqualTo("original");
      assertThat(outcome.endNanos()).isEqualTo(t(300));
      assertThat(upstream.attempts()).extracting(ScriptedUpstream.Attempt::kind)
          .containsExactly(AttemptKind.ORIGINAL);
      assertThat(bulkhead.snapshot().inUse()).isZero();
      assertThat(bulkhead.snapshot().rejected()).isEqualTo(1);
    }

    @Test
    void theOriginalWaitsForTheRateLimiterLikeAnyCall() {
      RateLimiter limiter = TokenBucketRateLimiter.builder(1, 1, Duration.ofSeconds(1)).ticker(ticker).build();
      Pipeline pipeline = hedged(HedgePolicy.afterDelay(Duration.ofMillis(100)))
          .rateLimiter(limiter, Duration.ofSeconds(2)).build();
      upstream.answer(10, "ok");

      assertThat(await(pipeline.callAsync(upstream::callAsync)).success()).isEqualTo("ok");
      Outcome second = await(pipeline.callAsync(upstream::callAsync));

      assertThat(second.success()).isEqualTo("ok");
      assertThat(attemptStarts()).containsExactly(t(0), t(1000));
      assertThat(second.endNanos()).isEqualTo(t(1010));
    }

    @Test
    void anOriginalCancelledWhileWaitingForAPermitIsNeverSent() {
      RateLimiter limiter = TokenBucketRateLimiter.builder(1, 1, Duration.ofSeconds(1)).ticker(ticker).build();
      SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder(UPSTREAM).maxConcurrentCalls(1).build();
      CircuitBreaker breaker = breaker().build();
      Pipeline pipeline = hedged(HedgePolicy.afterDelay(Duration.ofMillis(100))).circuitBreaker(breaker)
          .rateLimiter(limiter, Duration.ofSeconds(2)).bulkhead(bulkhead).build();
      upstream.answer(10, "ok");
      assertThat(await(pipeline.callAsync(upstream::callAsync)).success()).isEqualTo("ok");

      CompletableFuture<String> waiting = pipeline.callAsync(upstream::callAsync);
      scheduler.advance(Duration.ofMillis(500));
      assertThat(waiting.cancel(true)).isTrue();
      scheduler.runAll(10);

      assertThat(upstream.attempts()).hasSize(1);
      assertThat(bulkhead.snapshot().inUse()).isZero();
      assertThat(breaker.snapshot().calls()).isEqualTo(1);
    }

    @Test
    void theOriginalRefusedByAnOpenBreakerEndsTheCall() {
      CircuitBreaker breaker = breaker().build();
      breaker.forceOpen();
      Pipeline pipeline = hedged(HedgePolicy.afterDelay(Duration.ofMillis(100))).circuitBreaker(breaker).build();
      upstream.answer(10, "never");

      Outcome outcome = await(pipeline.callAsync(upstream::callAsync));

      assertThat(outcome.failure(CallNotPermittedException.class).retryAfterNanos()).isEqualTo(-1);
      assertThat(upstream.attempts()).isEmpty();
    }
  }
}
