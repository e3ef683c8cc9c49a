package dev.blastwall.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.BlastwallEvent.AttemptStarted;
import dev.blastwall.event.BlastwallEvent.CallCompleted;
import dev.blastwall.event.CallOutcome;
import dev.blastwall.event.Subscription;
import dev.blastwall.failure.AttemptTimeoutException;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.failure.RetryBudgetExhaustedException;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.internal.Failures;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The call-level event: every call a listener sees start ends with exactly one {@link CallCompleted} that says how
 * it ended, blocking and async alike; and listeners added to (and removed from) a pipeline that is already built.
 */
class CallCompletedTest {

  enum Mode {
    BLOCKING,
    ASYNC
  }

  private static final String UPSTREAM = "inventory";
  private static final long MS = 1_000_000L;

  private final FakeTicker ticker = new FakeTicker(Duration.ofSeconds(3).toNanos());
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final ScriptedUpstream upstream = new ScriptedUpstream(scheduler);
  private final RecordingListener events = new RecordingListener();

  private Pipeline.Builder pipeline() {
    return Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).random(() -> 0.5).listener(events);
  }

  private static RetryPolicy retries(int attempts) {
    return RetryPolicy.builder().maxAttempts(attempts).backoff(Backoff.constant(Duration.ofMillis(5))).build();
  }

  private static RemoteFailure unavailable() {
    return new RemoteFailure(FailureKind.UNAVAILABLE, "down");
  }

  /** Runs one call in {@code mode} under {@code caller}, driving fake time until it is done; what it threw. */
  private @Nullable Throwable run(Mode mode, Pipeline pipeline, Idempotency idempotency, CallContext caller) {
    try {
      if (mode == Mode.BLOCKING) {
        caller.call(() -> pipeline.call(idempotency, upstream::callBlocking));
        return null;
      }
      CompletableFuture<String> future = caller.call(() -> pipeline.callAsync(idempotency, upstream::callAsync));
      while (!future.isDone()) {
        assertThat(scheduler.runAll(1)).as("the call is not done, yet nothing is scheduled").isEqualTo(1);
      }
      return future.handle((value, failure) -> failure == null ? null : Failures.delivered(failure)).join();
    } catch (Exception thrown) {
      return thrown;
    }
  }

  private @Nullable Throwable run(Mode mode, Pipeline pipeline) {
    return run(mode, pipeline, Idempotency.IDEMPOTENT, CallContext.ROOT);
  }

  /** The one completion event of the call, after every other event of it. */
  private CallCompleted completion() {
    assertThat(events.events(CallCompleted.class)).hasSize(1);
    BlastwallEvent last = events.events().get(events.events().size() - 1);
    assertThat(last).isInstanceOf(CallCompleted.class);
    return (CallCompleted) last;
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aFailureThatIsNotRetriedIsAFailureCarryingWhatTheCallerGot(Mode mode) {
    upstream.fail(10, unavailable());

    Throwable thrown = run(mode, pipeline().retry(retries(3)).build(), Idempotency.NON_IDEMPOTENT, CallContext.ROOT);

    assertThat(completion()).isEqualTo(
        new CallCompleted(UPSTREAM, ticker.nanos(), 1, 10 * MS, CallOutcome.FAILURE, thrown));
    assertThat(thrown).isInstanceOf(RemoteFailure.class);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aFailedResultReturnedAsItIsIsAFailureWithNothingThrown(Mode mode) {
    upstream.answer(10, "503");
    RetryPolicy classifying = RetryPolicy.builder().maxAttempts(1)
        .resultClassifier(result -> "503".equals(result) ? FailureKind.UNAVAILABLE : null).build();

    assertThat(run(mode, pipeline().retry(classifying).build())).isNull();

    assertThat(completion().outcome()).isEqualTo(CallOutcome.FAILURE);
    assertThat(completion().failure()).isNull();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void attemptsUsedUpAreRetriesExhaustedAfterEveryAttemptAndWait(Mode mode) {
    upstream.fail(10, unavailable());

    Throwable thrown = run(mode, pipeline().retry(retries(3)).retryBudget(RetryBudget.unlimited()).build());

    assertThat(thrown).isInstanceOf(RetriesExhaustedException.class);
    assertThat(completion()).isEqualTo(
        new CallCompleted(UPSTREAM, ticker.nanos(), 3, (3 * 10 + 2 * 5) * MS, CallOutcome.RETRIES_EXHAUSTED, thrown));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aRetryTheBudgetRefusesIsBudgetExhausted(Mode mode) {
    upstream.fail(10, unavailable());

    Throwable thrown = run(mode, pipeline().retry(retries(3)).retryBudget(CountingBudget.refusing()).build());

    assertThat(thrown).isInstanceOf(RetryBudgetExhaustedException.class);
    assertThat(completion().outcome()).isEqualTo(CallOutcome.BUDGET_EXHAUSTED);
    assertThat(completion().attempts()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aDeadlineThatPassesDuringTheAttemptIsDeadlineExceeded(Mode mode) {
    upstream.answer(100, "late");

    Throwable thrown = run(mode, pipeline().timeout(Duration.ofMillis(40)).build());

    assertThat(thrown).isInstanceOf(DeadlineExceededException.class);
    assertThat(completion()).isEqualTo(
        new CallCompleted(UPSTREAM, ticker.nanos(), 1, 40 * MS, CallOutcome.DEADLINE_EXCEEDED, thrown));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theLastAttemptRunningPastItsTimeoutIsTimeout(Mode mode) {
    upstream.answer(100, "late");

    Throwable thrown = run(mode, pipeline().attemptTimeout(Duration.ofMillis(30)).build());

    assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
    assertThat(completion().outcome()).isEqualTo(CallOutcome.TIMEOUT);
    assertThat(completion().durationNanos()).isEqualTo(30 * MS);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void anOpenBreakerRefusingTheCallIsRejectedWithNoAttempt(Mode mode) {
    CircuitBreaker breaker = CircuitBreaker.builder(UPSTREAM).ticker(ticker).build();
    breaker.forceOpen();

    Throwable thrown = run(mode, pipeline().circuitBreaker(breaker).build());

    assertThat(thrown).isInstanceOf(CallNotPermittedException.class);
    assertThat(completion()).isEqualTo(
        new CallCompleted(UPSTREAM, ticker.nanos(), 0, 0, CallOutcome.REJECTED, thrown));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aCallerThatGaveUpBeforeTheCallIsCancelled(Mode mode) {
    CallContext caller = CallContext.ROOT.withChildCancellation();
    caller.cancellation().cancel(new CancellationException("caller gave up"));
    upstream.answer(10, "ok");

    Throwable thrown = run(mode, pipeline().build(), Idempotency.IDEMPOTENT, caller);

    assertThat(thrown).isInstanceOf(CancellationException.class);
    assertThat(completion().outcome()).isEqualTo(CallOutcome.CANCELLED);
    assertThat(upstream.attempts()).isEmpty();
  }

  @Test
  void anAsyncCallTheCallerCancelsIsCancelled() {
    upstream.answer(100, "late");
    CompletableFuture<String> future = pipeline().build().callAsync(upstream::callAsync);
    scheduler.advance(Duration.ofMillis(20));

    future.cancel(/* mayInterruptIfRunning= */ true);

    assertThat(completion().outcome()).isEqualTo(CallOutcome.CANCELLED);
    assertThat(completion().durationNanos()).isEqualTo(20 * MS);
  }

  @Test
  void aHedgedCallReportsOneCompletionWithEveryAttemptItSent() throws Exception {
    upstream.answer(100, "slow").answer(10, "fast");
    Pipeline hedged = pipeline().hedge(HedgePolicy.afterDelay(Duration.ofMillis(20)))
        .hedgeBudget(RetryBudget.unlimited()).idempotency(Idempotency.IDEMPOTENT).build();

    CompletableFuture<String> future = hedged.callAsync(upstream::callAsync);
    scheduler.advance(Duration.ofMillis(30));

    assertThat(future.get()).isEqualTo("fast");
    assertThat(completion()).isEqualTo(
        new CallCompleted(UPSTREAM, ticker.nanos(), 2, 30 * MS, CallOutcome.SUCCESS, null));
  }

  // --- listeners added to a built pipeline -------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aListenerAddedLaterSeesTheCallsAfterItUntilItsSubscriptionCloses(Mode mode) {
    Pipeline pipeline = Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).build();
    upstream.answer(10, "ok");
    run(mode, pipeline);
    RecordingListener added = new RecordingListener();

    Subscription subscription = pipeline.addListener(added);
    run(mode, pipeline);
    subscription.close();
    subscription.close();
    run(mode, pipeline);

    assertThat(added.events(CallCompleted.class)).extracting(CallCompleted::outcome)
        .containsExactly(CallOutcome.SUCCESS);
    assertThat(added.events(AttemptStarted.class)).hasSize(1);
    assertThat(pipeline.listening()).as("nobody listens once the subscription closed").isFalse();
  }

  @Test
  void aCallThatStartedBeforeTheListenerWasAddedIsNotReportedToIt() {
    Pipeline pipeline = Pipeline.builder(UPSTREAM).ticker(ticker).scheduler(scheduler).build();
    upstream.answer(100, "ok");
    CompletableFuture<String> before = pipeline.callAsync(upstream::callAsync);
    RecordingListener added = new RecordingListener();
    pipeline.addListener(added);

    scheduler.advance(Duration.ofMillis(100));

    assertThat(before).isCompletedWithValue("ok");
    assertThat(added.events()).as("a call decides once, as it starts, whether anyone listens").isEmpty();
  }

  @Test
  void listenersAddedTwiceAreTwoListenersAndOneThatThrowsKeepsNoEventFromTheOthers() throws Exception {
    Pipeline pipeline = pipeline().build();
    RecordingListener added = new RecordingListener();
    pipeline.addListener(event -> {
      throw new IllegalStateException("broken listener");
    });
    Subscription first = pipeline.addListener(added);
    pipeline.addListener(added);
    upstream.answer(10, "ok");

    pipeline.call(upstream::callBlocking);
    first.close();
    pipeline.call(upstream::callBlocking);

    assertThat(events.events(CallCompleted.class)).as("the builder's listener").hasSize(2);
    assertThat(added.events(CallCompleted.class)).as("twice for the first call, once for the second").hasSize(3);
  }
}
