package dev.blastwall.lab.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.Criticality;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RecorderTest {

  private static final long S = 1_000_000_000L;

  @Test
  void mergedIntervals_giveTheSamePercentilesAsOneHistogramOfEverything() {
    Recorder recorder = new Recorder(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(50));
    Histogram everything = new Histogram(IntervalStats.SIGNIFICANT_DIGITS);
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 50_000; i++) {
      long intended = random.nextLong(10 * S);
      // A slow second, so per-interval percentiles differ wildly and averaging them would be wrong.
      long latency = intended / S == 7 ? 200_000_000L + random.nextLong(800_000_000L) : random.nextLong(20_000_000L);
      recorder.sent(intended, Criticality.CRITICAL);
      recorder.record(intended, Criticality.CRITICAL, Outcome.ok(), latency);
      everything.recordValue(latency);
    }
    Report report = recorder.report();
    Histogram merged = report.overall().latencies();
    for (double p : new double[] {50, 90, 99, 99.9, 100}) {
      assertThat(merged.getValueAtPercentile(p)).as("p%s", p).isEqualTo(everything.getValueAtPercentile(p));
      assertThat(report.overall().latencyMillis(p)).isEqualTo(everything.getValueAtPercentile(p) / 1e6);
    }
    assertThat(merged.getTotalCount()).isEqualTo(50_000);
    double averagedP99 = report.series().stream().mapToDouble(IntervalStats::p99Millis).average().orElseThrow();
    assertThat(Math.abs(averagedP99 - report.overall().p99Millis())).isGreaterThan(50);
  }

  @Test
  void goodput_countsOnlySuccessesWithinTheSlo() {
    Recorder recorder = new Recorder(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(50));
    for (Outcome outcome : new Outcome[] {Outcome.ok(), Outcome.degraded(), Outcome.timeout(), Outcome.error("x")}) {
      recorder.sent(0, Criticality.CRITICAL);
      recorder.record(0, Criticality.CRITICAL, outcome, 10_000_000L);
    }
    recorder.sent(0, Criticality.CRITICAL);
    recorder.record(0, Criticality.CRITICAL, Outcome.ok(), 60_000_000L);
    recorder.missed(0);
    IntervalStats overall = recorder.report().overall();
    assertThat(overall.goodputCount()).isEqualTo(2);
    assertThat(overall.goodputRps()).isEqualTo(2.0);
    assertThat(overall.userRequests()).isEqualTo(5);
    assertThat(overall.offered()).isEqualTo(6);
    assertThat(overall.successRate()).isEqualTo(0.6);
    assertThat(overall.degradedRate()).isEqualTo(0.2);
    assertThat(overall.successLatencyMillis(100)).isCloseTo(60, org.assertj.core.api.Assertions.within(0.1));
  }

  @Test
  void toJson_hasTheReportFields_andOnePointPerInterval() {
    Recorder recorder = new Recorder(Duration.ofMillis(2500), Duration.ofSeconds(1), Duration.ofMillis(50));
    recorder.sent(0, Criticality.CRITICAL);
    recorder.record(0, Criticality.CRITICAL, Outcome.ok(), 12_000_000L);
    recorder.sent(1_200_000_000L, Criticality.CRITICAL);
    recorder.record(1_200_000_000L, Criticality.CRITICAL, Outcome.error("quote\"d"), 3_000_000L);
    recorder.missed(2_100_000_000L);
    String json = recorder.report().toJson();

    assertThat(json).startsWith("{\"user_requests\":2,\"success_rate\":0.5,\"goodput_rps\":0.4,\"degraded_rate\":0,")
        .contains("\"p50_ms\":3.", "\"p90_ms\":12.", "\"p99_ms\":12.", "\"p999_ms\":12.", "\"max_ms\":12.")
        .contains("\"missed\":1,\"series\":[{\"t_s\":0,")
        .endsWith("]}");
    Matcher points = Pattern.compile("\\{\"t_s\":").matcher(json);
    int count = 0;
    while (points.find()) {
      count++;
    }
    assertThat(count).isEqualTo(3);
    // The last interval has no requests: its figures are null, its missed send is counted.
    assertThat(json).contains("{\"t_s\":2,\"offered_rps\":2,\"user_requests\":0,\"success_rate\":null,"
        + "\"goodput_rps\":0,\"p50_ms\":null,\"p99_ms\":null,\"max_ms\":null,\"missed\":1}");
    assertThat(json).doesNotContain("NaN", "Infinity");
  }
}
