package dev.blastwall.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads on one budget. Unless a test says otherwise the fake ticker never moves, so nothing expires and the
 * arithmetic is exact: any lost update or double withdrawal changes the totals. Everything here must pass every time;
 * a flaky failure is a real race.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetryBudgetStressTest {

  private static final int THREADS = 16;
  private static final int OPERATIONS = 100_000;

  /** What one worker saw. */
  private record Tally(long requests, long granted, double lowestBalance, double highestBalance) {}

  @Test
  void ratioBudgetNeverGrantsMoreThanItsShareNorGoesNegative() throws Exception {
    RatioRetryBudget budget = RetryBudget.ratio().ticker(new FakeTicker()).build();

    List<Tally> tallies =
        runConcurrently(
            index -> {
              long requests = 0;
              long granted = 0;
              double lowest = Double.MAX_VALUE;
              double highest = 0;
              for (int i = 0; i < OPERATIONS; i++) {
                // A quarter requests, most of the rest retries: far more asked than allowed, so the balance sits at
                // zero and threads race for each retry as it becomes available.
                switch (i % 8) {
                  case 0, 1 -> {
                    budget.onRequest();
                    requests++;
                  }
                  case 7 -> {
                    if ((i & 8) == 0) {
                      budget.onAttemptFailed();
                    } else {
                      budget.onAttemptSucceeded();
                    }
                  }
                  default -> {
                    if (budget.tryAcquireRetry()) {
                      granted++;
                    }
                  }
                }
                if (i % 8 == 3) {
                  // balance() stops at zero, so look at the raw account too.
                  double balance = budget.balance();
                  double account = (double) budget.accountUnits() / RatioRetryBudget.UNITS_PER_RETRY;
                  lowest = Math.min(lowest, Math.min(balance, account));
                  highest = Math.max(highest, balance);
                }
              }
              return new Tally(requests, granted, lowest, highest);
            });

    long requests = tallies.stream().mapToLong(Tally::requests).sum();
    long granted = tallies.stream().mapToLong(Tally::granted).sum();
    // 10% of the requests plus the 10 s * 10/s floor, in whole retries.
    long allowed = requests / 10 + 100;
    assertThat(requests).isEqualTo((long) THREADS * OPERATIONS / 4);
    assertThat(granted).isLessThanOrEqualTo(allowed);
    assertThat(tallies).allSatisfy(tally -> assertThat(tally.lowestBalance()).isGreaterThanOrEqualTo(0.0));

    // Whatever is left must be exactly what was not granted: nothing lost, nothing spent twice.
    int leftOver = RatioRetryBudgetTest.acquireAll(budget);
    assertThat(granted + leftOver).isEqualTo(allowed);
    assertThat(budget.balance()).isBetween(0.0, 1.0);
  }

  @Test
  void ratioBudgetGrantsExactlyWhatIsThereWhenThreadsRaceForTheLastRetries() throws Exception {
    RatioRetryBudget budget = RetryBudget.ratio().ticker(new FakeTicker()).build();
    int rounds = 2_000;
    // 16 threads x 5 requests at 10%: exactly 8 retries per round for 16 threads to fight over.
    int requestsPerThread = 5;
    AtomicLongArray grantedPerRound = new AtomicLongArray(rounds);
    CyclicBarrier barrier = new CyclicBarrier(THREADS);

    runConcurrently(
        index -> {
          for (int round = 0; round < rounds; round++) {
            RatioRetryBudgetTest.requests(budget, requestsPerThread);
            barrier.await();
            int granted = RatioRetryBudgetTest.acquireAll(budget);
            grantedPerRound.addAndGet(round, granted);
            barrier.await();
          }
          return index;
        });

    // The first round also spends the 100-retry floor; nothing expires, so it is never refilled.
    assertThat(grantedPerRound.get(0)).isEqualTo(100 + 8);
    for (int round = 1; round < rounds; round++) {
      assertThat(grantedPerRound.get(round)).as("round %d", round).isEqualTo(8);
    }
    assertThat(budget.accountUnits()).isZero();
  }

  @Test
  void stripedDepositsFromManyThreadsAllCountWhileOthersWithdraw() throws Exception {
    FakeTicker ticker = new FakeTicker();
    // A request is worth a thousandth of a retry and there is no floor, so every lost or doubled request shows.
    RatioRetryBudget budget =
        RetryBudget.ratio().percentCanRetry(0.001).minRetriesPerSecond(0).ticker(ticker).build();
    long now = ticker.nanos();

    // Half the threads deposit (through both entry points), half withdraw as fast as they can meanwhile.
    List<Long> counts =
        runConcurrently(
            index -> {
              long count = 0;
              for (int i = 0; i < OPERATIONS; i++) {
                if (index % 2 == 0) {
                  if (i % 2 == 0) {
                    budget.onRequest();
                  } else {
                    budget.onRequest(ticker, now);
                  }
                  count++;
                } else if (budget.tryAcquireRetry()) {
                  count++;
                }
              }
              return count;
            });

    long requests = 0;
    long granted = 0;
    for (int index = 0; index < THREADS; index++) {
      if (index % 2 == 0) {
        requests += counts.get(index);
      } else {
        granted += counts.get(index);
      }
    }
    assertThat(requests).isEqualTo((long) THREADS / 2 * OPERATIONS);
    // Exactly one retry per thousand requests, whether taken during the run or after it.
    assertThat(granted + RatioRetryBudgetTest.acquireAll(budget)).isEqualTo(requests / 1000);
    assertThat(budget.accountUnits()).isZero();
  }

  @RepeatedTest(2)
  void ratioBudgetExpiresEveryDepositAndWithdrawalExactlyOnceWhileTimeMoves() throws Exception {
    FakeTicker ticker = new FakeTicker(Long.MAX_VALUE - Duration.ofSeconds(30).toNanos());
    Duration window = Duration.ofSeconds(1);
    RatioRetryBudget budget = RetryBudget.ratio().window(window).ticker(ticker).build();

    // Every thread also moves time on, so slots (100 ms each) keep expiring while all threads are busy: a whole
    // window passes every 800 operations, about 20,000 slot changes in all, so some threads are caught holding a
    // slot that expires under them.
    List<Long> granted =
        runConcurrently(
            index -> {
              long retries = 0;
              for (int i = 0; i < OPERATIONS; i++) {
                if (i % 4 == 0) {
                  budget.onRequest();
                } else if (budget.tryAcquireRetry()) {
                  retries++;
                }
                if (i % 4 == 0) {
                  ticker.advance(Duration.ofMillis(5));
                }
              }
              return retries;
            });

    // Withdrawals really happened (so their expiry was exercised too).
    assertThat(granted.stream().mapToLong(Long::longValue).sum()).isGreaterThan(10_000);
    // Once a whole window has passed, only the 10-retry reserve is left: no slot was lost or subtracted twice.
    ticker.advance(window);
    assertThat(budget.accountUnits()).isEqualTo(10 * RatioRetryBudget.UNITS_PER_RETRY);
    assertThat(budget.balance()).isEqualTo(10.0);
  }

  @Test
  void throttleKeepsExactCountUnderContention() throws Exception {
    RetryThrottle throttle = RetryThrottle.of(1000, 1.0);

    // Each thread fails then succeeds, so at most one token per thread is out at a time: no clamping ever applies
    // and the count must come back to exactly full.
    List<Tally> tallies =
        runConcurrently(
            index -> {
              long granted = 0;
              double lowest = Double.MAX_VALUE;
              double highest = 0;
              for (int i = 0; i < OPERATIONS / 2; i++) {
                throttle.onAttemptFailed();
                if (throttle.tryAcquireRetry()) {
                  granted++;
                }
                double balance = throttle.balance();
                lowest = Math.min(lowest, balance);
                highest = Math.max(highest, balance);
                throttle.onAttemptSucceeded();
              }
              return new Tally(0, granted, lowest, highest);
            });

    assertThat(throttle.balance()).isEqualTo(1000.0);
    assertThat(tallies)
        .allSatisfy(
            tally -> {
              assertThat(tally.granted()).isEqualTo(OPERATIONS / 2);
              assertThat(tally.lowestBalance()).isGreaterThanOrEqualTo(1000.0 - THREADS);
              assertThat(tally.highestBalance()).isLessThanOrEqualTo(999.0);
            });
  }

  @Test
  void throttleStaysWithinBoundsUnderContention() throws Exception {
    RetryThrottle throttle = RetryThrottle.of(10, 0.5);

    // Half the threads mostly fail, half mostly succeed, so the count keeps hitting both clamps.
    List<Tally> tallies =
        runConcurrently(
            index -> {
              boolean failing = index % 2 == 0;
              double lowest = Double.MAX_VALUE;
              double highest = 0;
              long granted = 0;
              for (int i = 0; i < OPERATIONS; i++) {
                boolean fail = (i % 4 == 0) != failing;
                if (fail) {
                  throttle.onAttemptFailed();
                } else {
                  throttle.onAttemptSucceeded();
                }
                if (throttle.tryAcquireRetry()) {
                  granted++;
                }
                double balance = throttle.balance();
                lowest = Math.min(lowest, balance);
                highest = Math.max(highest, balance);
              }
              return new Tally(0, granted, lowest, highest);
            });

    assertThat(tallies)
        .allSatisfy(
            tally -> {
              assertThat(tally.lowestBalance()).isGreaterThanOrEqualTo(0.0);
              assertThat(tally.highestBalance()).isLessThanOrEqualTo(10.0);
            });
    double tokens = throttle.balance();
    assertThat(tokens).isBetween(0.0, 10.0);
    // Only whole failures and half-token successes, clamped at 0 and 10: always a multiple of one half.
    assertThat(tokens * 2).isEqualTo(Math.rint(tokens * 2));
  }

  /** One thread's share of the work; {@code index} tells the threads apart. */
  @FunctionalInterface
  private interface Worker<T> {
    T run(int index) throws Exception;
  }

  /** Runs {@code worker} on {@value #THREADS} threads released together; returns what each returned. */
  private static <T> List<T> runConcurrently(Worker<T> worker) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<T>> gated = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int index = t;
      gated.add(
          () -> {
            start.await();
            return worker.run(index);
          });
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : gated) {
        futures.add(pool.submit(task));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get());
      }
      return results;
    }
  }
}
