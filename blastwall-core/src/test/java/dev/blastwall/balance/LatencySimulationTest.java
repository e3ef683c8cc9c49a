package dev.blastwall.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.RandomSource;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Load-aware selectors against one endpoint ten times slower than its peers, in fake time: requests arrive at a
 * fixed rate, each call's latency is drawn around its endpoint's mean, and a small event loop completes calls when
 * their latency has passed.
 */
class LatencySimulationTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final int REQUESTS = 20_000;

  private record Completion(long atNanos, Endpoint endpoint, long latencyNanos) {}

  private final FakeTicker ticker = new FakeTicker();
  private final RandomSource random = new SeededRandom(7);

  /**
   * Runs the simulation over three new endpoints, the last one slow (round robin would send it a third of the
   * traffic), and returns the share of picks that went to the slow one.
   */
  private double slowShare(Selector selector, long arrivalIntervalNanos) {
    List<Endpoint> endpoints = List.of(
        new Endpoint("fast-1", ticker), new Endpoint("fast-2", ticker), new Endpoint("slow", ticker));
    Endpoint slow = endpoints.get(2);
    selector.update(endpoints);
    PriorityQueue<Completion> pending = new PriorityQueue<>(Comparator.comparingLong(Completion::atNanos));
    int slowPicks = 0;
    long start = ticker.nanos();
    for (int i = 0; i < REQUESTS; i++) {
      long arrival = start + (i + 1) * arrivalIntervalNanos;
      while (!pending.isEmpty() && pending.peek().atNanos() <= arrival) {
        Completion done = pending.remove();
        ticker.advanceNanos(done.atNanos() - ticker.nanos());
        done.endpoint().onComplete(done.latencyNanos(), true);
      }
      ticker.advanceNanos(arrival - ticker.nanos());
      Endpoint picked = Picks.pick(selector, null);
      picked.onStart();
      // Uniform in [0.5, 1.5] x the endpoint's mean.
      long latency = (long) ((picked == slow ? 100 * MS : 10 * MS) * (0.5 + random.nextDouble()));
      pending.add(new Completion(arrival + latency, picked, latency));
      if (picked == slow) {
        slowPicks++;
      }
    }
    while (!pending.isEmpty()) {
      Completion done = pending.remove();
      ticker.advanceNanos(done.atNanos() - ticker.nanos());
      done.endpoint().onComplete(done.latencyNanos(), true);
    }
    assertThat(endpoints).allSatisfy(e -> assertThat(e.outstanding()).isZero());
    return (double) slowPicks / REQUESTS;
  }

  @Test
  void roundRobin_baseline_sendsTheSlowEndpointAThird() {
    assertThat(slowShare(new RoundRobinSelector(random), 2 * MS)).isCloseTo(1.0 / 3, within(0.01));
  }

  @Test
  void powerOfTwoChoices_sendsAtLeast80PercentAwayFromTheSlowEndpoint() {
    assertThat(slowShare(new PowerOfTwoChoicesSelector(random), 2 * MS)).isLessThanOrEqualTo(0.2);
  }

  @Test
  void peakEwma_sendsAtLeast80PercentAwayFromTheSlowEndpoint() {
    assertThat(slowShare(new PeakEwmaSelector(ticker, random), 2 * MS)).isLessThanOrEqualTo(0.2);
  }

  @Test
  void peakEwma_atLightLoad_avoidsTheSlowEndpointWhereOutstandingCountsCannotTell() {
    // One request every 200 ms: calls never overlap, so outstanding counts are zero at every pick and only the
    // latency estimate tells the endpoints apart.
    double p2c = slowShare(new PowerOfTwoChoicesSelector(random), 200 * MS);
    double ewma = slowShare(new PeakEwmaSelector(ticker, random), 200 * MS);

    assertThat(p2c).isCloseTo(1.0 / 3, within(0.02));
    assertThat(ewma).isLessThanOrEqualTo(0.2);
  }
}
