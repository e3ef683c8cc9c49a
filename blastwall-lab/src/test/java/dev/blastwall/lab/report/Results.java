package dev.blastwall.lab.report;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.run.BreakerChange;
import dev.blastwall.lab.run.LabHealth;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.FaultWindow;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.ScenarioResult;
import dev.blastwall.lab.scenario.SeriesPoint;
import dev.blastwall.lab.scenario.Summary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scenario results built by hand for the report tests: a retry storm with known figures. */
final class Results {

  static final int SECONDS = 30;
  static final List<FaultWindow> WINDOWS = List.of(
      new FaultWindow(10, 20, "backend: errors 50% UNAVAILABLE"), new FaultWindow(22, 25, "backend: down"));

  private Results() {}

  /** Both modes, valid, one check passing and one failing. */
  static ScenarioResult retryStorm() {
    return scenario("retry-storm", "A backend fails half its calls", both(true), List.of(
        Check.atLeast("naive", "fault.amplification", 1.8, "1.875 = 1 + 0.5 + 0.25 + 0.125", 1.9),
        Check.atMost("blastwall", "fault.amplification", 1.15, "1.1 with a 10% retry budget", 1.2)));
  }

  /** Both modes, all checks passing. */
  static ScenarioResult passing(String name) {
    return scenario(name, "Everything holds", both(true),
        List.of(Check.atMost("blastwall", "fault.p99_ms", 350, "", 120)));
  }

  /** Both modes; the naive run could not keep up. */
  static ScenarioResult invalid(String name) {
    return scenario(name, "The lab fell behind", both(false),
        List.of(Check.atLeast("naive", "fault.p99_ms", 5000, "5 s = C's slow service time", 5100)));
  }

  /** Only the naive mode ran (--mode naive). */
  static ScenarioResult naiveOnly() {
    Map<Mode, ModeResult> modes = new LinkedHashMap<>();
    modes.put(Mode.NAIVE, mode(Mode.NAIVE, true, 1.9, Map.of("UNAVAILABLE", 120L)));
    return scenario("retry-storm", "A backend fails half its calls", modes,
        List.of(Check.atLeast("naive", "fault.amplification", 1.8, "1.875", 1.9)));
  }

  static ScenarioResult scenario(String name, String title, Map<Mode, ModeResult> modes, List<Check> checks) {
    return new ScenarioResult(name, title, "Retries multiply load: 3 retries at 50% failures send 1.875x.", 42,
        Duration.ofSeconds(SECONDS), 200, 300, WINDOWS, modes, checks);
  }

  static Map<Mode, ModeResult> both(boolean naiveValid) {
    Map<Mode, ModeResult> modes = new LinkedHashMap<>();
    modes.put(Mode.NAIVE, mode(Mode.NAIVE, naiveValid, 1.9, Map.of("UNAVAILABLE", 120L, "TIMEOUT", 3L)));
    modes.put(Mode.BLASTWALL, mode(Mode.BLASTWALL, true, 1.05, Map.of("UNAVAILABLE", 7L)));
    return modes;
  }

  static ModeResult mode(Mode mode, boolean valid, double faultAmplification, Map<String, Long> errors) {
    LabHealth health = valid
        ? new LabHealth(0, 6000, 0.41, 3.5, true, List.of())
        : new LabHealth(150, 6000, 0.99, 240, false, List.of("missed 150 of 6000 sends", "CPU at 99%"));
    Summary overall = new Summary(6000, 1.3, 0.98, 196.5, 0.01, 12, 40, 95, 180.25, 410, 37, errors);
    Summary fault = new Summary(2000, faultAmplification, 0.9, 180, 0.02, 15, 60, 250, Double.NaN, 900, 55, errors);
    List<SeriesPoint> series = new ArrayList<>();
    for (int second = 0; second < SECONDS; second++) {
      boolean inFault = second >= 10 && second < 20;
      // A second with no answers has no percentiles: NaN, which the JSON writes as null and charts leave as a gap.
      double p999 = second == 5 ? Double.NaN : inFault ? 800 : 30;
      series.add(new SeriesPoint(second, 200, 199, inFault ? 150 : 198, inFault ? 0.9 : 0.99, 10, 20,
          inFault ? 400 : 25, p999, 1000, inFault ? faultAmplification : 1, 20 + second, inFault ? 90 : 0, 2, 1,
          inFault ? 1 : 0, Map.of("backend", 200L), Map.of("backend", 3)));
    }
    Map<String, Object> figures = Map.of(
        "slow_share", 0.18,
        "recovered", true,
        "note", "steady",
        "points", List.of(Map.of("utilization", 0.5, "mean_ms", 2.1), Map.of("utilization", 0.8, "mean_ms", 5.2)));
    return new ModeResult(mode, mode.label() + " setup: 3 retries \"everywhere\"", health, overall, fault, series,
        figures, Map.of("gateway", 6000L, "backend", 7800L),
        List.of(new BreakerChange("gateway", "backend", 11.5, "CLOSED", "OPEN")));
  }
}
