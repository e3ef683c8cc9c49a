package dev.blastwall.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testing.FakeTicker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PeakEwmaSelectorTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private final FakeTicker ticker = new FakeTicker();
  private final PeakEwmaSelector selector = new PeakEwmaSelector(ticker, new SeededRandom(3));
  private final Endpoint a = new Endpoint("a", ticker);
  private final Endpoint b = new Endpoint("b", ticker);

  private static void call(Endpoint endpoint, long latencyNanos) {
    endpoint.onStart();
    endpoint.onComplete(latencyNanos, true);
  }

  @Test
  void lowerCost_wins_whereCostIsLatencyTimesOutstandingPlusOne() {
    selector.update(List.of(a, b));
    call(a, 10 * MS);
    call(b, 30 * MS);
    a.onStart();
    a.onStart();

    // a: 10 ms x 3 = 30 ms against b: 30 ms x 1; one more call on a tips it.
    assertThat(Picks.pick(selector, null)).isSameAs(a);
    a.onStart();
    assertThat(Picks.pick(selector, null)).isSameAs(b);
  }

  @Test
  void latencySpike_redirectsTheNextPickAtOnce() {
    selector.update(List.of(a, b));
    call(a, 10 * MS);
    call(b, 20 * MS);
    assertThat(Picks.pick(selector, null)).isSameAs(a);

    ticker.advanceNanos(MS);
    call(a, 200 * MS);

    assertThat(Picks.pick(selector, null)).isSameAs(b);
  }

  @Test
  void newEndpoint_withoutSamples_isTriedAtOnce() {
    call(a, MS);
    selector.update(List.of(a, b));

    assertThat(Picks.pick(selector, null)).isSameAs(b);
  }

  @Test
  void newEndpoint_withoutSamples_isNotFloodedBeforeItsFirstResponse() {
    call(a, MS);
    a.onStart();
    selector.update(List.of(a, b));

    // Outstanding counts decide until b has a sample: b takes calls only while it is no busier than a.
    Endpoint first = Picks.pick(selector, null);
    assertThat(first).isSameAs(b);
    b.onStart();
    b.onStart();
    assertThat(Picks.pick(selector, null)).isSameAs(a);
  }

  @Test
  void shunnedEndpoint_isProbedAgainAfterIdleDecay() {
    selector.update(List.of(a, b));
    call(a, 10 * MS);
    call(b, 100 * MS);
    assertThat(Picks.pick(selector, null)).isSameAs(a);

    // a keeps answering in 10 ms; b, never picked, decays from 100 ms below 10 ms after ln(10) tau (about 23 s).
    for (int second = 0; second < 30; second++) {
      ticker.advanceNanos(TimeUnit.SECONDS.toNanos(1));
      call(a, 10 * MS);
    }

    assertThat(Picks.pick(selector, null)).isSameAs(b);
  }
}
