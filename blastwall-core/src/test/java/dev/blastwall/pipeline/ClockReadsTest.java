package dev.blastwall.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.context.Idempotency;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A clock reading costs more than the rest of a guarded call, so the pipeline reads the clock only for what the
 * configured policies need: a breaker that does not time calls and a retry budget need no reading on a
 * successful call; a breaker with a slow-call duration needs the attempt's start and end.
 */
class ClockReadsTest {

  /** A fake ticker that counts how often it is read. */
  private static final class CountingTicker implements Ticker {
    final FakeTicker time = new FakeTicker(Duration.ofSeconds(3).toNanos());
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public long nanos() {
      reads.incrementAndGet();
      return time.nanos();
    }
  }

  private final CountingTicker ticker = new CountingTicker();

  private int readsPerCall(Pipeline pipeline) throws Exception {
    pipeline.call(() -> "warm-up");
    int before = ticker.reads.get();
    assertThat(pipeline.call(() -> "ok")).isEqualTo("ok");
    return ticker.reads.get() - before;
  }

  private Pipeline.Builder idempotent() {
    return Pipeline.builder("ledger").ticker(ticker).idempotency(Idempotency.IDEMPOTENT);
  }

  @Test
  void aBreakerWithoutSlowCallsReadsNoClock() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder("ledger").ticker(ticker).build();
    assertThat(breaker.timesCalls()).isFalse();

    assertThat(readsPerCall(idempotent().circuitBreaker(breaker).build())).isZero();
  }

  @Test
  void aBreakerThatCountsSlowCallsTimesEachAttempt() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder("ledger").ticker(ticker)
        .slowCallDuration(Duration.ofMillis(100)).build();
    assertThat(breaker.timesCalls()).isTrue();
    assertThat(CircuitBreaker.builder("ledger").ticker(ticker).slowCallRateThreshold(50).build().timesCalls())
        .isTrue();

    assertThat(readsPerCall(idempotent().circuitBreaker(breaker).build())).as("start and end").isEqualTo(2);
  }

  @Test
  void slowCallsAreStillCountedWhenConfigured() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.builder("ledger").ticker(ticker)
        .slowCallDuration(Duration.ofMillis(100)).build();
    Pipeline pipeline = idempotent().circuitBreaker(breaker).build();

    pipeline.call(() -> {
      ticker.time.advance(Duration.ofMillis(150));
      return "slow";
    });

    assertThat(breaker.snapshot().slowCalls()).isEqualTo(1);
  }

  @Test
  void retriesWithABudgetReadNoClockOnASuccessfulCall() throws Exception {
    Pipeline pipeline = idempotent()
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build()).build();

    // The budget dates its deposits in batches; a call reads the clock at most when its batch is due, and a
    // burst of calls at one instant settles into batches. Averaged over many calls the cost is far below one read.
    pipeline.call(() -> "warm-up");
    int before = ticker.reads.get();
    for (int i = 0; i < 10_000; i++) {
      ticker.time.advance(Duration.ofNanos(100));
      pipeline.call(() -> "ok");
    }
    assertThat(ticker.reads.get() - before).as("clock reads for 10,000 calls").isLessThan(1_000);
  }
}
