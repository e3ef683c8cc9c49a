package dev.blastwall.lab.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The fault proxies' randomness follows from the run seed. */
class SeededRandomTest {

  @Test
  void theSameSeedGivesTheSameValuesAndAnotherSeedOthers() {
    SeededRandom first = new SeededRandom(42);
    SeededRandom again = new SeededRandom(42);
    SeededRandom other = new SeededRandom(43);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
      double value = first.nextDouble();
      assertThat(again.nextDouble()).isEqualTo(value);
      differ += other.nextDouble() != value ? 1 : 0;
    }
    assertThat(differ).isEqualTo(1000);
  }

  @Test
  void valuesAreUniformInZeroToOne() {
    SeededRandom random = new SeededRandom(20261127L);
    int[] tenths = new int[10];
    int draws = 100_000;
    for (int i = 0; i < draws; i++) {
      double value = random.nextDouble();
      assertThat(value).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
      tenths[(int) (value * 10)]++;
    }
    for (int count : tenths) {
      // 10,000 expected per tenth; the standard deviation is 95, so 600 off is beyond any fair draw.
      assertThat(count).isBetween(9_400, 10_600);
    }
  }
}
