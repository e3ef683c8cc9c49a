package dev.blastwall.balance;

import static dev.blastwall.testkit.PropertyCheck.forAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.RandomSource;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Round robin, weighted round robin, least outstanding and power of two choices, without timing. */
class SimpleSelectorsTest {

  private final FakeTicker ticker = new FakeTicker();
  private final RandomSource random = new SeededRandom(42);

  private List<Endpoint> endpoints(int... weights) {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      list.add(new Endpoint("10.0.0." + i + ":50051", weights[i], ticker));
    }
    return list;
  }

  private static Map<Endpoint, Integer> count(Selector selector, int picks) {
    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      Endpoint picked = Picks.pick(selector, null);
      counts.merge(picked, 1, Integer::sum);
    }
    return counts;
  }

  private static List<Endpoint> sequence(Selector selector, int picks) {
    List<Endpoint> sequence = new ArrayList<>();
    for (int i = 0; i < picks; i++) {
      Endpoint picked = Picks.pick(selector, null);
      sequence.add(picked);
    }
    return sequence;
  }

  @Test
  void everySelector_withNoEndpoints_picksNull() {
    for (String name : Selectors.names()) {
      Selector selector = Selectors.byName(name, ticker, random);
      assertThat(selector.pick("key")).as(name).isNull();
      selector.update(endpoints(1, 1));
      selector.update(List.of());
      assertThat(selector.pick("key")).as(name).isNull();
      assertThat(selector.endpoints()).as(name).isEmpty();
    }
  }

  @Test
  void everySelector_withOneEndpoint_picksIt() {
    for (String name : Selectors.names()) {
      Selector selector = Selectors.byName(name, ticker, random);
      List<Endpoint> one = endpoints(3);
      selector.update(one);
      for (int i = 0; i < 10; i++) {
        assertThat(selector.pick(i % 2 == 0 ? null : "key" + i)).as(name).isSameAs(one.get(0));
      }
    }
  }

  @Test
  void everySelector_rejectsDuplicateIds_andKeepsItsSnapshot() {
    for (String name : Selectors.names()) {
      Selector selector = Selectors.byName(name, ticker, random);
      List<Endpoint> before = endpoints(1, 1);
      selector.update(before);
      List<Endpoint> duplicated = List.of(before.get(0), new Endpoint(before.get(0).id(), ticker));

      assertThatIllegalArgumentException().isThrownBy(() -> selector.update(duplicated))
          .withMessage("endpoints: 10.0.0.0:50051 twice (expected: distinct ids)");
      assertThat(selector.endpoints()).as(name).containsExactlyElementsOf(before);
    }
  }

  @Test
  void update_copiesTheList() {
    Selector selector = new RoundRobinSelector(random);
    List<Endpoint> list = endpoints(1, 1);
    selector.update(list);
    list.clear();

    assertThat(selector.endpoints()).hasSize(2);
    assertThat(selector.pick(null)).isNotNull();
  }

  @Test
  void roundRobin_visitsEachEndpointInTurn_evenly() {
    Selector selector = new RoundRobinSelector(random);
    List<Endpoint> list = endpoints(1, 5, 1);
    selector.update(list);

    List<Endpoint> picks = sequence(selector, 3000);
    for (int i = 3; i < picks.size(); i++) {
      assertThat(picks.get(i)).isSameAs(picks.get(i - 3));
    }
    assertThat(count(selector, 3000)).containsOnlyKeys(list).allSatisfy((e, n) -> assertThat(n).isEqualTo(1000));
  }

  @Test
  void roundRobin_startOffset_comesFromTheRandomSource() {
    List<Endpoint> list = endpoints(1, 1, 1, 1);
    RoundRobinSelector first = new RoundRobinSelector(() -> 0.0);
    RoundRobinSelector later = new RoundRobinSelector(() -> 0.5);
    first.update(list);
    later.update(list);

    assertThat(first.pick(null)).isSameAs(list.get(0));
    assertThat(later.pick(null)).isNotSameAs(list.get(0));
  }

  @Test
  void weightedRoundRobin_weights123_exactProportionsOverEveryCycle_interleaved() {
    Selector selector = new WeightedRoundRobinSelector(() -> 0.0);
    List<Endpoint> list = endpoints(1, 2, 3);
    selector.update(list);
    Endpoint a = list.get(0);
    Endpoint b = list.get(1);
    Endpoint c = list.get(2);

    List<Endpoint> picks = sequence(selector, 600);
    assertThat(picks.subList(0, 6)).containsExactly(c, b, a, c, b, c);
    for (int start = 0; start + 6 <= picks.size(); start++) {
      Map<Endpoint, Integer> window = new HashMap<>();
      picks.subList(start, start + 6).forEach(e -> window.merge(e, 1, Integer::sum));
      assertThat(window).containsEntry(a, 1).containsEntry(b, 2).containsEntry(c, 3);
    }
  }

  @Test
  void weightedRoundRobin_commonFactor_shortensTheCycle() {
    List<Endpoint> list = endpoints(20, 40, 60);

    assertThat(WeightedRoundRobinSelector.cycle(list)).hasSize(6);
  }

  @Test
  void weightedRoundRobin_anyWeights_eachEndpointGetsExactlyItsWeightPerCycle() {
    forAll(0xB1A5L, 300, r -> {
      int size = r.nextInt(1, 12);
      int[] weights = new int[size];
      for (int i = 0; i < size; i++) {
        weights[i] = r.nextInt(8) == 0 ? Endpoint.MAX_WEIGHT : r.nextInt(1, 50);
      }
      return weights;
    }, weights -> {
      List<Endpoint> list = endpoints(weights);
      Endpoint[] cycle = WeightedRoundRobinSelector.cycle(list);
      long gcd = 0;
      for (int w : weights) {
        gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(w)).longValue();
      }
      Map<Endpoint, Integer> counts = new HashMap<>();
      for (Endpoint e : cycle) {
        counts.merge(e, 1, Integer::sum);
      }
      for (Endpoint e : list) {
        assertThat(counts.get(e)).as(e.id()).isEqualTo((int) (e.weight() / gcd));
      }
    });
  }

  @Test
  void weightedRoundRobin_hugeTotalWeight_isScaledToABoundedCycle_keepingProportions() {
    int[] weights = new int[300];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = i % 2 == 0 ? Endpoint.MAX_WEIGHT : Endpoint.MAX_WEIGHT - 1;
    }
    List<Endpoint> list = endpoints(weights);

    Endpoint[] cycle = WeightedRoundRobinSelector.cycle(list);

    assertThat(cycle.length).isBetween(WeightedRoundRobinSelector.MAX_CYCLE - 300,
        WeightedRoundRobinSelector.MAX_CYCLE + 300);
    Map<Endpoint, Integer> counts = new HashMap<>();
    for (Endpoint e : cycle) {
      counts.merge(e, 1, Integer::sum);
    }
    int fair = cycle.length / list.size();
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(fair - 2, fair + 2));
  }

  @Test
  void leastOutstanding_avoidsBusyEndpoints() {
    Selector selector = new LeastOutstandingSelector(random);
    List<Endpoint> list = endpoints(1, 1, 1, 1);
    selector.update(list);
    list.get(0).onStart();
    list.get(1).onStart();
    list.get(1).onStart();
    list.get(3).onStart();

    for (int i = 0; i < 100; i++) {
      assertThat(selector.pick(null)).isSameAs(list.get(2));
    }
  }

  @Test
  void leastOutstanding_keepsLoadLevel_whenCallsStayOpen() {
    Selector selector = new LeastOutstandingSelector(random);
    List<Endpoint> list = endpoints(1, 1, 1, 1, 1);
    selector.update(list);

    for (int i = 0; i < 100; i++) {
      Endpoint picked = Picks.pick(selector, null);
      picked.onStart();
    }

    assertThat(list).allSatisfy(e -> assertThat(e.outstanding()).isEqualTo(20));
  }

  @Test
  void leastOutstanding_ties_areSpreadByTheRandomStart() {
    Selector selector = new LeastOutstandingSelector(random);
    List<Endpoint> list = endpoints(1, 1, 1, 1);
    selector.update(list);

    Map<Endpoint, Integer> counts = count(selector, 4000);

    assertThat(counts).containsOnlyKeys(list).allSatisfy((e, n) -> assertThat(n).isBetween(800, 1200));
  }

  @Test
  void powerOfTwoChoices_lessOutstandingWins() {
    Selector selector = new PowerOfTwoChoicesSelector(random);
    List<Endpoint> list = endpoints(1, 1);
    selector.update(list);
    list.get(0).onStart();

    // With two endpoints both are always drawn, so the idle one always wins.
    for (int i = 0; i < 100; i++) {
      assertThat(selector.pick(null)).isSameAs(list.get(1));
    }
  }

  @Test
  void powerOfTwoChoices_drawsTwoDistinctEndpoints_evenWithAStuckRandomSource() {
    List<Endpoint> list = endpoints(1, 1, 1);
    list.get(0).onStart();
    for (double stuck : new double[] {0.0, 0.5, Math.nextDown(1.0)}) {
      Selector selector = new PowerOfTwoChoicesSelector(() -> stuck);
      selector.update(list);
      // Drawing the same endpoint twice would return the busy one when the draw lands on it.
      assertThat(selector.pick(null)).isNotSameAs(list.get(0));
    }
  }

  @Test
  void powerOfTwoChoices_idleEndpoints_shareEvenly() {
    Selector selector = new PowerOfTwoChoicesSelector(random);
    List<Endpoint> list = endpoints(1, 1, 1, 1);
    selector.update(list);

    assertThat(count(selector, 4000)).containsOnlyKeys(list)
        .allSatisfy((e, n) -> assertThat(n).isBetween(800, 1200));
  }
}
