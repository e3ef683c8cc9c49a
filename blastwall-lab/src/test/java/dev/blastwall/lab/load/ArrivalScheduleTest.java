package dev.blastwall.lab.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.PrimitiveIterator;
import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  @Test
  void constant_spacesArrivalsExactly_fromTimeZero() {
    PrimitiveIterator.OfLong times = ArrivalSchedule.constant(100).intendedTimes();
    for (long i = 0; i < 10_000; i++) {
      assertThat(times.nextLong()).isEqualTo(i * 10 * MS);
    }
  }

  @Test
  void constant_eachCallStartsAfresh() {
    ArrivalSchedule schedule = ArrivalSchedule.constant(3);
    PrimitiveIterator.OfLong first = schedule.intendedTimes();
    first.nextLong();
    first.nextLong();
    assertThat(schedule.intendedTimes().nextLong()).isZero();
  }

  @Test
  void poisson_seeded_hasTheMeanRate_within5PercentOver10000Arrivals() {
    PrimitiveIterator.OfLong times = ArrivalSchedule.poisson(200, 42).intendedTimes();
    long last = 0;
    long previous = -1;
    for (int i = 0; i < 10_000; i++) {
      last = times.nextLong();
      assertThat(last).isGreaterThanOrEqualTo(previous);
      previous = last;
    }
    double rate = 10_000 / (last / 1e9);
    assertThat(rate).isCloseTo(200, within(10.0));
  }

  @Test
  void poisson_sameSeed_sameTimes_differentSeed_differentTimes() {
    PrimitiveIterator.OfLong a = ArrivalSchedule.poisson(50, 7).intendedTimes();
    PrimitiveIterator.OfLong b = ArrivalSchedule.poisson(50, 7).intendedTimes();
    PrimitiveIterator.OfLong c = ArrivalSchedule.poisson(50, 8).intendedTimes();
    boolean differs = false;
    for (int i = 0; i < 100; i++) {
      long x = a.nextLong();
      assertThat(b.nextLong()).isEqualTo(x);
      differs |= c.nextLong() != x;
    }
    assertThat(differs).isTrue();
  }

  @Test
  void profile_stepsAndSpike_followTheirRates_thenReturnToBase() {
    RateProfile profile = RateProfile.builder(100)
        .step(Duration.ofSeconds(10), 0.5)
        .step(Duration.ofSeconds(10), 2)
        .spike(Duration.ofSeconds(2), 4)
        .build();
    assertThat(profile.ratePerSecondAt(5 * S)).isEqualTo(50);
    assertThat(profile.ratePerSecondAt(15 * S)).isEqualTo(200);
    assertThat(profile.ratePerSecondAt(21 * S)).isEqualTo(400);
    assertThat(profile.ratePerSecondAt(30 * S)).isEqualTo(100);

    long[] evenly = countPerWindow(ArrivalSchedule.evenly(profile).intendedTimes());
    assertThat(evenly).containsExactly(500, 2000, 800, 1000);

    long[] poisson = countPerWindow(ArrivalSchedule.poisson(profile, 3).intendedTimes());
    assertThat((double) poisson[0]).isCloseTo(500, within(500 * 0.1));
    assertThat((double) poisson[1]).isCloseTo(2000, within(2000 * 0.05));
    assertThat((double) poisson[2]).isCloseTo(800, within(800 * 0.1));
    assertThat((double) poisson[3]).isCloseTo(1000, within(1000 * 0.1));
  }

  @Test
  void profile_zeroRateStep_pausesArrivals() {
    RateProfile profile = RateProfile.builder(10).step(Duration.ofSeconds(1), 1).step(Duration.ofSeconds(1), 0).build();
    PrimitiveIterator.OfLong times = ArrivalSchedule.evenly(profile).intendedTimes();
    for (int i = 0; i < 10; i++) {
      assertThat(times.nextLong()).isLessThan(S);
    }
    assertThat(times.nextLong()).isEqualTo(2 * S);
  }

  @Test
  void badArguments_areRejected() {
    assertThatThrownBy(() -> ArrivalSchedule.constant(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseRatePerSecond: 0.0");
    assertThatThrownBy(() -> RateProfile.builder(1).step(Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RateProfile.builder(1).step(Duration.ofSeconds(1), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Arrivals in [0,10 s), [10,20 s), [20,22 s), [22,32 s). */
  private static long[] countPerWindow(PrimitiveIterator.OfLong times) {
    long[] bounds = {10 * S, 20 * S, 22 * S, 32 * S};
    long[] counts = new long[bounds.length];
    for (long t = times.nextLong(); t < 32 * S; t = times.nextLong()) {
      int w = 0;
      while (t >= bounds[w]) {
        w++;
      }
      counts[w]++;
    }
    return counts;
  }
}
