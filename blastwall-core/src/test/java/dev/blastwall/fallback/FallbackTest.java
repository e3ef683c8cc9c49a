package dev.blastwall.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.context.Idempotency;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class FallbackTest {

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final Pipeline pipeline = Pipeline.builder("ranker").ticker(ticker).scheduler(scheduler).build();

  // --- triggers -----------------------------------------------------------------------------------------------

  @Test
  void aSuccessfulCallGivesTheRealAnswer() throws Exception {
    Fallback<String> fallback = Fallback.<String>builder().onAnyFailure().withValue("stale").build();

    Answer<String> answer = fallback.call(pipeline, () -> "fresh");

    assertThat(answer).isEqualTo(Answer.ok("fresh"));
    assertThat(answer.degraded()).isFalse();
    assertThat(answer.reason()).isNull();
    assertThat(answer.cause()).isNull();
  }

  @Test
  void onTypeFallsBackOnThatTypeAndLetsOthersThrough() throws Exception {
    Fallback<String> fallback = Fallback.<String>builder()
        .on(IOException.class)
        .withValue("chronological")
        .reason("ranker down: chronological")
        .build();
    IOException down = new IOException("ranker down");
    IllegalStateException bug = new IllegalStateException("bug");

    Answer<String> answer = fallback.call(pipeline, () -> {
      throw down;
    });

    assertThat(answer).isEqualTo(Answer.degraded("chronological", "ranker down: chronological", down));
    assertThatThrownBy(() -> fallback.call(pipeline, () -> {
      throw bug;
    })).isSameAs(bug);
  }

  @Test
  void onTypeSeesThroughRetriesGivingUp() throws Exception {
    Pipeline retrying = Pipeline.builder("ranker").ticker(ticker).scheduler(scheduler)
        .retry(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.constant(Duration.ofMillis(10))).build())
        .build();
    Fallback<String> fallback = Fallback.<String>builder().on(ConnectException.class).withValue("cached").build();
    ConnectException refused = new ConnectException("refused");
    List<Long> attemptTimes = new ArrayList<>();

    Answer<String> answer = fallback.call(retrying, Idempotency.IDEMPOTENT, () -> {
      attemptTimes.add(ticker.nanos());
      throw refused;
    });

    assertThat(attemptTimes).containsExactly(0L, 10_000_000L);
    assertThat(answer.degraded()).isTrue();
    assertThat(answer.value()).isEqualTo("cached");
    assertThat(answer.cause()).isInstanceOf(RetriesExhaustedException.class).hasCause(refused);
    assertThat(answer.reason()).startsWith("RetriesExhaustedException: ranker: retry: gave up after 2 attempts");
  }

  @Test
  void onFailureFallsBackWhenThePredicateAccepts() throws Exception {
    Fallback<String> fallback = Fallback.<String>builder()
        .onFailure(failure -> "quota".equals(failure.getMessage()))
        .withValue("later")
        .build();

    assertThat(fallback.call(pipeline, () -> {
      throw new IllegalStateException("quota");
    }).value()).isEqualTo("later");
    assertThatThrownBy(() -> fallback.call(pipeline, () -> {
      throw new IllegalStateException("other");
    })).hasMessage("other");
  }

  @Test
  void onFailureKindUsesTheDefaultClassifier() throws Exception {
    Fallback<String> fallback = Fallback.<String>builder()
        .onFailureKind(FailureKind.UNAVAILABLE, FailureKind.OVERLOADED)
        .withValue("default")
        .build();
    RemoteFailure overloaded = new RemoteFailure(FailureKind.OVERLOADED, "slow down");
    RemoteFailure invalid = new RemoteFailure(FailureKind.INVALID, "bad id");

    Answer<String> answer = fallback.call(pipeline, () -> {
      throw overloaded;
    });

    assertThat(answer.cause()).isSameAs(overloaded);
    assertThat(answer.reason()).isEqualTo("RemoteFailure: slow down");
    assertThatThrownBy(() -> fallback.call(pipeline, () -> {
      throw invalid;
    })).isSameAs(invalid);
  }

  @Test
  void onFailureKindUsesTheGivenClassifier() throws Exception {
    Fallback<String> fallback = Fallback.<String>builder()
        .onFailureKind(FailureKind.OVERLOADED)
        .classifier(failure -> failure.getMessage() != null && failure.getMessage().startsWith("429")
            ? FailureKind.OVERLOADED : FailureKind.UNKNOWN)
        .withValue("default")
        .build();

    assertThat(fallback.call(pipeline, () -> {
      throw new IllegalStateException("429 too many requests");
    }).degraded()).isTrue();
    assertThatThrownBy(() -> fallback.call(pipeline, () -> {
      throw new IllegalStateException("500");
    })).hasMessage("500");
  }

  @Test
  void onResultFallsBackOnARejectedResultWithoutACause() throws Exception {
    Fallback<List<String>> fallback = Fallback.<List<String>>builder()
        .onResult(List::isEmpty)
        .withValue(List.of("bestsellers"))
        .build();

    Answer<List<String>> rejected = fallback.call(pipeline, List::of);
    Answer<List<String>> accepted = fallback.call(pipeline, () -> List.of("for you"));

    assertThat(rejected).isEqualTo(Answer.degraded(List.of("bestsellers"), "rejected result", null));
    assertThat(accepted).isEqualTo(Answer.ok(List.of("for you")));
    // A result trigger alone does not handle failures.
    assertThatThrownBy(() -> fallback.call(pipeline, () -> {
      throw new IOException("down");
    })).isInstanceOf(IOException.class);
  }

  @Test
  void withResultSeesEitherTheRejectedResultOrTheFailure() throws Exception {
    List<String> seen = new ArrayList<>();
    Fallback<Integer> fallback = Fallback.<Integer>builder()
        .onResult(value -> value < 0)
        .on(IOException.class)
        .withResult((@Nullable Integer result, @Nullable Throwable failure) -> {
          seen.add(result + " / " + (failure == null ? null : failure.getMessage()));
          return 0;
        })
        .reason("clamped")
        .build();

    assertThat(fallback.call(pipeline, () -> -5)).isEqualTo(Answer.degraded(0, "clamped", null));
    assertThat(fallback.call(pipeline, () -> {
      throw new IOException("down");
    }).value()).isZero();
    assertThat(seen).containsExactly("-5 / null", "null / down");
  }

  @Test
  void withComputesTheAnswerFromTheFailure() throws Exception {
    Fallback<String> fallback = Fallback.<String>builder()
        .on(IOException.class)
        .with(failure -> "offline (" + failure.getMessage() + ")")
        .build();

    assertThat(fallback.call(pipeline, () -> {
      throw new IOException("no route");
    }).value()).isEqualTo("offline (no route)");
  }

  @Test
  void aThrowingFallbackFunctionCarriesTheOriginalFailureAsSuppressed() {
    IllegalStateException cacheEmpty = new IllegalStateException("cache empty");
    IOException down = new IOException("ranker down");
    Fallback<String> fallback = Fallback.<String>builder()
        .on(IOException.class)
        .with(failure -> {
          throw cacheEmpty;
        })
        .build();

    assertThatThrownBy(() -> fallback.call(pipeline, () -> {
      throw down;
    })).isSameAs(cacheEmpty);
    assertThat(cacheEmpty.getSuppressed()).containsExactly(down);
  }

  @Test
  void aFallbackFunctionRethrowingTheFailureIsNotSuppressedIntoItself() {
    IllegalStateException down = new IllegalStateException("down");
    Fallback<String> fallback = Fallback.<String>builder()
        .onAnyFailure()
        .with(failure -> {
          throw (RuntimeException) failure;
        })
        .build();

    assertThatThrownBy(() -> fallback.call(pipeline, () -> {
      throw down;
    })).isSameAs(down);
    assertThat(down.getSuppressed()).isEmpty();
  }

  @Test
  void interruptsAndErrorsAreNeverHandled() {
    Fallback<String> fallback = Fallback.<String>builder().onAnyFailure().withValue("x").build();
    InterruptedException interrupted = new InterruptedException("stop");
    AssertionError error = new AssertionError("broken");

    assertThatThrownBy(() -> fallback.call(pipeline, () -> {
      throw interrupted;
    })).isSameAs(interrupted);
    assertThatThrownBy(() -> fallback.call(pipeline, () -> {
      throw error;
    })).isSameAs(error);
    assertThat(fallback.handles(new CompletionException(error))).isFalse();
  }

  @Test
  void handlesAndRecoverLookThroughFutureWrappers() {
    Fallback<String> fallback = Fallback.<String>builder().on(IOException.class).withValue("x").build();
    IOException down = new IOException("down");

    assertThat(fallback.handles(new CompletionException(down))).isTrue();
    assertThat(fallback.handles(new ExecutionException(down))).isTrue();
    assertThat(fallback.recover(new CompletionException(down)).cause()).isSameAs(down);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> fallback.recover(new IllegalStateException("bug")))
        .withMessage("failure: java.lang.IllegalStateException: bug (expected: a failure this fallback handles)");
  }

  // --- async --------------------------------------------------------------------------------------------------

  @Test
  void asyncFallsBackWhenTheFutureFails() throws Exception {
    Fallback<String> fallback = Fallback.<String>builder()
        .on(IOException.class)
        .withValue("chronological")
        .reason("ranker down: chronological")
        .build();
    IOException down = new IOException("ranker down");

    CompletableFuture<Answer<String>> answer = fallback.callAsync(pipeline, Idempotency.IDEMPOTENT,
        () -> failAfter(Duration.ofMillis(30), down));

    assertThat(answer).isNotDone();
    scheduler.advance(Duration.ofMillis(30));
    assertThat(answer.get()).isEqualTo(Answer.degraded("chronological", "ranker down: chronological", down));
  }

  @Test
  void asyncSuccessAndResultRejection() throws Exception {
    Fallback<String> fallback = Fallback.<String>builder().onResult(String::isEmpty).withValue("none").build();

    CompletableFuture<Answer<String>> ok = fallback.callAsync(pipeline, () -> CompletableFuture.completedFuture("a"));
    CompletableFuture<Answer<String>> rejected =
        fallback.callAsync(pipeline, () -> CompletableFuture.completedFuture(""));

    assertThat(ok.get()).isEqualTo(Answer.ok("a"));
    assertThat(rejected.get()).isEqualTo(Answer.degraded("none", "rejected result", null));
  }

  @Test
  void asyncPassesUnhandledFailuresAndFallbackFailuresThrough() {
    IllegalStateException bug = new IllegalStateException("bug");
    IOException down = new IOException("down");
    IllegalStateException cacheEmpty = new IllegalStateException("cache empty");
    Fallback<String> fallback = Fallback.<String>builder()
        .on(IOException.class)
        .with(failure -> {
          throw cacheEmpty;
        })
        .build();

    CompletableFuture<Answer<String>> unhandled =
        fallback.callAsync(pipeline, () -> CompletableFuture.failedFuture(bug));
    CompletableFuture<Answer<String>> fallbackFailed =
        fallback.callAsync(pipeline, () -> CompletableFuture.failedFuture(down));

    assertThatThrownBy(unhandled::get).isInstanceOf(ExecutionException.class).cause().isSameAs(bug);
    assertThatThrownBy(fallbackFailed::get).isInstanceOf(ExecutionException.class).cause().isSameAs(cacheEmpty);
    assertThat(cacheEmpty.getSuppressed()).containsExactly(down);
  }

  @Test
  void cancellingTheAnswerCancelsTheCall() {
    Fallback<String> fallback = Fallback.<String>builder().onAnyFailure().withValue("x").build();
    CompletableFuture<String> call = new CompletableFuture<>();

    CompletableFuture<Answer<String>> answer = fallback.callAsync(pipeline, () -> call);
    answer.cancel(true);

    assertThat(call).isCancelled();
    assertThat(answer).isCancelled();
  }

  private CompletableFuture<String> failAfter(Duration delay, Throwable failure) {
    CompletableFuture<String> future = new CompletableFuture<>();
    scheduler.schedule(() -> future.completeExceptionally(failure), delay.toNanos());
    return future;
  }

  // --- configuration ------------------------------------------------------------------------------------------

  @Test
  void aFallbackWithoutTriggerIsRefused() {
    assertThatIllegalStateException()
        .isThrownBy(() -> Fallback.<String>builder().withValue("x").build())
        .withMessage("triggers: none (expected: on, onFailure, onFailureKind or onResult; "
            + "onAnyFailure to fall back on every failure)");
  }

  @Test
  void aFallbackWithoutAnswerIsRefused() {
    assertThatIllegalStateException()
        .isThrownBy(() -> Fallback.<String>builder().onAnyFailure().build())
        .withMessage("answer: none (expected: withValue, with or withResult)");
  }

  @Test
  void aResultTriggerNeedsAnAnswerThatDoesNotNeedAFailure() {
    assertThatIllegalStateException()
        .isThrownBy(() -> Fallback.<String>builder().onResult(String::isEmpty).with(Throwable::toString).build())
        .withMessage("answer: with(function of the failure) (expected: withValue or withResult when onResult is "
            + "set, since a rejected result has no failure)");
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fallback.<String>builder().on())
        .withMessage("on: [] (expected: at least one exception type)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fallback.<String>builder().onFailureKind())
        .withMessage("onFailureKind: [] (expected: at least one failure kind)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Fallback.<String>builder().reason(" "))
        .withMessage("reason: \" \" (expected: a non-blank reason)");
  }

  @Test
  void optionsMayBeSetOnce() {
    assertThatIllegalStateException()
        .isThrownBy(() -> Fallback.<String>builder().on(IOException.class).on(ConnectException.class))
        .withMessage("on was already set (expected: set once)");
    assertThatIllegalStateException()
        .isThrownBy(() -> Fallback.<String>builder().onAnyFailure().onAnyFailure())
        .withMessage("onAnyFailure was already set (expected: set once)");
    assertThatIllegalStateException()
        .isThrownBy(() -> Fallback.<String>builder().withValue("a").with(failure -> "b"))
        .withMessage("answer (withValue, with or withResult) was already set (expected: set once)");
    assertThatIllegalStateException()
        .isThrownBy(() -> Fallback.<String>builder().reason("a").reason("b"))
        .withMessage("reason was already set (expected: set once)");
  }

  @Test
  void answersCheckTheirFlags() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Answer.degraded("x", "", null))
        .withMessage("reason: \"\" (expected: a non-blank reason for a degraded answer)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Answer<>("x", false, "why", null))
        .withMessage("reason: \"why\" (expected: no reason for an answer that is not degraded)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Answer<>("x", false, null, new IOException("down")))
        .withMessage("cause: java.io.IOException: down (expected: no cause for an answer that is not degraded)");
  }

  @Test
  void describesItself() {
    Fallback<String> fallback = Fallback.<String>builder()
        .on(IOException.class)
        .onFailureKind(FailureKind.UNAVAILABLE)
        .withValue("x")
        .reason("offline")
        .build();

    assertThat(fallback).hasToString("Fallback[on=[IOException], kinds=[UNAVAILABLE], reason=\"offline\"]");
  }
}
