package dev.blastwall.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testkit.PropertyCheck;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Durations as configuration writes them (moved here from the registry's configuration test with the parser). */
class DurationsTest {

  @Test
  void durationsParseEveryUnit() {
    List<String> units = List.of("ns", "us", "ms", "s", "m");
    List<ChronoUnit> chrono =
        List.of(ChronoUnit.NANOS, ChronoUnit.MICROS, ChronoUnit.MILLIS, ChronoUnit.SECONDS, ChronoUnit.MINUTES);
    PropertyCheck.forAll(random -> new long[] {random.nextLong(0, 1_000_000), random.nextInt(units.size())},
        sample -> {
          int unit = (int) sample[1];
          assertThat(Durations.parse(sample[0] + units.get(unit)))
              .isEqualTo(Duration.of(sample[0], chrono.get(unit)));
        });
    for (String bad : List.of("", "300", "ms", "1.5s", "-1s", "1 s", "5h", "1S", "99999999999999999999ms",
        "9223372036854775807us")) {
      assertThat(Durations.parse(bad)).as(bad).isNull();
    }
    assertThat(Durations.text(Duration.ofMillis(100))).isEqualTo("100ms");
    assertThat(Durations.text(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(Durations.text(Duration.ofNanos(1500))).isEqualTo("1500ns");
    assertThat(Durations.text(Duration.ofNanos(2000))).isEqualTo("2us");
  }
}
