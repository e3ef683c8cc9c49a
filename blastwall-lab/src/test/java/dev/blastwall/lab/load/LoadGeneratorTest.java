package dev.blastwall.lab.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.blastwall.context.Criticality;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  private final FakeTicker ticker = new FakeTicker(123_456_789L);
  private final FakeScheduler scheduler = new FakeScheduler(ticker);

  private LoadGenerator.Builder generator(double rps, Duration duration) {
    return LoadGenerator.builder()
        .clock(ticker, scheduler)
        .schedule(ArrivalSchedule.constant(rps))
        .duration(duration)
        .slo(Duration.ofMillis(100));
  }

  private static Report done(CompletionStage<Report> stage) {
    CompletableFuture<Report> future = stage.toCompletableFuture();
    assertThat(future).isDone();
    return future.join();
  }

  @Test
  void constantSchedule_firesEachRequestExactlyAtItsIntendedTime() {
    long start = ticker.nanos();
    List<long[]> calls = new ArrayList<>();
    CompletionStage<Report> run = generator(100, Duration.ofSeconds(2)).build().run(spec -> {
      calls.add(new long[] {spec.sequence(), spec.intendedNanosFromStart(), spec.intendedTickerNanos(), ticker.nanos()});
      return CompletableFuture.completedFuture(Outcome.ok());
    });
    scheduler.advance(Duration.ofSeconds(2));

    assertThat(calls).hasSize(200);
    for (long i = 0; i < calls.size(); i++) {
      long[] call = calls.get((int) i);
      assertThat(call[0]).isEqualTo(i);
      assertThat(call[1]).isEqualTo(i * 10 * MS);
      assertThat(call[2]).isEqualTo(start + i * 10 * MS);
      assertThat(call[3]).isEqualTo(call[2]);
    }
    Report report = done(run);
    assertThat(report.overall().userRequests()).isEqualTo(200);
    assertThat(report.overall().successRate()).isEqualTo(1.0);
    assertThat(report.overall().goodputRps()).isEqualTo(100.0);
    assertThat(report.series()).hasSize(2);
    assertThat(report.series().get(0).offeredRps()).isEqualTo(100.0);
  }

  @Test
  void openLoop_keepsSendingWhenNoResponseComes_andDrainRecordsTimeoutsWithTheirLatency() {
    List<RequestSpec> sent = new ArrayList<>();
    CompletionStage<Report> run = generator(100, Duration.ofSeconds(2))
        .drainTimeout(Duration.ofMillis(500))
        .build()
        .run(spec -> {
          sent.add(spec);
          return new CompletableFuture<>(); // never answers
        });

    scheduler.advance(Duration.ofSeconds(1));
    assertThat(sent).hasSize(101); // 0 ms .. 1000 ms inclusive, none waited for
    scheduler.advance(Duration.ofMillis(1499));
    assertThat(sent).hasSize(200);
    assertThat(run.toCompletableFuture()).isNotDone();
    scheduler.advance(Duration.ofMillis(1));

    IntervalStats overall = done(run).overall();
    assertThat(overall.count(Outcome.Kind.TIMEOUT)).isEqualTo(200);
    assertThat(overall.successRate()).isZero();
    // The first request was due at 0 and timed out at 2.5 s; the last was due at 1.99 s: 510 ms.
    assertThat(overall.maxMillis()).isCloseTo(2500, within(2500 * 0.001));
    assertThat(overall.latencyMillis(0)).isCloseTo(510, within(510 * 0.001));
  }

  @Test
  void drain_endsEarlyWhenEveryRequestHasAnswered_andLateAnswersAreIgnoredAfterTheDrain() {
    List<CompletableFuture<Outcome>> pending = new ArrayList<>();
    CompletionStage<Report> run = generator(10, Duration.ofSeconds(1))
        .drainTimeout(Duration.ofSeconds(1))
        .build()
        .run(spec -> {
          CompletableFuture<Outcome> answer = new CompletableFuture<>();
          pending.add(answer);
          return answer;
        });
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(pending).hasSize(10);
    assertThat(run.toCompletableFuture()).isNotDone();
    scheduler.advance(Duration.ofMillis(200));
    pending.forEach(answer -> answer.complete(Outcome.degraded()));

    IntervalStats overall = done(run).overall();
    assertThat(overall.count(Outcome.Kind.DEGRADED)).isEqualTo(10);
    assertThat(overall.degradedRate()).isEqualTo(1.0);
    assertThat(overall.goodputCount()).isZero(); // all slower than the 100 ms SLO
    assertThat(scheduler.pendingTasks()).isZero();
  }

  /**
   * A server that answers in 1 ms, one request at a time, but stalls for the whole second from 3 s to 4 s of a
   * 10 s run at 100 rps; requests queue behind the stall.
   */
  @Test
  void coordinatedOmission_latencyFromIntendedStartShowsTheStall_naiveClosedLoopDoesNot() {
    long start = ticker.nanos();
    long[] freeAt = {0};
    Function<RequestSpec, CompletionStage<Outcome>> server = spec -> {
      long now = ticker.nanos() - start;
      long done = stalledServerCompletion(Math.max(now, freeAt[0]));
      freeAt[0] = done;
      CompletableFuture<Outcome> answer = new CompletableFuture<>();
      scheduler.schedule(() -> answer.complete(Outcome.ok()), done - now);
      return answer;
    };
    CompletionStage<Report> run = generator(100, Duration.ofSeconds(10)).build().run(server);
    scheduler.advance(Duration.ofSeconds(12));
    IntervalStats corrected = done(run).overall();

    // The same server measured the naive way: one connection, each send waits for the previous response, and
    // latency runs from that actual send.
    Histogram naive = new Histogram(3);
    long previousDone = 0;
    for (long i = 0; i < 1000; i++) {
      long send = Math.max(i * 10 * MS, previousDone);
      if (send >= 10 * S) {
        break;
      }
      long done = stalledServerCompletion(send);
      naive.recordValue(done - send);
      previousDone = done;
    }

    assertThat(corrected.userRequests()).isEqualTo(1000);
    assertThat(corrected.p99Millis()).isGreaterThan(500);
    assertThat(naive.getValueAtPercentile(99) / 1e6).isLessThan(2);
    assertThat(corrected.p99Millis()).isGreaterThan(100 * naive.getValueAtPercentile(99) / 1e6);
    assertThat(corrected.p50Millis()).isLessThan(2);
  }

  private static long stalledServerCompletion(long startOfWork) {
    long begin = startOfWork >= 3 * S && startOfWork < 4 * S ? 4 * S : startOfWork;
    return begin + MS;
  }

  @Test
  void delayedDriver_countsLateArrivalsAsMissed_andDoesNotSendThem() {
    List<Long> sent = new ArrayList<>();
    CompletionStage<Report> run = generator(100, Duration.ofSeconds(2))
        .lateTolerance(Duration.ofMillis(10))
        .build()
        .run(spec -> {
          sent.add(spec.intendedNanosFromStart());
          return CompletableFuture.completedFuture(Outcome.ok());
        });
    scheduler.advance(Duration.ofMillis(500)); // sends 0 .. 500 ms
    ticker.advance(Duration.ofMillis(100)); // the driver is stuck for 100 ms (a GC pause, a busy thread)
    scheduler.runDueTasks(); // wakes at 600 ms: 510..580 are over 10 ms late, 590 and 600 are not
    scheduler.advance(Duration.ofSeconds(2));

    IntervalStats overall = done(run).overall();
    assertThat(overall.missed()).isEqualTo(8);
    assertThat(overall.offered()).isEqualTo(200);
    assertThat(overall.userRequests()).isEqualTo(192);
    assertThat(sent).hasSize(192).doesNotContain(510 * MS, 580 * MS).contains(590 * MS, 600 * MS);
    assertThat(done(run).series().get(0).missed()).isEqualTo(8);
  }

  @Test
  void failures_areRecordedAsErrorsByKind_withTheirLatency() {
    int[] n = {0};
    CompletionStage<Report> run = generator(10, Duration.ofSeconds(1)).build().run(spec -> {
      int i = n[0]++;
      if (i % 3 == 0) {
        throw new IllegalStateException("boom");
      }
      if (i % 3 == 1) {
        return CompletableFuture.failedFuture(new java.io.UncheckedIOException(new java.io.IOException("reset")));
      }
      return CompletableFuture.completedFuture(Outcome.error("503"));
    });
    scheduler.advance(Duration.ofSeconds(1));
    IntervalStats overall = done(run).overall();
    assertThat(overall.count(Outcome.Kind.ERROR)).isEqualTo(10);
    assertThat(overall.errorsByKind())
        .containsExactly(Map.entry("503", 3L), Map.entry("IllegalStateException", 4L),
            Map.entry("UncheckedIOException", 3L));
    assertThat(overall.p99Millis()).isZero();
  }

  @Test
  void criticalityMix_isDrawnByWeight_andSuccessIsReportedPerCriticality() {
    Map<Criticality, Integer> mix = new EnumMap<>(Criticality.class);
    mix.put(Criticality.CRITICAL_PLUS, 20);
    mix.put(Criticality.CRITICAL, 50);
    mix.put(Criticality.SHEDDABLE, 30);
    CompletionStage<Report> run = generator(1000, Duration.ofSeconds(10)).criticalityMix(mix).seed(5).build()
        .run(spec -> CompletableFuture.completedFuture(
            spec.criticality() == Criticality.SHEDDABLE ? Outcome.error("shed") : Outcome.ok()));
    scheduler.advance(Duration.ofSeconds(10));
    IntervalStats overall = done(run).overall();
    assertThat((double) overall.sent(Criticality.CRITICAL_PLUS)).isCloseTo(2000, within(200.0));
    assertThat((double) overall.sent(Criticality.CRITICAL)).isCloseTo(5000, within(250.0));
    assertThat((double) overall.sent(Criticality.SHEDDABLE)).isCloseTo(3000, within(300.0));
    assertThat(overall.sent(Criticality.SHEDDABLE_PLUS)).isZero();
    assertThat(overall.successRate(Criticality.CRITICAL_PLUS)).isEqualTo(1.0);
    assertThat(overall.successRate(Criticality.SHEDDABLE)).isZero();
    assertThat(overall.successRate(Criticality.SHEDDABLE_PLUS)).isNaN();
  }

  @Test
  void window_mergesTheIntervalsInsideIt() {
    long start = ticker.nanos();
    CompletionStage<Report> run = generator(100, Duration.ofSeconds(10)).build().run(spec -> {
      long t = ticker.nanos() - start;
      boolean fault = t >= 4 * S && t < 6 * S;
      return CompletableFuture.completedFuture(fault ? Outcome.error("UNAVAILABLE") : Outcome.ok());
    });
    scheduler.advance(Duration.ofSeconds(10));
    Report report = done(run);
    IntervalStats fault = report.window(Duration.ofSeconds(4), Duration.ofSeconds(6));
    assertThat(fault.userRequests()).isEqualTo(200);
    assertThat(fault.successRate()).isZero();
    assertThat(fault.offeredRps()).isEqualTo(100.0);
    assertThat(report.overall().successRate()).isEqualTo(0.8);
    assertThat(report.overall().goodputRps()).isEqualTo(80.0);
  }
}
