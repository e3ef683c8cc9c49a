package dev.blastwall.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests are dated in batches by occasional flushes instead of each reading the clock. These tests pin what
 * that may and may not change: counts stay exact for every retry decision and balance, only the dating of
 * requests moves, and by no more than the class documents.
 */
class RatioRetryBudgetBatchingTest {

  /** With the default 10 s window a slot is 1 s, so one request per microsecond is far above the cap rate. */
  private static final long MICROSECOND = 1_000;

  private static final int BURST = 100_000;

  private static final int LARGEST_MASK = RatioRetryBudget.MAX_FLUSH_INTERVAL - 1;

  private final FakeTicker ticker = new FakeTicker();

  private final RatioRetryBudget budget =
      RetryBudget.ratio().percentCanRetry(1.0).minRetriesPerSecond(0).ticker(ticker).build();

  @Test
  void aTickerThatDoesNotMoveKeepsEveryRequestFlushing() {
    for (int i = 1; i <= 10_000; i++) {
      budget.onRequest();
      assertThat(budget.datedCount()).as("request %d", i).isEqualTo(i);
    }
    assertThat(budget.flushMask()).isZero();
  }

  @Test
  void aFastBurstDefersTheDatingYetBalanceCountsEveryRequest() {
    assertThat(budget.flushMask()).isZero();

    int seenPending = burst();

    // 62,500 requests per 1/16 slot at this rate: the interval sits at its cap.
    assertThat(budget.flushMask()).isEqualTo(LARGEST_MASK);
    // About 1023 requests in 1024 found requests still waiting for a flush; with a flush each, none would.
    assertThat(seenPending).isGreaterThan(90_000);
    assertThat(budget.balance()).isEqualTo((double) BURST);
    assertThat(budget.datedCount()).isEqualTo(BURST);
    assertThat(budget.requestedCount()).isEqualTo(BURST);
  }

  @Test
  void requestsAfterABurstCountForTheNextRetryEvenIfNoneOfThemFlushed() {
    burst();
    assertThat(budget.balance()).isEqualTo((double) BURST);
    ticker.advance(Duration.ofSeconds(10));
    assertThat(budget.balance()).isZero();
    assertThat(budget.flushMask()).isEqualTo(LARGEST_MASK);

    // Most likely none of these five flushes; the retries must see them all the same.
    RatioRetryBudgetTest.requests(budget, 5);
    for (int i = 1; i <= 5; i++) {
      assertThat(budget.tryAcquireRetry()).as("retry %d", i).isTrue();
    }
    assertThat(budget.tryAcquireRetry()).as("retry 6").isFalse();
    // Five requests in 10 s is a slow rate: every request flushes again.
    assertThat(budget.flushMask()).isZero();
  }

  @Test
  void aBurstDatedInOneSlotExpiresOneWindowAfterThatSlotStarts() {
    ticker.advance(Duration.ofMillis(500));
    burst();
    // The burst ran from 0.5 s to 0.6 s; this flush dates what was pending at 0.6 s, still in slot [0 s, 1 s).
    assertThat(budget.balance()).isEqualTo((double) BURST);

    // So every request counts until 10 s and not after: between 9.4 s and 9.5 s, inside [0.9, 1] window.
    ticker.advanceNanos(Duration.ofMillis(9_400).toNanos() - 1);
    assertThat(budget.balance()).isEqualTo((double) BURST);
    ticker.advanceNanos(1);
    assertThat(budget.balance()).isZero();
  }

  @Test
  void requestsStillPendingWhenTrafficStopsAreDatedAtTheNextFlush() {
    burst();
    long pending = budget.requestedCount() - budget.datedCount();
    // Geometric with mean 1024: over 20,000 has odds of about e^-19.5.
    assertThat(pending).isBetween(0L, 20_000L);

    // The next flush, 5 s later, dates the pending ones into slot 5: they outlive the burst by those 5 s, and
    // that is all the budget gives away.
    ticker.advance(Duration.ofSeconds(5));
    assertThat(budget.balance()).isEqualTo((double) BURST);
    ticker.advance(Duration.ofMillis(4_900));
    assertThat(budget.balance()).isEqualTo((double) pending);
    ticker.advance(Duration.ofSeconds(5));
    assertThat(budget.balance()).isZero();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void concurrentDepositsAndFlushesNeitherLoseNorInventRequests() throws Exception {
    // A thousandth of a retry per request and no floor: one lost or doubled request changes the final count.
    RatioRetryBudget shared =
        RetryBudget.ratio().percentCanRetry(0.001).minRetriesPerSecond(0).ticker(ticker).build();
    int depositors = 4;
    int withdrawers = 3;
    int requestsEach = 300_000;
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch depositing = new CountDownLatch(depositors);
    List<Future<Long>> deposited = new ArrayList<>();
    List<Future<Long>> withdrawn = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(depositors + withdrawers + 1)) {
      for (int d = 0; d < depositors; d++) {
        boolean withReading = d % 2 == 0;
        deposited.add(
            pool.submit(
                () -> {
                  start.await();
                  // 100 ns per request, 120 ms in all: the rate keeps the interval at its cap, and everything
                  // stays in the first slot so nothing expires and the totals are exact.
                  for (int i = 0; i < requestsEach; i++) {
                    ticker.advanceNanos(100);
                    if (withReading) {
                      shared.onRequest(ticker, ticker.nanos());
                    } else {
                      shared.onRequest();
                    }
                  }
                  depositing.countDown();
                  return (long) requestsEach;
                }));
      }
      // Every retry flushes, so these threads race each other and the depositors' flushes for each batch.
      for (int w = 0; w < withdrawers; w++) {
        withdrawn.add(
            pool.submit(
                () -> {
                  start.await();
                  long granted = 0;
                  while (depositing.getCount() > 0) {
                    if (shared.tryAcquireRetry()) {
                      granted++;
                    }
                  }
                  return granted;
                }));
      }
      Future<Long> watcher =
          pool.submit(
              () -> {
                start.await();
                long largestMask = 0;
                do {
                  // Dated first: requested only grows, so a later sum must cover every dated request.
                  long dated = shared.datedCount();
                  assertThat(dated).isLessThanOrEqualTo(shared.requestedCount());
                  largestMask = Math.max(largestMask, shared.flushMask());
                  assertThat(shared.accountUnits()).isNotNegative();
                } while (depositing.getCount() > 0);
                // Also once all deposits are in, in case this thread was hardly scheduled while they ran.
                return Math.max(largestMask, shared.flushMask());
              });
      start.countDown();

      long requests = 0;
      for (Future<Long> result : deposited) {
        requests += result.get();
      }
      long granted = 0;
      for (Future<Long> result : withdrawn) {
        granted += result.get();
      }
      assertThat(watcher.get()).isEqualTo(LARGEST_MASK);

      assertThat(shared.requestedCount()).isEqualTo(requests).isEqualTo((long) depositors * requestsEach);
      long left = RatioRetryBudgetTest.acquireAll(shared);
      assertThat(shared.datedCount()).isEqualTo(requests);
      assertThat(granted + left).isEqualTo(requests / 1000);
      assertThat(shared.accountUnits()).isZero();
    }
  }

  /**
   * {@value #BURST} requests one microsecond apart, with no retry or balance in between; returns how many of
   * them found requests still waiting to be dated.
   */
  private int burst() {
    int seenPending = 0;
    for (int i = 0; i < BURST; i++) {
      ticker.advanceNanos(MICROSECOND);
      budget.onRequest();
      if (budget.datedCount() < budget.requestedCount()) {
        seenPending++;
      }
    }
    return seenPending;
  }
}
