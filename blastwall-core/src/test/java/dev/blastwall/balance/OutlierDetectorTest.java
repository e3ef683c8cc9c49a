package dev.blastwall.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final FakeTicker ticker = new FakeTicker();

  /** 30 s base and 300 s max ejection, 10% cap, 5 in a row; success rate 1.9 stdev over 5 hosts of 100 requests. */
  private static OutlierDetector.Settings settings(int maxEjectionPercent, int consecutiveFailures) {
    return new OutlierDetector.Settings(Duration.ofSeconds(30), Duration.ofSeconds(300), maxEjectionPercent,
        consecutiveFailures, 1.9, 5, 100, 85, 5, 50);
  }

  private static void results(OutlierDetector.Host host, int ok, int failed) {
    for (int i = 0; i < ok; i++) {
      host.record(false);
    }
    for (int i = 0; i < failed; i++) {
      host.record(true);
    }
  }

  @Test
  void consecutiveFailures_reportTheThreshold_andEjectUntilTheEjectionTimePassed() {
    OutlierDetector detector = new OutlierDetector(settings(10, 3), ticker);
    OutlierDetector.Host a = detector.add("a");
    detector.add("b");

    assertThat(a.record(true)).isFalse();
    assertThat(a.record(true)).isFalse();
    assertThat(a.record(true)).as("third in a row").isTrue();
    assertThat(detector.ejectForConsecutiveFailures(a)).isEqualTo(30 * SECOND);
    assertThat(a.ejected()).isTrue();

    ticker.advance(Duration.ofSeconds(29));
    assertThat(detector.restoreIfDue(a)).isFalse();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(detector.restoreIfDue(a)).isTrue();
    assertThat(a.ejected()).isFalse();
  }

  @Test
  void aSuccessBreaksTheRun_andAStaleReportDoesNotEject() {
    OutlierDetector detector = new OutlierDetector(settings(10, 3), ticker);
    OutlierDetector.Host a = detector.add("a");

    a.record(true);
    a.record(true);
    a.record(false);
    assertThat(a.record(true)).isFalse();
    assertThat(detector.ejectForConsecutiveFailures(a)).as("only one in a row now").isEqualTo(-1);
    assertThat(a.ejected()).isFalse();
  }

  @Test
  void ejectionTime_growsWithEachEjection_upToTheMaximum_andShrinksWithEachCleanInterval() {
    OutlierDetector detector = new OutlierDetector(settings(100, 1), ticker);
    OutlierDetector.Host a = detector.add("a");

    for (int n = 1; n <= 12; n++) {
      assertThat(detector.eject(a)).as("ejection " + n).isEqualTo(Math.min(30L * n, 300L) * SECOND);
      detector.restore(a);
    }
    assertThat(a.ejections()).isEqualTo(12);
    detector.evaluate();
    detector.evaluate();
    assertThat(a.ejections()).as("two clean intervals").isEqualTo(10);
    assertThat(detector.eject(a)).isEqualTo(300 * SECOND);
    detector.evaluate();
    assertThat(a.ejections()).as("an interval spent ejected is not clean").isEqualTo(11);
  }

  @Test
  void maxEjectionPercent_capsEjections_butAlwaysAllowsOne_andZeroTurnsEjectionOff() {
    OutlierDetector detector = new OutlierDetector(settings(10, 1), ticker);
    OutlierDetector.Host a = detector.add("a");
    OutlierDetector.Host b = detector.add("b");
    detector.add("c");

    assertThat(detector.eject(a)).as("10% of 3 rounds to none, but one is allowed").isPositive();
    assertThat(detector.eject(b)).isEqualTo(-1);
    assertThat(b.ejected()).isFalse();

    detector.settings(settings(0, 1));
    detector.restore(a);
    assertThat(detector.eject(a)).isEqualTo(-1);
  }

  @Test
  void successRate_ejectsTheHostFarBelowTheMean_amongHostsWithEnoughRequests() {
    OutlierDetector detector = new OutlierDetector(settings(50, 0), ticker);
    List<OutlierDetector.Host> hosts = List.of(detector.add("a"), detector.add("b"), detector.add("c"),
        detector.add("d"), detector.add("e"), detector.add("f"));
    for (int i = 0; i < 5; i++) {
      results(hosts.get(i), 100, 0);
    }
    results(hosts.get(4), 0, 0);
    results(hosts.get(5), 60, 40); // 60%: below the mean by more than 1.9 standard deviations

    List<OutlierDetector.Ejection> ejected = detector.evaluate();

    assertThat(ejected).extracting(e -> e.host().id()).containsExactly("f");
    assertThat(ejected.get(0).nanos()).isEqualTo(30 * SECOND);
    assertThat(detector.evaluate()).as("counts were reset with the interval").isEmpty();
  }

  @Test
  void successRate_needsTheMinimumHostsWithTheRequestVolume() {
    OutlierDetector detector = new OutlierDetector(settings(50, 0), ticker);
    for (String id : List.of("a", "b", "c", "d")) {
      results(detector.add(id), 100, 0);
    }
    results(detector.add("low"), 99, 0); // below the request volume: not a candidate
    results(detector.add("bad"), 10, 90);

    assertThat(detector.evaluate()).as("five candidates, but the bad one is caught by failure percentage")
        .extracting(e -> e.host().id()).containsExactly("bad");

    OutlierDetector fewer = new OutlierDetector(settings(50, 0), ticker);
    for (String id : List.of("a", "b", "c")) {
      results(fewer.add(id), 100, 0);
    }
    results(fewer.add("bad"), 40, 60);
    assertThat(fewer.evaluate()).as("four hosts: below both minimums of five").isEmpty();
  }

  @Test
  void failurePercentage_ejectsAboveTheThreshold() {
    OutlierDetector detector = new OutlierDetector(
        new OutlierDetector.Settings(Duration.ofSeconds(30), Duration.ofSeconds(300), 100, 0, 1.9, 100, 100, 50, 2,
            10), ticker);
    OutlierDetector.Host good = detector.add("good");
    OutlierDetector.Host half = detector.add("half");
    OutlierDetector.Host bad = detector.add("bad");
    results(good, 10, 0);
    results(half, 5, 5); // exactly 50%: not above
    results(bad, 4, 6);

    assertThat(detector.evaluate()).extracting(e -> e.host().id()).containsExactly("bad");
    assertThat(half.ejected()).isFalse();
  }

  @Test
  void removedHost_isNotEjected_andNoLongerCountsTowardsTheCap() {
    OutlierDetector detector = new OutlierDetector(settings(10, 1), ticker);
    OutlierDetector.Host a = detector.add("a");
    OutlierDetector.Host b = detector.add("b");
    detector.eject(a);
    detector.remove(a);

    assertThat(a.record(true)).isTrue();
    assertThat(detector.ejectForConsecutiveFailures(a)).isEqualTo(-1);
    assertThat(detector.hosts()).containsExactly(b);
    assertThat(detector.eject(b)).isPositive();
  }

  @Test
  void badSettings_areRefusedByName() {
    assertThatThrownBy(() -> new OutlierDetector.Settings(Duration.ofSeconds(30), Duration.ofSeconds(300), 101, 5,
        1.9, 5, 100, 85, 5, 50))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("maxEjectionPercent: 101 (expected: ");
    assertThatThrownBy(() -> new OutlierDetector.Settings(Duration.ofSeconds(30), Duration.ofSeconds(300), 10, 5,
        Double.NaN, 5, 100, 85, 5, 50))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("successRateStdevFactor: NaN (expected: a finite number >= 0");
  }
}
