package dev.blastwall.lab.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.report.JsonReport;
import dev.blastwall.lab.run.LabRunner;
import dev.blastwall.lab.run.RunProgress;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Scenario;
import dev.blastwall.lab.scenario.ScenarioParams;
import dev.blastwall.lab.scenario.ScenarioResult;
import dev.blastwall.lab.scenario.ScenarioRunner;
import dev.blastwall.lab.scenario.Summary;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Short runs of {@code metastable}, {@code stale-endpoint} and {@code partition} in both modes: the JSON carries
 * each scenario's figures and each result points the way the scenario claims. Absolute figures are for the
 * full-length runs, not for these. The three scenarios run at the same time (their services are idle most of the
 * time, waiting), so the class costs about the longest of them rather than their sum.
 */
class Issue7ReplicasSmokeTest {

  private static final long TIMEOUT_SECONDS = 120;
  private static final ExecutorService RUNNERS = Executors.newVirtualThreadPerTaskExecutor();
  private static final Map<String, Future<ScenarioResult>> RUNS = new ConcurrentHashMap<>();

  @BeforeAll
  static void startAll() {
    RUNS.put("metastable", RUNNERS.submit(() -> run("metastable", 8, 50, "post_spike_goodput_ratio", "recovery_s")));
    RUNS.put("stale-endpoint",
        RUNNERS.submit(() -> run("stale-endpoint", 6, 60, "error_rate_after_1s", "readmitted_s")));
    RUNS.put("partition", RUNNERS.submit(() -> run("partition", 5, 40, "slo_ms")));
  }

  @AfterAll
  static void stop() {
    RUNNERS.shutdownNow();
  }

  /** The result of a run started in {@link #startAll}, with its JSON already checked. */
  private static ScenarioResult result(String name) throws Exception {
    Future<ScenarioResult> run = Objects.requireNonNull(RUNS.get(name), name);
    try {
      return run.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException failed) {
      throw failed.getCause() instanceof Exception cause ? cause : failed;
    }
  }

  private static ScenarioResult run(String name, int seconds, double rate, String... figures) {
    Scenario scenario = BuiltInScenarios.byName(name);
    ScenarioParams params = new ScenarioParams(Duration.ofSeconds(seconds), rate, ScenarioParams.DEFAULT_SEED);
    ScenarioResult result = new ScenarioRunner(LabRunner::run)
        .run(scenario, params, EnumSet.allOf(Mode.class), mode -> RunProgress.NONE);
    String json = JsonReport.toJson(result);
    assertThat(json).contains("\"scenario\":\"" + name + "\"", "\"naive\":", "\"blastwall\":", "\"series\":",
        "\"p99_ms\":");
    for (String figure : figures) {
      assertThat(json).contains("\"" + figure + "\":");
    }
    for (ModeResult mode : result.modes().values()) {
      assertThat(mode.series()).hasSize((int) result.duration().toSeconds());
      assertThat(mode.overall().userRequests()).isPositive();
    }
    return result;
  }

  private static ModeResult naive(ScenarioResult result) {
    return Objects.requireNonNull(result.modes().get(Mode.NAIVE), "naive");
  }

  private static ModeResult blastwall(ScenarioResult result) {
    return Objects.requireNonNull(result.modes().get(Mode.BLASTWALL), "blastwall");
  }

  private static Summary fault(ModeResult mode) {
    return Objects.requireNonNull(mode.fault(), "fault window");
  }

  @Test
  void metastableNaiveStaysCollapsedAfterTheSpikeAndBlastwallRecovers() throws Exception {
    ScenarioResult result = result("metastable");
    assertThat(naive(result).figure("post_spike_goodput_ratio")).isLessThan(0.5);
    assertThat(blastwall(result).figure("post_spike_goodput_ratio")).isGreaterThan(0.8);
    assertThat(blastwall(result).figure("recovery_s")).isLessThan(3);
  }

  @Test
  void staleEndpointFailsAQuarterOfNaiveCallsAndIsEjectedByBlastwall() throws Exception {
    ScenarioResult result = result("stale-endpoint");
    assertThat(naive(result).figure("error_rate_after_1s")).isBetween(0.15, 0.35);
    assertThat(blastwall(result).figure("error_rate_after_1s")).isLessThan(0.02);
    assertThat(blastwall(result).figure("readmitted_s")).isGreaterThanOrEqualTo(0);
  }

  @Test
  void partitionHangsNaiveCallsAndBlastwallRetriesElsewhere() throws Exception {
    ScenarioResult result = result("partition");
    assertThat(fault(naive(result)).p99Ms()).isGreaterThan(1000);
    assertThat(fault(blastwall(result)).p99Ms()).isLessThanOrEqualTo(blastwall(result).figure("slo_ms"));
  }
}
