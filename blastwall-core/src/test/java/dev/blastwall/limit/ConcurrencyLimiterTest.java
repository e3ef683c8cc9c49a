package dev.blastwall.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {

  private final FakeTicker ticker = new FakeTicker(1_000);

  private ConcurrencyLimiter limiter(Limit limit) {
    return ConcurrencyLimiter.builder("inventory", limit).ticker(ticker).build();
  }

  private static Listener admitted(ConcurrencyLimiter limiter) {
    return Objects.requireNonNull(limiter.tryAcquire(), "refused");
  }

  @Test
  void admitsWhileBelowTheLimit_thenRefuses() {
    ConcurrencyLimiter limiter = limiter(Limit.fixed(3));

    for (int i = 0; i < 3; i++) {
      admitted(limiter);
    }

    assertThat(limiter.tryAcquire()).isNull();
    assertThat(limiter.snapshot()).isEqualTo(new ConcurrencyLimiter.Snapshot(3, 3));
  }

  @Test
  void refusal_isAnOverloadedExceptionWithTheNumbersSeen() {
    ConcurrencyLimiter limiter = limiter(Limit.fixed(50));
    for (int i = 0; i < 50; i++) {
      admitted(limiter);
    }

    assertThatThrownBy(limiter::acquire).isInstanceOfSatisfying(OverloadedException.class, e -> {
      assertThat(e.upstream()).isEqualTo("inventory");
      assertThat(e.policy()).isEqualTo("concurrency-limit");
      assertThat(e.reason()).isEqualTo("limit");
      assertThat(e.getMessage())
          .isEqualTo("inventory: concurrency-limit: 50 of 50 in flight (attempts: 0, deadline: none)");
      assertThat(e.kind()).isEqualTo(FailureKind.OVERLOADED);
      assertThat(e.doNotRetry()).isTrue();
    });
  }

  @Test
  void outcomesFeedSamplesTimedByTheTicker() {
    RecordingLimit limit = new RecordingLimit(10);
    ConcurrencyLimiter limiter = limiter(limit);

    Listener first = admitted(limiter);
    ticker.advanceNanos(5);
    Listener second = admitted(limiter);
    Listener third = admitted(limiter);
    ticker.advanceNanos(7);
    first.onSuccess();
    second.onDropped();
    third.onIgnore();

    assertThat(limit.samples).containsExactly(
        new RecordingLimit.Sample(1_000, 12, 1, false),
        new RecordingLimit.Sample(1_005, 7, 2, true));
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void endingTwice_releasesOnceAndSamplesOnce() {
    RecordingLimit limit = new RecordingLimit(2);
    ConcurrencyLimiter limiter = limiter(limit);
    Listener listener = admitted(limiter);
    admitted(limiter);

    listener.onSuccess();
    listener.onSuccess();
    listener.onDropped();
    listener.onIgnore();

    assertThat(limiter.inflight()).isEqualTo(1);
    assertThat(limit.samples).hasSize(1);
  }

  @Test
  void limitFallingBelowTheRequestsInFlight_refusesUntilEnoughEnd() {
    RecordingLimit limit = new RecordingLimit(4);
    ConcurrencyLimiter limiter = limiter(limit);
    List<Listener> listeners = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      listeners.add(admitted(limiter));
    }

    limit.set(2);
    listeners.remove(0).onSuccess();
    assertThat(limiter.tryAcquire()).as("3 in flight, limit 2").isNull();
    listeners.remove(0).onSuccess();
    assertThat(limiter.tryAcquire()).as("2 in flight, limit 2").isNull();
    listeners.remove(0).onSuccess();

    assertThat(limiter.tryAcquire()).as("1 in flight, limit 2").isNotNull();
  }

  @Test
  void adaptiveLimitLearnsThroughTheLimiter() {
    AimdLimit aimd = AimdLimit.builder().initialLimit(2).build();
    ConcurrencyLimiter limiter = limiter(aimd);

    Listener first = admitted(limiter);
    admitted(limiter);
    ticker.advanceNanos(1_000);
    first.onSuccess();

    assertThat(limiter.limit()).isEqualTo(3);
    assertThat(limiter.algorithm()).isSameAs(aimd);
  }

  @Test
  void builderRejectsBadConfiguration() {
    assertThatIllegalArgumentException().isThrownBy(() -> ConcurrencyLimiter.builder(" ", Limit.fixed(1)))
        .withMessage("name: \" \" (expected: a non-blank name)");
    assertThatIllegalArgumentException().isThrownBy(() -> Limit.fixed(0))
        .withMessage("limit: 0 (expected: 1 <= limit <= 2147483647)");
    assertThatIllegalStateException()
        .isThrownBy(() -> ConcurrencyLimiter.builder("x", Limit.fixed(1)).ticker(ticker).ticker(ticker))
        .withMessage("ticker was already set (expected: set once)");
  }
}
