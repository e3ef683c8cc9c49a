package dev.blastwall.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.BlastwallEvent.AttemptFailed;
import dev.blastwall.event.BlastwallEvent.AttemptStarted;
import dev.blastwall.event.BlastwallEvent.AttemptSucceeded;
import dev.blastwall.event.BlastwallEvent.AttemptTimedOut;
import dev.blastwall.event.BlastwallEvent.CallCompleted;
import dev.blastwall.event.BlastwallEvent.DeadlineExceeded;
import dev.blastwall.event.BlastwallEvent.RetriesExhausted;
import dev.blastwall.event.BlastwallEvent.RetryBudgetExhausted;
import dev.blastwall.event.BlastwallEvent.RetryScheduled;
import dev.blastwall.event.CallOutcome;
import dev.blastwall.failure.AttemptTimeoutException;
import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.failure.RetryBudgetExhaustedException;
import dev.blastwall.pipeline.ScriptedUpstream.Attempt;
import dev.blastwall.pipeline.ScriptedUpstream.Stop;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.RandomSource;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * End-to-end scenarios for the pipeline on fake time, each run both ways ({@link Pipeline#call} and
 * {@link Pipeline#callAsync}) with the same assertions: values, attempt counts and contexts, exception types,
 * events, and the fake times at which attempts start and the call ends.
 */
class PipelineScenarioTest {

  /** The two ways to run a call, which must behave the same. */
  enum Mode {
    BLOCKING,
    ASYNC
  }

  private static final String UPSTREAM = "inventory";
  /** Jitter pinned to the middle: full jitter then waits half its ceiling. */
  private static final RandomSource HALF = () -> 0.5;

  private long start;
  private FakeTicker ticker = new FakeTicker();
  private FakeScheduler scheduler = new FakeScheduler(ticker);
  private ScriptedUpstream upstream = new ScriptedUpstream(scheduler);
  private final CountingBudget budget = CountingBudget.allowing();
  private final RecordingListener events = new RecordingListener();

  @BeforeEach
  void startClock() {
    // Not zero, so a timestamp taken as a duration (or the reverse) shows up.
    startClockAt(Duration.ofSeconds(7).toNanos());
  }

  /** Restarts fake time at {@code startNanos}, with a fresh scheduler and upstream. */
  private void startClockAt(long startNanos) {
    start = startNanos;
    ticker = new FakeTicker(startNanos);
    scheduler = new FakeScheduler(ticker);
    upstream = new ScriptedUpstream(scheduler);
  }

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
  private long t(long millis) {
    return start + ms(millis);
  }

  /** A builder on fake time, with jitter pinned, the counting budget and the recording listener. */
  private Pipeline.Builder pipeline() {
    return Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).random(HALF).retryBudget(budget)
        .listener(events);
  }

  private static RetryPolicy retry(int maxAttempts, Backoff backoff) {
    return RetryPolicy.builder().maxAttempts(maxAttempts).backoff(backoff).build();
  }

  private static RemoteFailure unavailable(String message) {
    return new RemoteFailure(FailureKind.UNAVAILABLE, message);
  }

  /** What a call came to: its value or what it threw, and the fake time when it ended. */
  static final class Outcome {
    final @Nullable String value;
    final @Nullable Throwable failure;
    final long endNanos;

    Outcome(@Nullable String value, @Nullable Throwable failure, long endNanos) {
      this.value = value;
      this.failure = failure;
      this.endNanos = endNanos;
    }

    String value() {
      if (failure != null) {
        throw new AssertionError("expected a value, but the call failed", failure);
      }
      if (value == null) {
        throw new AssertionError("expected a value, got null");
      }
      return value;
    }

    Throwable failure() {
      if (failure == null) {
        throw new AssertionError("expected a failure, but the call returned " + value);
      }
      return failure;
    }

    <E extends Throwable> E failure(Class<E> type) {
      Throwable thrown = failure();
      assertThat(thrown).isInstanceOf(type);
      return type.cast(thrown);
    }
  }

  /** Runs one call through {@code pipeline} in {@code mode}, driving fake time until it is done. */
  private Outcome execute(Mode mode, Pipeline pipeline, Idempotency idempotency, ScriptedUpstream remote) {
    return switch (mode) {
      case BLOCKING -> {
        try {
          String value = pipeline.call(idempotency, remote::callBlocking);
          yield new Outcome(value, null, ticker.nanos());
        } catch (Exception thrown) {
          yield new Outcome(null, thrown, ticker.nanos());
        }
      }
      case ASYNC -> await(pipeline.callAsync(idempotency, remote::callAsync));
    };
  }

  /**
   * Runs scheduled tasks one at a time, advancing fake time to each, until {@code future} is done, then reads it.
   * One at a time, so the end time is when the call completed, not when the last stray task was due.
   */
  private Outcome await(CompletableFuture<String> future) {
    for (int ran = 0; !future.isDone(); ran++) {
      assertThat(ran).as("tasks run without the call completing").isLessThan(10_000);
      assertThat(scheduler.runAll(1)).as("the call is not done, yet nothing is scheduled").isEqualTo(1);
    }
    long end = ticker.nanos();
    // Read through handle(): get() and join() wrap what the future failed with (get() even wraps a
    // CancellationException in a new one); the outcome is what the pipeline completed it with.
    return future.handle((value, failure) -> failure == null
        ? new Outcome(value, null, end)
        : new Outcome(null, unwrapCompletion(failure), end))
        .join();
  }

  private static Throwable unwrapCompletion(Throwable failure) {
    Throwable cause = failure.getCause();
    return failure instanceof CompletionException && cause != null ? cause : failure;
  }

  private static Stop stopFor(Mode mode) {
    return mode == Mode.BLOCKING ? Stop.INTERRUPTED : Stop.FUTURE_CANCELLED;
  }

  private List<Long> attemptStarts() {
    return upstream.attempts().stream().map(attempt -> attempt.startNanos).toList();
  }

  // --- 1. success ---------------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void successOnTheFirstAttempt(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
    upstream.answer(25, "ok");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(outcome.endNanos).isEqualTo(t(25));
    assertThat(upstream.attempts()).hasSize(1);
    Attempt only = upstream.attempt(1);
    assertThat(only.number()).isEqualTo(1);
    assertThat(only.kind()).isEqualTo(AttemptKind.ORIGINAL);
    assertThat(only.startNanos).isEqualTo(t(0));
    assertThat(only.remainingNanos).as("no deadline anywhere").isNull();
    assertThat(only.idempotency()).isEqualTo(Idempotency.IDEMPOTENT);
    assertThat(only.context.cancellation().isCancelled()).isFalse();
    assertThat(budget.requests).hasValue(1);
    assertThat(budget.successes).hasValue(1);
    assertThat(budget.failures).hasValue(0);
    assertThat(budget.retryRequests).hasValue(0);
    assertThat(events.events()).containsExactly(
        new AttemptStarted(UPSTREAM, t(0), 1, AttemptKind.ORIGINAL),
        new AttemptSucceeded(UPSTREAM, t(25), 1, ms(25)),
        new CallCompleted(UPSTREAM, t(25), 1, ms(25), CallOutcome.SUCCESS, null));
  }

  // --- 2. retries with full jitter backoff ----------------------------------------------------------------------

  @Test
  void fullJitterWithHalfRandomWaitsHalfTheCeiling() {
    Backoff backoff = Backoff.exponentialFullJitter(Duration.ofMillis(100), Duration.ofSeconds(10));
    // Ceiling 100 ms for retry 0, 200 ms for retry 1; a uniform draw of 0.5 over [0, ceiling] lands on half.
    long first = backoff.delayNanos(0, 0, HALF);
    assertThat(first).isEqualTo(ms(50));
    assertThat(backoff.delayNanos(1, first, HALF)).isEqualTo(ms(100));
  }

  /** Scenario 2's script: two UNAVAILABLE, then a success; each attempt takes 10 ms. */
  private RemoteFailure[] unavailableTwiceThenOk() {
    RemoteFailure first = unavailable("first");
    RemoteFailure second = unavailable("second");
    upstream.fail(10, first).fail(10, second).answer(10, "ok");
    return new RemoteFailure[] {first, second};
  }

  private Pipeline fullJitterPipeline(Pipeline.Builder builder) {
    return builder.retry(retry(3, Backoff.exponentialFullJitter(Duration.ofMillis(100), Duration.ofSeconds(10))))
        .build();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void unavailableTwiceThenSuccessRetriesAfterTheJitteredBackoff(Mode mode) throws Exception {
    Pipeline pipeline = fullJitterPipeline(pipeline());
    unavailableTwiceThenOk();

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    // 0-10 fails, waits 50 ms; 60-70 fails, waits 100 ms; 170-180 succeeds.
    assertThat(attemptStarts()).containsExactly(t(0), t(60), t(170));
    assertThat(outcome.endNanos).isEqualTo(t(180));
    assertThat(upstream.attempts()).extracting(Attempt::kind)
        .containsExactly(AttemptKind.ORIGINAL, AttemptKind.RETRY, AttemptKind.RETRY);
    assertThat(upstream.attempts()).extracting(Attempt::number).containsExactly(1, 2, 3);
    assertThat(upstream.attempts()).extracting(attempt -> attempt.context.isRepeat())
        .containsExactly(false, true, true);
    assertThat(budget.requests).hasValue(1);
    assertThat(budget.failures).hasValue(2);
    assertThat(budget.retryRequests).hasValue(2);
    assertThat(budget.successes).hasValue(1);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void timestampsHoldWhenTheTickerWrapsAround(Mode mode) throws Exception {
    // nanoTime may sit anywhere in the long range; this call's 180 ms straddle the wrap.
    startClockAt(Long.MAX_VALUE - ms(100));
    Pipeline pipeline = fullJitterPipeline(pipeline());
    unavailableTwiceThenOk();

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(attemptStarts()).containsExactly(t(0), t(60), t(170));
    assertThat(outcome.endNanos).isEqualTo(t(180));
  }

  // --- 3. attempts exhausted ------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void alwaysUnavailableGivesUpAfterMaxAttempts(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(retry(3, Backoff.constant(Duration.ofMillis(20)))).build();
    RemoteFailure third = unavailable("third");
    upstream.fail(10, unavailable("first")).fail(10, unavailable("second")).fail(10, third);

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    RetriesExhaustedException exhausted = outcome.failure(RetriesExhaustedException.class);
    assertThat(exhausted.getCause()).isSameAs(third);
    assertThat(exhausted.attempts()).isEqualTo(3);
    assertThat(exhausted.doNotRetry()).isTrue();
    assertThat(exhausted.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(exhausted.policy()).isEqualTo("retry");
    assertThat(exhausted.upstream()).isEqualTo(UPSTREAM);
    assertThat(exhausted.remainingNanos()).isEqualTo(BlastwallException.NO_DEADLINE);
    assertThat(exhausted.getMessage()).startsWith(UPSTREAM + ": retry: ").contains("3 attempts");
    assertThat(upstream.attempts()).hasSize(3);
    assertThat(attemptStarts()).containsExactly(t(0), t(30), t(60));
    assertThat(outcome.endNanos).isEqualTo(t(70));
    assertThat(events.events(RetriesExhausted.class))
        .containsExactly(new RetriesExhausted(UPSTREAM, t(70), 3, "gave up after 3 attempts"));
    assertThat(budget.failures).hasValue(3);
    assertThat(budget.retryRequests).hasValue(2);
  }

  // --- 4. idempotency -------------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void nonIdempotentCallIsNotRetriedAndItsFailureComesOutUnchanged(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
    RemoteFailure failure = unavailable("connection refused");
    upstream.fail(10, failure).answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.NON_IDEMPOTENT, upstream);

    assertThat(outcome.failure()).isSameAs(failure);
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(outcome.endNanos).isEqualTo(t(10));
    assertThat(budget.retryRequests).hasValue(0);
    assertThat(events.events(RetryScheduled.class)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void idempotencyKeyMakesAMutationRetryableAndEveryAttemptCarriesTheKey(Mode mode) throws Exception {
    Pipeline pipeline = fullJitterPipeline(pipeline());
    unavailableTwiceThenOk();
    Idempotency keyed = Idempotency.withKey("k-1");

    Outcome outcome = execute(mode, pipeline, keyed, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(upstream.attempts()).hasSize(3);
    assertThat(upstream.attempts()).extracting(Attempt::idempotency).containsOnly(keyed);
    assertThat(upstream.attempts()).extracting(attempt -> attempt.idempotency().key()).containsOnly("k-1");
    assertThat(upstream.attempts()).extracting(attempt -> attempt.idempotency().idempotent()).containsOnly(false);
  }

  // --- 5. INTERNAL ----------------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void internalErrorIsRetriedForAnIdempotentCall(Mode mode) throws Exception {
    Pipeline pipeline = fullJitterPipeline(pipeline());
    upstream.fail(10, new RemoteFailure(FailureKind.INTERNAL, "boom")).fail(10, new IOException("reset"))
        .answer(10, "ok");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(upstream.attempts()).hasSize(3);
    assertThat(events.events(AttemptFailed.class)).extracting(AttemptFailed::kind)
        .containsExactly(FailureKind.INTERNAL, FailureKind.INTERNAL);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void internalErrorIsNotRetriedWhenOnlyAKeyMakesTheCallRepeatable(Mode mode) throws Exception {
    // The request may have partly run; a key does not make redoing half a mutation safe.
    Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
    RemoteFailure internal = new RemoteFailure(FailureKind.INTERNAL, "boom");
    upstream.fail(10, internal).answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.withKey("k-2"), upstream);

    assertThat(outcome.failure()).isSameAs(internal);
    assertThat(upstream.attempts()).hasSize(1);
  }

  // --- 6. INVALID -----------------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void invalidRequestIsNeverRetried(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
    IllegalArgumentException invalid = new IllegalArgumentException("sku: \"\" (expected: non-empty)");
    upstream.fail(10, invalid).answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.failure()).isSameAs(invalid);
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(budget.failures).as("the request's fault, not the upstream's").hasValue(0);
    assertThat(events.events(AttemptFailed.class)).extracting(AttemptFailed::kind)
        .containsExactly(FailureKind.INVALID);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void remoteInvalidIsNeverRetried(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
    RemoteFailure invalid = new RemoteFailure(FailureKind.INVALID, "400 bad request");
    upstream.fail(10, invalid).answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.failure()).isSameAs(invalid);
    assertThat(upstream.attempts()).hasSize(1);
  }

  // --- 7. server retry-after hint -------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void serverRetryAfterHintReplacesTheBackoff(Mode mode) throws Exception {
    Pipeline pipeline = fullJitterPipeline(pipeline());
    upstream.fail(10, new RemoteFailure(FailureKind.OVERLOADED, "slow down", Duration.ofMillis(700), false, null))
        .answer(10, "ok");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(attemptStarts()).containsExactly(t(0), t(710));
    assertThat(outcome.endNanos).isEqualTo(t(720));
    assertThat(events.events(RetryScheduled.class))
        .containsExactly(new RetryScheduled(UPSTREAM, t(10), 2, ms(700), true));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void retryAfterHintIsFoundInsideAFutureWrapper(Mode mode) throws Exception {
    // Blocking code that calls future.get() on an async client throws the hint wrapped in ExecutionException;
    // the kind was found inside the wrapper, so the hint must be too.
    Pipeline pipeline = fullJitterPipeline(pipeline());
    upstream.fail(10, new ExecutionException(
            new RemoteFailure(FailureKind.OVERLOADED, "slow down", Duration.ofMillis(700), false, null)))
        .answer(10, "ok");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(attemptStarts()).containsExactly(t(0), t(710));
    assertThat(events.events(RetryScheduled.class))
        .containsExactly(new RetryScheduled(UPSTREAM, t(10), 2, ms(700), true));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void retryAfterHintOfAnHour_isHonouredOnlyUpToTheBackoffsCap_withoutADeadline(Mode mode) throws Exception {
    Pipeline pipeline = pipeline()
        .retry(retry(3, Backoff.exponentialFullJitter(Duration.ofMillis(100), Duration.ofSeconds(2)))).build();
    upstream.fail(10, new RemoteFailure(FailureKind.OVERLOADED, "come back in an hour", Duration.ofHours(1), false,
            null))
        .answer(10, "ok");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(attemptStarts()).containsExactly(t(0), t(2010));
    assertThat(events.events(RetryScheduled.class))
        .containsExactly(new RetryScheduled(UPSTREAM, t(10), 2, ms(2000), true));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void retryAfterHintOfCenturies_isHonouredAsTheDocumentedMaximum_evenWithAConstantBackoff(Mode mode)
      throws Exception {
    Pipeline pipeline = pipeline().retry(retry(3, Backoff.constant(Duration.ofMillis(5)))).build();
    // What a pushback of 999999999999999999 ms becomes: a Duration that saturates to Long.MAX_VALUE nanoseconds.
    upstream.fail(10, new RemoteFailure(FailureKind.OVERLOADED, "garbled pushback",
            Duration.ofMillis(999_999_999_999_999_999L), false, null))
        .answer(10, "ok");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(attemptStarts()).containsExactly(t(0), t(10) + RetryPolicy.MAX_RETRY_AFTER.toNanos());
  }

  // --- 7b. a request that did not run ---------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void nonIdempotentCall_isRetried_whenTheFailureSaysTheRequestDidNotRun(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(retry(3, Backoff.constant(Duration.ofMillis(5)))).build();
    upstream.fail(10, new RemoteFailure(FailureKind.UNAVAILABLE, "no backend ready", null, false, true, null))
        .fail(10, new RemoteFailure(FailureKind.TIMEOUT, "timed out before it was sent", null, false, true, null))
        .answer(10, "ok");

    Outcome outcome = execute(mode, pipeline, Idempotency.NON_IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(upstream.attempts()).hasSize(3);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void nonIdempotentCall_isNotRetried_whenTheRequestMayHaveRun(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(retry(3, Backoff.constant(Duration.ofMillis(5)))).build();
    RemoteFailure mayHaveRun = unavailable("connection reset");
    upstream.fail(10, mayHaveRun).answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.NON_IDEMPOTENT, upstream);

    assertThat(outcome.failure()).isSameAs(mayHaveRun);
    assertThat(upstream.attempts()).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void nonIdempotentCall_isNotRetried_onAnInternalErrorEvenIfItDidNotRun(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(retry(3, Backoff.constant(Duration.ofMillis(5)))).build();
    RemoteFailure internal = new RemoteFailure(FailureKind.INTERNAL, "bug", null, false, true, null);
    upstream.fail(10, internal).answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.NON_IDEMPOTENT, upstream);

    assertThat(outcome.failure()).isSameAs(internal);
    assertThat(upstream.attempts()).hasSize(1);
  }

  // --- 8. do not retry ------------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void doNotRetryFromDownstreamStopsRetries(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
    RemoteFailure refused = new RemoteFailure(FailureKind.UNAVAILABLE, "already retried below", null, true, null);
    upstream.fail(10, refused).answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.failure()).isSameAs(refused);
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(budget.retryRequests).hasValue(0);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void doNotRetryIsFoundInsideAFutureWrapper(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
    ExecutionException wrapped = new ExecutionException(
        new RemoteFailure(FailureKind.UNAVAILABLE, "already retried below", null, true, null));
    upstream.fail(10, wrapped).answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.failure()).isSameAs(wrapped);
    assertThat(upstream.attempts()).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void callerContextMarkedDoNotRetryGetsExactlyOneAttempt(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
    RemoteFailure failure = unavailable("down");
    upstream.fail(10, failure).answer(10, "never");

    Outcome outcome = CallContext.ROOT.withDoNotRetry(true)
        .call(() -> execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream));

    assertThat(outcome.failure()).as("the one attempt's failure, not 'retries exhausted'").isSameAs(failure);
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(upstream.attempt(1).context.doNotRetry()).isTrue();
    assertThat(CallContext.current()).isSameAs(CallContext.ROOT);
  }

  // --- 9. deadline between attempts -----------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void noRetryStartsWhenTheWaitWouldOutlastTheDeadline(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().timeout(Duration.ofMillis(300))
        .retry(retry(5, Backoff.constant(Duration.ofMillis(50)))).build();
    RemoteFailure second = unavailable("second");
    upstream.fail(120, unavailable("first")).fail(120, second).fail(120, unavailable("third"));

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    // 0-120 fails (180 ms left > 50 ms wait); 170-290 fails (10 ms left < 50 ms wait): stop at 290.
    RetriesExhaustedException exhausted = outcome.failure(RetriesExhaustedException.class);
    assertThat(exhausted.getMessage()).contains("outlast the deadline")
        .contains("no retry: the next wait (50.0 ms) would outlast the deadline");
    assertThat(exhausted.getCause()).isSameAs(second);
    assertThat(exhausted.attempts()).isEqualTo(2);
    assertThat(exhausted.remainingNanos()).isEqualTo(ms(10));
    assertThat(upstream.attempts()).hasSize(2);
    assertThat(attemptStarts()).containsExactly(t(0), t(170));
    assertThat(upstream.attempts()).extracting(attempt -> attempt.remainingNanos)
        .containsExactly(ms(300), ms(130));
    assertThat(outcome.endNanos).isEqualTo(t(290));
    assertThat(budget.retryRequests).as("the deadline refused it before the budget was asked").hasValue(1);
  }

  // --- 10. attempt timeout --------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void slowAttemptIsStoppedAtItsTimeoutAndTheRetrySucceeds(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().attemptTimeout(Duration.ofMillis(100))
        .retry(retry(3, Backoff.constant(Duration.ofMillis(50)))).build();
    upstream.answer(500, "too late").answer(10, "ok");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    Attempt first = upstream.attempt(1);
    assertThat(first.stop()).isEqualTo(stopFor(mode));
    assertThat(first.stoppedAtNanos()).isEqualTo(t(100));
    assertThat(first.contextCancelledAtNanos()).isEqualTo(t(100));
    assertThat(first.context.cancellation().cause()).isInstanceOf(AttemptTimeoutException.class);
    Attempt second = upstream.attempt(2);
    assertThat(second.kind()).isEqualTo(AttemptKind.RETRY);
    assertThat(second.startNanos).isEqualTo(t(150));
    assertThat(second.stop()).isNull();
    assertThat(second.context.cancellation().isCancelled()).isFalse();
    assertThat(outcome.endNanos).isEqualTo(t(160));
    if (mode == Mode.ASYNC) {
      assertThat(upstream.futures()).extracting(CompletableFuture::isCancelled).containsExactly(true, false);
    } else {
      assertThat(Thread.currentThread().isInterrupted()).as("the timeout's interrupt leaked").isFalse();
    }
    assertThat(events.events(AttemptTimedOut.class))
        .containsExactly(new AttemptTimedOut(UPSTREAM, t(100), 1, ms(100)));
    assertThat(events.events(AttemptFailed.class)).extracting(AttemptFailed::kind)
        .containsExactly(FailureKind.TIMEOUT);
    assertThat(budget.failures).hasValue(1);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void timedOutAttemptHearsItsCancellationBeforeAnImmediateRetryStarts(Mode mode) throws Exception {
    // With no backoff the retry starts from inside the timeout's cancellation. The attempt's own listeners
    // (registered first, by the code inside it) must run before the pipeline moves on to the next attempt.
    Pipeline pipeline = pipeline().attemptTimeout(Duration.ofMillis(100)).retry(retry(3, Backoff.none())).build();
    upstream.answer(500, "too late").answer(10, "ok");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(upstream.log()).containsExactly("start 1", "cancelled 1", "start 2");
    assertThat(attemptStarts()).containsExactly(t(0), t(100));
    assertThat(outcome.endNanos).isEqualTo(t(110));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void timedOutNonIdempotentAttemptIsNotRetried(Mode mode) throws Exception {
    // A timed-out request may have run: without idempotency it must not be sent again.
    Pipeline pipeline = pipeline().attemptTimeout(Duration.ofMillis(100)).retry(RetryPolicy.defaults()).build();
    upstream.answer(500, "too late").answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.withKey("k-3"), upstream);

    AttemptTimeoutException timeout = outcome.failure(AttemptTimeoutException.class);
    assertThat(timeout.kind()).isEqualTo(FailureKind.TIMEOUT);
    assertThat(timeout.attempts()).isEqualTo(1);
    assertThat(timeout.getMessage()).isEqualTo(UPSTREAM
        + ": attempt-timeout: attempt 1 timed out after 100.0 ms (attempts: 1, deadline: none)");
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(upstream.attempt(1).stop()).isEqualTo(stopFor(mode));
    assertThat(outcome.endNanos).isEqualTo(t(100));
  }

  @Test
  void blockingAttemptThatSwallowsItsInterruptStillCountsAsTimedOut() {
    Pipeline pipeline = pipeline().attemptTimeout(Duration.ofMillis(100)).build();

    assertThatThrownBy(() -> pipeline.call(() -> {
      try {
        scheduler.sleep(ms(500));
      } catch (InterruptedException swallowed) {
        // A careless task: swallows the interrupt and answers anyway.
        return "answered after the interrupt";
      }
      return "answered without an interrupt";
    })).isInstanceOf(AttemptTimeoutException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  // --- 11. the total deadline stops an attempt ------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void totalDeadlineStopsTheAttemptAndIsNotRetried(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().timeout(Duration.ofMillis(200)).retry(RetryPolicy.defaults()).build();
    upstream.answer(1000, "too late").answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    DeadlineExceededException exceeded = outcome.failure(DeadlineExceededException.class);
    assertThat(exceeded.kind()).isEqualTo(FailureKind.DEADLINE_EXCEEDED);
    assertThat(exceeded.attempts()).isEqualTo(1);
    assertThat(exceeded.policy()).isEqualTo("deadline");
    assertThat(exceeded.getMessage()).contains("deadline passed during attempt 1");
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(upstream.attempt(1).remainingNanos).isEqualTo(ms(200));
    assertThat(upstream.attempt(1).stop()).isEqualTo(stopFor(mode));
    assertThat(upstream.attempt(1).stoppedAtNanos()).isEqualTo(t(200));
    assertThat(outcome.endNanos).isEqualTo(t(200));
    assertThat(events.events(DeadlineExceeded.class)).containsExactly(new DeadlineExceeded(UPSTREAM, t(200), 1));
    assertThat(budget.retryRequests).hasValue(0);
  }

  // --- 12. the caller's deadline --------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void callersTighterDeadlineBindsOverThePipelineTimeout(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().timeout(Duration.ofSeconds(1)).retry(RetryPolicy.defaults()).build();
    CallContext outer = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofMillis(150), ticker));
    upstream.answer(1000, "too late");

    Outcome outcome = outer.call(() -> execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream));

    assertThat(upstream.attempt(1).remainingNanos).isNotNull().isLessThanOrEqualTo(ms(150));
    assertThat(upstream.attempt(1).context.deadline()).isEqualTo(outer.deadline());
    assertThat(outcome.failure(DeadlineExceededException.class).attempts()).isEqualTo(1);
    assertThat(upstream.attempt(1).stoppedAtNanos()).isEqualTo(t(150));
    assertThat(outcome.endNanos).isEqualTo(t(150));
  }

  // --- 13. retry budget -----------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void exhaustedBudgetRefusesTheRetry(Mode mode) throws Exception {
    CountingBudget refusing = CountingBudget.refusing();
    Pipeline pipeline = Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).random(HALF)
        .retryBudget(refusing).listener(events).retry(RetryPolicy.defaults()).build();
    RemoteFailure failure = unavailable("down");
    upstream.fail(10, failure).answer(10, "never");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    RetryBudgetExhaustedException exhausted = outcome.failure(RetryBudgetExhaustedException.class);
    assertThat(exhausted.getCause()).isSameAs(failure);
    assertThat(exhausted.attempts()).isEqualTo(1);
    assertThat(exhausted.kind()).isEqualTo(FailureKind.UNAVAILABLE);
    assertThat(exhausted.doNotRetry()).isTrue();
    assertThat(exhausted.policy()).isEqualTo("retry-budget");
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(refusing.requests).hasValue(1);
    assertThat(refusing.failures).hasValue(1);
    assertThat(refusing.retryRequests).hasValue(1);
    assertThat(events.events(RetryBudgetExhausted.class))
        .containsExactly(new RetryBudgetExhausted(UPSTREAM, t(10), 1, 0.0));
    assertThat(events.events(RetryScheduled.class)).isEmpty();
  }

  // --- 14. results classified as failures -----------------------------------------------------------------------

  private Pipeline classifyingPipeline(Pipeline.Builder builder) {
    return builder.retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(20)))
        .resultClassifier(result -> switch (String.valueOf(result)) {
          case "503" -> FailureKind.UNAVAILABLE;
          case "400" -> FailureKind.INVALID;
          default -> null;
        })
        .build()).build();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void failedResultIsRetried(Mode mode) throws Exception {
    Pipeline pipeline = classifyingPipeline(pipeline());
    upstream.answer(10, "503").answer(10, "503").answer(10, "200");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("200");
    assertThat(attemptStarts()).containsExactly(t(0), t(30), t(60));
    assertThat(budget.failures).hasValue(2);
    assertThat(budget.successes).hasValue(1);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void whenRetriesOnFailedResultsRunOutTheLastResultIsReturned(Mode mode) throws Exception {
    Pipeline pipeline = classifyingPipeline(pipeline());
    upstream.answer(10, "503");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("503");
    assertThat(upstream.attempts()).hasSize(3);
    assertThat(outcome.endNanos).isEqualTo(t(70));
    assertThat(events.events(RetriesExhausted.class)).hasSize(1);
    assertThat(budget.successes).hasValue(0);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void resultOfANonRetryableKindIsReturnedAtOnce(Mode mode) throws Exception {
    Pipeline pipeline = classifyingPipeline(pipeline());
    upstream.answer(10, "400").answer(10, "200");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("400");
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(events.events(AttemptFailed.class)).extracting(AttemptFailed::kind)
        .containsExactly(FailureKind.INVALID);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void failedResultWithARefusedBudgetIsReturnedAsIs(Mode mode) throws Exception {
    Pipeline pipeline = classifyingPipeline(Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler)
        .retryBudget(CountingBudget.refusing()).listener(events));
    upstream.answer(10, "503").answer(10, "200");

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("503");
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(events.events(RetryBudgetExhausted.class)).hasSize(1);
  }

  // --- 15. events -----------------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void retriedCallEmitsTheExactEventSequence(Mode mode) throws Exception {
    Pipeline pipeline = fullJitterPipeline(pipeline());
    RemoteFailure[] failures = unavailableTwiceThenOk();

    execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream).value();

    assertThat(events.events()).containsExactly(
        new AttemptStarted(UPSTREAM, t(0), 1, AttemptKind.ORIGINAL),
        new AttemptFailed(UPSTREAM, t(10), 1, ms(10), FailureKind.UNAVAILABLE, failures[0]),
        new RetryScheduled(UPSTREAM, t(10), 2, ms(50), false),
        new AttemptStarted(UPSTREAM, t(60), 2, AttemptKind.RETRY),
        new AttemptFailed(UPSTREAM, t(70), 2, ms(10), FailureKind.UNAVAILABLE, failures[1]),
        new RetryScheduled(UPSTREAM, t(70), 3, ms(100), false),
        new AttemptStarted(UPSTREAM, t(170), 3, AttemptKind.RETRY),
        new AttemptSucceeded(UPSTREAM, t(180), 3, ms(10)),
        new CallCompleted(UPSTREAM, t(180), 3, ms(180), CallOutcome.SUCCESS, null));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void throwingListenerDoesNotBreakTheCall(Mode mode) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline = fullJitterPipeline(Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler)
        .random(HALF).retryBudget(budget).listener(event -> {
          calls.incrementAndGet();
          throw new IllegalStateException("broken listener");
        }));
    unavailableTwiceThenOk();

    Outcome outcome = execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream);

    assertThat(outcome.value()).isEqualTo("ok");
    assertThat(attemptStarts()).containsExactly(t(0), t(60), t(170));
    assertThat(calls).as("every event was still offered").hasValue(9);
  }

  // --- caller cancellation (both ways) --------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void callerCancellingItsContextStopsTheAttemptAndTheCall(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
    CallContext caller = CallContext.ROOT.withChildCancellation();
    CancellationException gaveUp = new CancellationException("caller gave up");
    scheduler.schedule(() -> caller.cancellation().cancel(gaveUp), ms(100));
    upstream.answer(1000, "too late");

    Outcome outcome = caller.call(() -> execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream));

    assertThat(outcome.failure()).isSameAs(gaveUp);
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(upstream.attempt(1).stop()).isEqualTo(stopFor(mode));
    assertThat(upstream.attempt(1).stoppedAtNanos()).isEqualTo(t(100));
    assertThat(upstream.attempt(1).context.cancellation().cause()).isSameAs(gaveUp);
    assertThat(outcome.endNanos).isEqualTo(t(100));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void callerCancellingItsContextDuringTheBackoff_endsTheCallAtOnce(Mode mode) throws Exception {
    Pipeline pipeline = pipeline().retry(retry(3, Backoff.constant(Duration.ofSeconds(5)))).build();
    CallContext caller = CallContext.ROOT.withChildCancellation();
    CancellationException gaveUp = new CancellationException("caller gave up");
    scheduler.schedule(() -> caller.cancellation().cancel(gaveUp), ms(30));
    upstream.fail(10, unavailable("down")).answer(10, "never");

    Outcome outcome = caller.call(() -> execute(mode, pipeline, Idempotency.IDEMPOTENT, upstream));

    assertThat(outcome.failure()).isSameAs(gaveUp);
    assertThat(outcome.endNanos).as("not at the end of the 5 s wait").isEqualTo(t(30));
    assertThat(upstream.attempts()).hasSize(1);
    assertThat(scheduler.pendingTasks()).as("the retry is off the scheduler").isZero();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void attemptCancelledWhileStartingIsNotSent(Mode mode) throws Exception {
    // The caller gives up at the very moment attempt 2 starts (seen here from the event listener): the
    // upstream must not be called for an attempt nobody waits for.
    CallContext caller = CallContext.ROOT.withChildCancellation();
    CancellationException gaveUp = new CancellationException("caller gave up");
    Pipeline cancelling = Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).retryBudget(budget)
        .retry(retry(3, Backoff.constant(Duration.ofMillis(50)))).listener(event -> {
          events.onEvent(event);
          if (event instanceof AttemptStarted started && started.attempt() == 2) {
            caller.cancellation().cancel(gaveUp);
          }
        }).build();
    upstream.fail(10, unavailable("down")).answer(10, "never");

    Outcome outcome = caller.call(() -> execute(mode, cancelling, Idempotency.IDEMPOTENT, upstream));

    assertThat(outcome.failure()).isSameAs(gaveUp);
    assertThat(upstream.attempts()).as("attempt 2 was not sent").hasSize(1);
    assertThat(events.events(AttemptFailed.class)).extracting(AttemptFailed::attempt, AttemptFailed::kind)
        .containsExactly(tuple(1, FailureKind.UNAVAILABLE), tuple(2, FailureKind.CANCELLED));
    assertThat(outcome.endNanos).isEqualTo(t(60));
  }

  @Test
  void failureMessagesDoNotDependOnTheDefaultLocale() throws Exception {
    Locale previous = Locale.getDefault();
    Locale.setDefault(Locale.GERMANY);
    try {
      Pipeline pipeline = pipeline().timeout(Duration.ofMillis(300))
          .retry(retry(5, Backoff.constant(Duration.ofMillis(50)))).build();
      upstream.fail(120, unavailable("down"));

      Outcome outcome = execute(Mode.BLOCKING, pipeline, Idempotency.IDEMPOTENT, upstream);

      assertThat(outcome.failure(RetriesExhaustedException.class).getMessage())
          .contains("the next wait (50.0 ms)").contains("(attempts: 2, deadline: 10.0 ms left)");
    } finally {
      Locale.setDefault(previous);
    }
  }

  // --- 16. cancelling the async result --------------------------------------------------------------------------

  @Nested
  class CancellingTheAsyncResult {

    @Test
    void cancelsTheAttemptInFlightAndNoFurtherAttemptStarts() {
      Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
      upstream.answer(1000, "too late").answer(10, "never");

      CompletableFuture<String> result = pipeline.callAsync(Idempotency.IDEMPOTENT, upstream::callAsync);
      scheduler.advance(Duration.ofMillis(100));
      assertThat(result.cancel(true)).isTrue();

      assertThat(upstream.futures()).singleElement().satisfies(future -> assertThat(future).isCancelled());
      Attempt attempt = upstream.attempt(1);
      assertThat(attempt.stop()).isEqualTo(Stop.FUTURE_CANCELLED);
      assertThat(attempt.stoppedAtNanos()).isEqualTo(t(100));
      assertThat(attempt.context.cancellation().isCancelled()).isTrue();
      assertThat(attempt.contextCancelledAtNanos()).isEqualTo(t(100));

      scheduler.runAll(10_000);
      scheduler.advance(Duration.ofSeconds(60));
      assertThat(upstream.attempts()).hasSize(1);
      assertThat(result).isCancelled();
      assertThat(budget.retryRequests).hasValue(0);
    }

    @Test
    void whileTheRetryIsStartingStopsIt() {
      // The caller cancels the result at the very moment attempt 2 starts (seen here from the event
      // listener): the cancel must reach attempt 2, not the finished attempt 1.
      AtomicReference<@Nullable CompletableFuture<String>> handle = new AtomicReference<>();
      Pipeline pipeline = Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).retryBudget(budget)
          .retry(retry(3, Backoff.constant(Duration.ofMillis(50)))).listener(event -> {
            events.onEvent(event);
            CompletableFuture<String> result = handle.get();
            if (result != null && event instanceof AttemptStarted started && started.attempt() == 2) {
              result.cancel(true);
            }
          }).build();
      upstream.fail(10, unavailable("down")).answer(1000, "never");

      CompletableFuture<String> result = pipeline.callAsync(Idempotency.IDEMPOTENT, upstream::callAsync);
      handle.set(result);
      scheduler.runAll(10_000);

      assertThat(result).isCancelled();
      assertThat(upstream.attempts()).as("attempt 2 was not sent").hasSize(1);
      assertThat(upstream.futures()).hasSize(1);
      assertThat(events.events(AttemptFailed.class)).extracting(AttemptFailed::attempt, AttemptFailed::kind)
          .containsExactly(tuple(1, FailureKind.UNAVAILABLE), tuple(2, FailureKind.CANCELLED));
      assertThat(ticker.nanos()).as("nothing ran on to the slow answer").isEqualTo(t(60));
    }

    @Test
    void duringTheBackoffStopsTheRetry() {
      Pipeline pipeline = pipeline().retry(retry(3, Backoff.constant(Duration.ofMillis(50)))).build();
      upstream.fail(10, unavailable("down")).answer(10, "never");

      CompletableFuture<String> result = pipeline.callAsync(Idempotency.IDEMPOTENT, upstream::callAsync);
      scheduler.advance(Duration.ofMillis(30));
      assertThat(upstream.attempts()).hasSize(1);
      assertThat(result.cancel(true)).isTrue();

      scheduler.runAll(10_000);
      scheduler.advance(Duration.ofSeconds(60));
      assertThat(upstream.attempts()).hasSize(1);
      assertThat(events.events(AttemptStarted.class)).hasSize(1);
    }

    @Test
    void duringAnHourLongPushback_takesTheRetryOffTheScheduler() {
      Pipeline pipeline = pipeline().retry(RetryPolicy.defaults()).build();
      upstream.fail(10, new RemoteFailure(FailureKind.OVERLOADED, "come back in an hour", Duration.ofHours(1),
          false, null)).answer(10, "never");

      CompletableFuture<String> result = pipeline.callAsync(Idempotency.IDEMPOTENT, upstream::callAsync);
      scheduler.advance(Duration.ofMillis(30));
      assertThat(scheduler.pendingTasks()).as("the retry, waiting").isEqualTo(1);
      assertThat(result.cancel(true)).isTrue();

      assertThat(scheduler.pendingTasks()).as("nothing left to run, nothing holding the call").isZero();
      assertThat(upstream.attempts()).hasSize(1);
    }
  }

  // --- 17. builder validation -----------------------------------------------------------------------------------

  @Nested
  class BuilderValidation {

    @Test
    void rejectsABlankUpstreamName() {
      assertThatThrownBy(() -> Pipeline.builder(""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("upstream: \"\" (expected: a non-blank name)");
      assertThatThrownBy(() -> Pipeline.builder(" \t"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("upstream: \" \t\" (expected: a non-blank name)");
    }

    @Test
    void rejectsATimeoutThatIsNotPositive() {
      assertThatThrownBy(() -> Pipeline.builder(UPSTREAM).timeout(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("timeout: PT0S (expected: > 0)");
      assertThatThrownBy(() -> Pipeline.builder(UPSTREAM).timeout(Duration.ofMillis(-5)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("timeout: PT-0.005S (expected: > 0)");
    }

    @Test
    void rejectsAnAttemptTimeoutThatIsNotPositive() {
      assertThatThrownBy(() -> Pipeline.builder(UPSTREAM).attemptTimeout(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("attemptTimeout: PT0S (expected: > 0)");
      assertThatThrownBy(() -> Pipeline.builder(UPSTREAM).attemptTimeout(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("attemptTimeout: PT-1S (expected: > 0)");
    }

    @Test
    void aRejectedValueDoesNotCountAsSet() {
      Pipeline.Builder builder = Pipeline.builder(UPSTREAM);
      assertThatThrownBy(() -> builder.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
      assertThat(builder.timeout(Duration.ofSeconds(1)).build().toString()).contains("timeout=PT1S");
    }

    @Test
    void rejectsSettingAnOptionTwice() {
      Pipeline.Builder builder = Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).random(HALF)
          .timeout(Duration.ofSeconds(1)).retry(RetryPolicy.defaults()).retryBudget(budget)
          .attemptTimeout(Duration.ofMillis(100)).idempotency(Idempotency.IDEMPOTENT).listener(events);

      assertSetTwice(() -> builder.ticker(ticker), "ticker");
      assertSetTwice(() -> builder.scheduler(scheduler), "scheduler");
      assertSetTwice(() -> builder.random(HALF), "random");
      assertSetTwice(() -> builder.timeout(Duration.ofSeconds(2)), "timeout");
      assertSetTwice(() -> builder.retry(RetryPolicy.none()), "retry");
      assertSetTwice(() -> builder.retryBudget(budget), "retryBudget");
      assertSetTwice(() -> builder.attemptTimeout(Duration.ofMillis(200)), "attemptTimeout");
      assertSetTwice(() -> builder.idempotency(Idempotency.NON_IDEMPOTENT), "idempotency");
      assertSetTwice(() -> builder.listener(events), "listener");
    }

    @Test
    void theDefaultIdempotencyAppliesToCallsThatStateNone() throws Exception {
      Pipeline pipeline = pipeline().idempotency(Idempotency.IDEMPOTENT)
          .retry(retry(3, Backoff.constant(Duration.ofMillis(5)))).build();
      upstream.fail(10, unavailable("down")).answer(10, "ok");

      assertThat(pipeline.call(upstream::callBlocking)).isEqualTo("ok");
      assertThat(upstream.attempts()).extracting(Attempt::idempotency)
          .containsExactly(Idempotency.IDEMPOTENT, Idempotency.IDEMPOTENT);
    }

    private void assertSetTwice(Runnable setAgain, String option) {
      assertThatThrownBy(setAgain::run)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(option + " was already set (expected: set once)");
    }
  }
}
