package dev.blastwall.micrometer;

import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.testing.FakeScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * A scripted upstream on fake time: each attempt takes the next step of the script, waits its latency and then
 * answers "ok" or fails as unavailable (a retryable failure) or invalid (one that is not retried).
 */
final class Remote {

  private record Step(long nanos, FailureKind failure) {}

  private final FakeScheduler scheduler;
  private final Queue<Step> script = new ArrayDeque<>();

  Remote(FakeScheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** The next attempt answers "ok" after {@code millis}. */
  Remote answers(long millis) {
    return step(millis, FailureKind.UNKNOWN);
  }

  /** The next attempt fails with {@code kind} after {@code millis}. */
  Remote fails(long millis, FailureKind kind) {
    return step(millis, kind);
  }

  private Remote step(long millis, FailureKind failure) {
    script.add(new Step(Duration.ofMillis(millis).toNanos(), failure));
    return this;
  }

  /** One blocking attempt: sleeps its latency on the fake scheduler, which moves fake time. */
  String call() throws InterruptedException {
    Step step = next();
    scheduler.sleep(step.nanos());
    return outcome(step);
  }

  /** One async attempt: completes after its latency, when the test moves fake time. */
  CompletableFuture<String> callAsync() {
    Step step = next();
    CompletableFuture<String> answer = new CompletableFuture<>();
    scheduler.schedule(() -> {
      try {
        answer.complete(outcome(step));
      } catch (RemoteFailure failure) {
        answer.completeExceptionally(failure);
      }
    }, step.nanos());
    return answer;
  }

  private Step next() {
    Step step = script.poll();
    if (step == null) {
      throw new IllegalStateException("the script has no step left");
    }
    return step;
  }

  private static String outcome(Step step) {
    if (step.failure() != FailureKind.UNKNOWN) {
      throw new RemoteFailure(step.failure(), "scripted " + step.failure());
    }
    return "ok";
  }
}
