package dev.blastwall.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.blastwall.testing.FakeTicker;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorsTest {

  private final FakeTicker ticker = new FakeTicker();
  private final SeededRandom random = new SeededRandom(1);

  @Test
  void byName_createsEachPolicy_whoseNameRoundTrips() {
    Map<String, Class<? extends Selector>> expected = Map.of(
        "round_robin", RoundRobinSelector.class,
        "weighted_round_robin", WeightedRoundRobinSelector.class,
        "least_request", LeastOutstandingSelector.class,
        "p2c", PowerOfTwoChoicesSelector.class,
        "peak_ewma", PeakEwmaSelector.class,
        "ring_hash", ConsistentHashSelector.class);

    assertThat(Selectors.names()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    expected.forEach((name, type) -> {
      Selector selector = Selectors.byName(name, ticker, random);
      assertThat(selector).isExactlyInstanceOf(type);
      assertThat(selector.name()).isEqualTo(name);
    });
  }

  @Test
  void byName_unknown_isRejectedListingTheKnownNames() {
    assertThatIllegalArgumentException().isThrownBy(() -> Selectors.byName("pick_first", ticker, random))
        .withMessage("name: pick_first (expected: one of round_robin, weighted_round_robin, least_request, p2c, "
            + "peak_ewma, ring_hash)");
  }
}
