package dev.blastwall.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.failure.OverloadedException;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class PartitionedLimiterTest {

  private final FakeTicker ticker = new FakeTicker();

  private PartitionedLimiter<String> halves(Limit limit) {
    return PartitionedLimiter.<String>builder("api", limit).share("a", 50).share("b", 50).ticker(ticker).build();
  }

  /** A tenant that keeps as many requests in flight as it is allowed, oldest ending first. */
  private static final class Tenant {
    final String key;
    final Deque<Listener> inFlight = new ArrayDeque<>();

    Tenant(String key) {
      this.key = key;
    }

    /** Asks until refused or {@code max} are in flight. */
    void ask(PartitionedLimiter<String> limiter, int max) {
      while (inFlight.size() < max) {
        @Nullable Listener listener = limiter.tryAcquire(key);
        if (listener == null) {
          return;
        }
        inFlight.add(listener);
      }
    }

    void finishOldest() {
      Listener oldest = inFlight.poll();
      if (oldest != null) {
        oldest.onSuccess();
      }
    }
  }

  @Test
  void floodWhileOthersIdle_borrowsEverything() {
    PartitionedLimiter<String> limiter = halves(Limit.fixed(50));
    Tenant a = new Tenant("a");

    a.ask(limiter, Integer.MAX_VALUE);

    assertThat(a.inFlight).hasSize(50);
    assertThat(limiter.inflight("a")).isEqualTo(50);
  }

  @Test
  void floodWhileAnotherIsActive_isHeldToItsShareAndTheOtherGetsItsShare() {
    PartitionedLimiter<String> limiter = halves(Limit.fixed(50));
    Tenant a = new Tenant("a");
    Tenant b = new Tenant("b");
    a.ask(limiter, Integer.MAX_VALUE);

    // B turns up to a full house: refused, but now active.
    b.ask(limiter, 30);
    assertThat(b.inFlight).isEmpty();
    assertThat(limiter.guaranteed("b")).isEqualTo(25);

    // A keeps flooding; each of its requests that ends frees a place, which B (below its share) may take and A
    // (above its share, with B owed places) may not.
    for (int round = 0; round < 100; round++) {
      ticker.advance(Duration.ofMillis(5));
      a.finishOldest();
      a.ask(limiter, Integer.MAX_VALUE);
      b.ask(limiter, 30);
      assertThat(limiter.inflight()).isLessThanOrEqualTo(50);
    }

    assertThat(a.inFlight).as("A held to its share").hasSize(25);
    assertThat(b.inFlight).as("B got its share").hasSize(25);
    assertThatThrownBy(() -> limiter.acquire("a")).isInstanceOfSatisfying(OverloadedException.class,
        e -> assertThat(e.getMessage()).contains("a: 25 in flight (guaranteed 25); 50 of 50 in flight"));
  }

  @Test
  void otherGoesIdle_floodMayBorrowAgain() {
    PartitionedLimiter<String> limiter = halves(Limit.fixed(50));
    Tenant a = new Tenant("a");
    Tenant b = new Tenant("b");
    b.ask(limiter, 10);
    a.ask(limiter, Integer.MAX_VALUE);
    assertThat(a.inFlight).as("B active with 10 of its 25: A gets its 25 only").hasSize(25);

    while (!b.inFlight.isEmpty()) {
      b.finishOldest();
    }
    a.ask(limiter, Integer.MAX_VALUE);
    assertThat(a.inFlight).as("B asked within the activity window: its share is still kept").hasSize(25);

    ticker.advance(PartitionedLimiter.DEFAULT_ACTIVITY_WINDOW);
    a.ask(limiter, Integer.MAX_VALUE);
    assertThat(a.inFlight).as("B idle: A borrows everything").hasSize(50);
  }

  @Test
  void belowItsShare_aPartitionIsAdmittedEvenWhileAnotherBorrows() {
    PartitionedLimiter<String> limiter =
        PartitionedLimiter.<String>builder("api", Limit.fixed(10)).share("a", 70).share("b", 30).ticker(ticker).build();
    Tenant a = new Tenant("a");
    Tenant b = new Tenant("b");
    a.ask(limiter, 8); // borrows one of B's places while B is idle

    b.ask(limiter, 5);

    assertThat(b.inFlight).as("the 2 places left; B's third waits for A's borrowed one").hasSize(2);
    a.finishOldest();
    b.ask(limiter, 5);
    assertThat(b.inFlight).hasSize(3);
    a.ask(limiter, 8);
    assertThat(a.inFlight).as("A back to its share").hasSize(7);
  }

  @Test
  void equalShares_splitTheLimitAmongActivePartitions() {
    PartitionedLimiter<String> limiter =
        PartitionedLimiter.<String>builder("api", Limit.fixed(30)).ticker(ticker).build();
    Tenant a = new Tenant("tenant-a");
    Tenant b = new Tenant("tenant-b");
    Tenant c = new Tenant("tenant-c");

    a.ask(limiter, Integer.MAX_VALUE);
    assertThat(a.inFlight).as("alone").hasSize(30);

    b.ask(limiter, Integer.MAX_VALUE);
    c.ask(limiter, Integer.MAX_VALUE);
    for (int round = 0; round < 60; round++) {
      ticker.advance(Duration.ofMillis(5));
      a.finishOldest();
      a.ask(limiter, Integer.MAX_VALUE);
      b.ask(limiter, Integer.MAX_VALUE);
      c.ask(limiter, Integer.MAX_VALUE);
    }

    assertThat(limiter.guaranteed("tenant-a")).isEqualTo(10);
    assertThat(a.inFlight.size() + b.inFlight.size() + c.inFlight.size()).isEqualTo(30);
    assertThat(a.inFlight).hasSizeLessThanOrEqualTo(11);
    assertThat(b.inFlight).hasSizeGreaterThanOrEqualTo(9);
    assertThat(c.inFlight).hasSizeGreaterThanOrEqualTo(9);
  }

  @Test
  void undeclaredKeys_shareWhatIsLeft() {
    PartitionedLimiter<String> limiter =
        PartitionedLimiter.<String>builder("api", Limit.fixed(10)).share("a", 80).ticker(ticker).build();
    Tenant a = new Tenant("a");
    Tenant x = new Tenant("x");
    Tenant y = new Tenant("y");
    a.ask(limiter, 8);

    x.ask(limiter, 5);
    y.ask(limiter, 5);

    assertThat(x.inFlight.size() + y.inFlight.size()).isEqualTo(2);
    assertThat(limiter.inflight("x")).isEqualTo(2).isEqualTo(limiter.inflight("anyone-else"));
  }

  @Test
  void equalSharesBeyondMaxPartitions_shareAnOverflowPartition() {
    PartitionedLimiter<Integer> limiter =
        PartitionedLimiter.<Integer>builder("api", Limit.fixed(100)).maxPartitions(2).ticker(ticker).build();

    limiter.acquire(1);
    limiter.acquire(2);
    limiter.acquire(3);
    limiter.acquire(4);

    assertThat(limiter.inflight(1)).isEqualTo(1);
    assertThat(limiter.inflight(3)).isEqualTo(2).isEqualTo(limiter.inflight(99));
  }

  @Test
  void samplesCarryTheTotalInFlight() {
    RecordingLimit limit = new RecordingLimit(10);
    PartitionedLimiter<String> limiter = halves(limit);
    limiter.acquire("a");
    Listener second = limiter.acquire("b");
    ticker.advanceNanos(3);

    second.onDropped();
    second.onSuccess();

    assertThat(limit.samples).containsExactly(new RecordingLimit.Sample(0, 3, 2, true));
    assertThat(limiter.snapshot()).isEqualTo(new PartitionedLimiter.Snapshot(10, 1));
  }

  @Test
  void builderRejectsBadConfiguration() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PartitionedLimiter.<String>builder("api", Limit.fixed(1)).share("a", 60).share("b", 50))
        .withMessage("shares: 110% (expected: a total <= 100%)");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PartitionedLimiter.<String>builder("api", Limit.fixed(1)).share("a", 0))
        .withMessage("percent: 0 (expected: 1 <= percent <= 100)");
    assertThatIllegalStateException()
        .isThrownBy(() -> PartitionedLimiter.<String>builder("api", Limit.fixed(1)).share("a", 10).share("a", 20))
        .withMessage("share(a) was already set (expected: set once)");
    assertThatIllegalStateException()
        .isThrownBy(() -> PartitionedLimiter.<String>builder("api", Limit.fixed(1)).share("a", 10).maxPartitions(4)
            .build())
        .withMessage("maxPartitions: 4 (expected: only with equal shares, i.e. no share(...) calls)");
  }
}
