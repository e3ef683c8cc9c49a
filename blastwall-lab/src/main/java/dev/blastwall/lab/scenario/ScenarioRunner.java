package dev.blastwall.lab.scenario;

import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.run.ModeRun;
import dev.blastwall.lab.run.RunProgress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs a scenario in the modes asked for, one after the other with the same seed and plan, and judges its criteria.
 */
public final class ScenarioRunner {

  private final ModeRunner runner;

  /** A scenario runner over {@code runner}. */
  public ScenarioRunner(ModeRunner runner) {
    this.runner = runner;
  }

  /**
   * Runs {@code scenario}.
   *
   * @param modes the modes to run, in mode order
   * @param progress gives the progress listener for each mode
   */
  public ScenarioResult run(
      Scenario scenario, ScenarioParams params, Set<Mode> modes, Function<Mode, RunProgress> progress) {
    LabPlan plan = scenario.plan(params);
    Map<Mode, ModeResult> results = new EnumMap<>(Mode.class);
    for (Mode mode : Mode.values()) {
      if (!modes.contains(mode)) {
        continue;
      }
      ModeRun run = runner.run(plan, mode, params.seed(), progress.apply(mode));
      ModeResult base = Results.base(run);
      results.put(mode, Results.withFigures(base, scenario.figures(run, base, params)));
    }
    List<FaultWindow> windows = new ArrayList<>();
    for (ScheduledFault fault : plan.faults()) {
      windows.add(new FaultWindow(fault.start().toNanos() / 1e9, fault.end().toNanos() / 1e9,
          fault.service() + ": " + fault.fault().describe()));
    }
    return new ScenarioResult(scenario.name(), scenario.title(), scenario.claim(), params.seed(),
        params.duration(), params.rate(), plan.load().slo().toNanos() / 1e6, windows, results,
        scenario.checks(results, params));
  }
}
