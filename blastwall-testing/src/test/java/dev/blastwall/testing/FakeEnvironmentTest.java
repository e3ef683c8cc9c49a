package dev.blastwall.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.time.Environment;
import dev.blastwall.time.RandomSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FakeEnvironmentTest {

  @Test
  void everyPartMovesWithTheOneTicker() {
    FakeEnvironment fake = new FakeEnvironment();
    Environment environment = fake.environment();
    AtomicInteger ran = new AtomicInteger();
    environment.scheduler().schedule(ran::incrementAndGet, Duration.ofMillis(30).toNanos());

    assertThat(environment.ticker()).isSameAs(fake.ticker());
    assertThat(environment.scheduler()).isSameAs(fake.scheduler());
    assertThat(environment.wallClock().instant()).isEqualTo(FakeEnvironment.DEFAULT_WALL_CLOCK_START);

    assertThat(fake.advance(Duration.ofMillis(40))).isEqualTo(1);

    assertThat(ran).hasValue(1);
    assertThat(environment.ticker().nanos()).isEqualTo(Duration.ofMillis(40).toNanos());
    assertThat(environment.wallClock().instant())
        .isEqualTo(FakeEnvironment.DEFAULT_WALL_CLOCK_START.plusMillis(40));
    assertThat(fake).hasToString("FakeEnvironment[FakeTicker[40000000 ns], 2026-01-01T00:00:00.040Z]");
  }

  @Test
  void theWallClockFollowsATickerThatWrapsAround() {
    FakeScheduler scheduler = new FakeScheduler(new FakeTicker(Long.MAX_VALUE - 5));
    Instant start = Instant.parse("2030-06-01T12:00:00Z");
    FakeEnvironment fake = new FakeEnvironment(scheduler, start, 7);

    fake.advance(Duration.ofSeconds(2));

    assertThat(fake.wallClock().instant()).isEqualTo(start.plusSeconds(2));
    assertThat(fake.wallClock().millis()).isEqualTo(start.toEpochMilli() + 2_000);
  }

  @Test
  void theRandomSource_isReproducibleForASeed_andUniformInZeroToOne() {
    List<Double> first = draws(new FakeEnvironment().environment().random(), 1_000);
    List<Double> again = draws(new FakeEnvironment().environment().random(), 1_000);
    List<Double> otherSeed = draws(
        new FakeEnvironment(new FakeScheduler(), FakeEnvironment.DEFAULT_WALL_CLOCK_START, 43).environment().random(),
        1_000);

    assertThat(again).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
    assertThat(first).allSatisfy(value -> assertThat(value).isGreaterThanOrEqualTo(0.0).isLessThan(1.0));
    // Uniform enough for jitter: each tenth of [0, 1) gets roughly its share of 1000 draws.
    int[] tenths = new int[10];
    first.forEach(value -> tenths[(int) (value * 10)]++);
    for (int count : tenths) {
      assertThat(count).isBetween(60, 140);
    }
  }

  @Test
  void nullParts_areErrorsInTheProjectsFormat() {
    assertThatThrownBy(() -> new FakeEnvironment(nothing(), Instant.EPOCH, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scheduler: null (expected: a FakeScheduler, e.g. new FakeScheduler())");
    assertThatThrownBy(() -> new FakeEnvironment(new FakeScheduler(), nothing(), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("wallClockStart: null (expected: an Instant, e.g. FakeEnvironment.DEFAULT_WALL_CLOCK_START)");
  }

  private static List<Double> draws(RandomSource random, int count) {
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      values.add(random.nextDouble());
    }
    return values;
  }

  @SuppressWarnings({"NullAway", "TypeParameterUnusedInFormals"}) // Passes the null that unchecked code could.
  private static <T> T nothing() {
    return null;
  }
}
