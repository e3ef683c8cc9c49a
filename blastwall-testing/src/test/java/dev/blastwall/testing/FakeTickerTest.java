package dev.blastwall.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.deadline.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FakeTickerTest {

  @Test
  void startsWhereToldAndMovesOnlyWhenAdvanced() {
    assertThat(new FakeTicker().nanos()).isZero();

    FakeTicker ticker = new FakeTicker(-5);
    assertThat(ticker.nanos()).isEqualTo(-5);
    assertThat(ticker.nanos()).isEqualTo(-5);

    assertThat(ticker.advanceNanos(7)).isSameAs(ticker);
    assertThat(ticker.nanos()).isEqualTo(2);
    assertThat(ticker.advance(Duration.ofMillis(1))).isSameAs(ticker);
    assertThat(ticker.nanos()).isEqualTo(1_000_002);
    ticker.advanceNanos(0).advance(Duration.ZERO);
    assertThat(ticker.nanos()).isEqualTo(1_000_002);
  }

  @Test
  void negativeAdvancesAreRejectedAndLeaveTimeAlone() {
    FakeTicker ticker = new FakeTicker(10);

    assertThatThrownBy(() -> ticker.advanceNanos(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deltaNanos: -1 ns (expected: >= 0, time only moves forward)");
    assertThatThrownBy(() -> ticker.advance(Duration.ofMillis(-2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration: PT-0.002S (expected: >= 0, time only moves forward)");
    // Too negative for a long of nanoseconds: still the same clear rejection, not an ArithmeticException.
    assertThatThrownBy(() -> ticker.advance(Duration.ofSeconds(Long.MIN_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("duration: PT-")
        .hasMessageEndingWith(" (expected: >= 0, time only moves forward)");
    assertThat(ticker.nanos()).isEqualTo(10);
  }

  @Test
  void wrapsAroundLikeNanoTime() {
    FakeTicker ticker = new FakeTicker(Long.MAX_VALUE - 10);
    Deadline deadline = Deadline.afterNanos(30, ticker);

    ticker.advanceNanos(20);
    assertThat(ticker.nanos()).isEqualTo(Long.MIN_VALUE + 9);
    assertThat(deadline.remainingNanos()).isEqualTo(10);
    assertThat(deadline.isExpired()).isFalse();
    ticker.advanceNanos(10);
    assertThat(deadline.isExpired()).isTrue();
  }

  @Test
  void advancingByMoreThanALongOfNanosSaturates() {
    FakeTicker ticker = new FakeTicker(0);

    ticker.advance(Duration.ofSeconds(Long.MAX_VALUE));
    assertThat(ticker.nanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void advanceToNeverMovesBackEvenAcrossTheWrap() {
    FakeTicker ticker = new FakeTicker(Long.MAX_VALUE - 1);

    ticker.advanceTo(Long.MAX_VALUE - 5); // in the past
    assertThat(ticker.nanos()).isEqualTo(Long.MAX_VALUE - 1);
    ticker.advanceTo(Long.MIN_VALUE + 3); // five nanoseconds on, past the wrap
    assertThat(ticker.nanos()).isEqualTo(Long.MIN_VALUE + 3);
    ticker.advanceTo(Long.MAX_VALUE); // now in the past again
    assertThat(ticker.nanos()).isEqualTo(Long.MIN_VALUE + 3);
  }

  @Test
  void theJavadocExampleHolds() {
    FakeTicker ticker = new FakeTicker();
    Deadline deadline = Deadline.after(Duration.ofMillis(300), ticker);

    ticker.advance(Duration.ofMillis(100));
    assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void concurrentAdvancesAreAllCounted() throws Exception {
    FakeTicker ticker = new FakeTicker(Long.MAX_VALUE);
    int threads = 8;
    int perThread = 10_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            ticker.advanceNanos(1);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get();
      }
    }
    assertThat(ticker.nanos()).isEqualTo(Long.MAX_VALUE + (long) threads * perThread);
  }

  @Test
  void toStringShowsTheReading() {
    assertThat(new FakeTicker(42)).hasToString("FakeTicker[42 ns]");
  }
}
