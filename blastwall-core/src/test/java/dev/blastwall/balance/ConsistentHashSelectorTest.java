package dev.blastwall.balance;

import static dev.blastwall.testkit.PropertyCheck.forAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.blastwall.testing.FakeTicker;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConsistentHashSelectorTest {

  private final FakeTicker ticker = new FakeTicker();

  private List<Endpoint> endpoints(int count) {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      list.add(new Endpoint("10.0.0." + i + ":50051", ticker));
    }
    return list;
  }

  private static List<String> keys(int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add("user-" + i);
    }
    return keys;
  }

  private static Map<String, Endpoint> owners(Selector selector, List<String> keys) {
    Map<String, Endpoint> owners = new HashMap<>();
    for (String key : keys) {
      owners.put(key, Picks.pick(selector, key));
    }
    return owners;
  }

  private static long moved(Map<String, Endpoint> before, Map<String, Endpoint> after) {
    return before.keySet().stream().filter(k -> before.get(k) != after.get(k)).count();
  }

  @Test
  void sameKey_sameEndpoint_evenAcrossSelectorsListingEndpointsInAnotherOrder() {
    List<Endpoint> list = endpoints(10);
    ConsistentHashSelector selector = new ConsistentHashSelector(new SeededRandom(1));
    selector.update(list);
    List<Endpoint> shuffled = new ArrayList<>(list);
    Collections.shuffle(shuffled, new Random(5));
    ConsistentHashSelector other = new ConsistentHashSelector(new SeededRandom(2));
    other.update(shuffled);

    for (String key : keys(1000)) {
      Endpoint owner = Picks.pick(selector, key);
      assertThat(Picks.pick(selector, key)).isSameAs(owner);
      assertThat(Picks.pick(other, key)).isSameAs(owner);
    }
  }

  @Test
  void keys_spreadOverAllEndpoints_inProportionToWeight() {
    List<Endpoint> list = List.of(new Endpoint("light", 1, ticker), new Endpoint("heavy", 3, ticker));
    ConsistentHashSelector selector = new ConsistentHashSelector(new SeededRandom(1));
    selector.update(list);

    Map<Endpoint, Integer> counts = new HashMap<>();
    owners(selector, keys(10_000)).values().forEach(e -> counts.merge(e, 1, Integer::sum));

    assertThat(counts.get(list.get(0))).isBetween(1_750, 3_250);
    assertThat(counts.get(list.get(1))).isBetween(6_750, 8_250);
  }

  @Test
  void addingOneEndpointToTen_movesBetween5And15PercentOfKeys_allToTheNewOne() {
    List<Endpoint> ten = endpoints(10);
    List<Endpoint> eleven = new ArrayList<>(ten);
    Endpoint added = new Endpoint("10.0.0.10:50051", ticker);
    eleven.add(added);
    ConsistentHashSelector selector = new ConsistentHashSelector(new SeededRandom(1));
    List<String> keys = keys(10_000);

    selector.update(ten);
    Map<String, Endpoint> before = owners(selector, keys);
    selector.update(eleven);
    Map<String, Endpoint> after = owners(selector, keys);

    assertThat(moved(before, after)).isBetween(500L, 1_500L);
    for (String key : keys) {
      if (before.get(key) != after.get(key)) {
        assertThat(after.get(key)).isSameAs(added);
      }
    }
  }

  @Test
  void membershipChange_movesOnlyTheKeysOfTheEndpointRemoved_orToTheEndpointAdded() {
    List<Endpoint> pool = endpoints(40);
    List<String> keys = keys(500);
    forAll(0xC0FFEEL, 200, (SplittableRandom r) -> {
      List<Endpoint> shuffled = new ArrayList<>(pool);
      Collections.shuffle(shuffled, new Random(r.nextLong()));
      int size = r.nextInt(1, 21);
      return new Membership(List.copyOf(shuffled.subList(0, size)), shuffled.get(size));
    }, membership -> {
      ConsistentHashSelector selector = new ConsistentHashSelector(new SeededRandom(9));
      List<Endpoint> with = new ArrayList<>(membership.members());
      with.add(membership.extra());
      selector.update(membership.members());
      Map<String, Endpoint> without = owners(selector, keys);
      selector.update(with);
      Map<String, Endpoint> withExtra = owners(selector, keys);

      // Read one way it is an addition, the other a removal: either way only the extra endpoint's keys move.
      for (String key : keys) {
        if (withExtra.get(key) != membership.extra()) {
          assertThat(without.get(key)).as(key).isSameAs(withExtra.get(key));
        }
      }
    });
  }

  private record Membership(List<Endpoint> members, Endpoint extra) {
    @Override
    public String toString() {
      return members.stream().map(Endpoint::id).toList() + " + " + extra.id();
    }
  }

  @Test
  void removingOne_movesOnlyItsOwnKeys_toTheSurvivors() {
    List<Endpoint> list = endpoints(10);
    Endpoint removed = list.get(4);
    List<Endpoint> rest = new ArrayList<>(list);
    rest.remove(removed);
    ConsistentHashSelector selector = new ConsistentHashSelector(new SeededRandom(1));
    List<String> keys = keys(10_000);

    selector.update(list);
    Map<String, Endpoint> before = owners(selector, keys);
    selector.update(rest);
    Map<String, Endpoint> after = owners(selector, keys);

    long owned = before.values().stream().filter(e -> e == removed).count();
    assertThat(moved(before, after)).isEqualTo(owned);
    assertThat(after.values()).doesNotContain(removed);
  }

  @Test
  void emptyList_picksNull() {
    ConsistentHashSelector selector = new ConsistentHashSelector(new SeededRandom(1));
    assertThat(selector.pick("key")).isNull();
    selector.update(endpoints(3));
    selector.update(List.of());
    assertThat(selector.pick("key")).isNull();
    assertThat(selector.pick(null)).isNull();
  }

  @Test
  void nullKey_isSpreadAtRandom() {
    List<Endpoint> list = endpoints(4);
    ConsistentHashSelector selector = new ConsistentHashSelector(new SeededRandom(1));
    selector.update(list);

    Set<Endpoint> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      seen.add(Picks.pick(selector, null));
    }

    assertThat(seen).containsExactlyInAnyOrderElementsOf(list);
  }

  @Test
  void hash_usesContents_forStringsAndBytes() {
    assertThat(ConsistentHashSelector.hash("abc")).isEqualTo(ConsistentHashSelector.hash(CharBuffer.wrap("abc")));
    assertThat(ConsistentHashSelector.hash(new byte[] {1, 2})).isEqualTo(ConsistentHashSelector.hash(new byte[] {1, 2}));
    assertThat(ConsistentHashSelector.hash("abc")).isNotEqualTo(ConsistentHashSelector.hash("abd"));
  }

  @Test
  void hugeRing_isScaledDown_andEveryEndpointKeepsAPoint() {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      list.add(new Endpoint("big-" + i, Endpoint.MAX_WEIGHT, ticker));
    }
    list.add(new Endpoint("small", 1, ticker));
    ConsistentHashSelector selector = new ConsistentHashSelector(new SeededRandom(1));

    selector.update(list);

    Set<Endpoint> seen = new HashSet<>(owners(selector, keys(10_000)).values());
    assertThat(seen).hasSizeGreaterThanOrEqualTo(20);
  }

  @Test
  void badVirtualNodeCount_isRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> new ConsistentHashSelector(0, new SeededRandom(1)))
        .withMessage("virtualNodesPerWeight: 0 (expected: 1 <= virtualNodesPerWeight <= 1048576)");
  }
}
