package dev.blastwall.lab.scenario;

import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.run.ModeRun;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A failure scenario of the seed: a plan (topology, load, faults, both modes' setups), the scenario's own figures
 * measured from each mode's run, and the criteria those figures must meet. Implementations are stateless.
 */
public interface Scenario {

  /** The name on the command line and in JSON, e.g. {@code retry-storm}. */
  String name();

  /** One line: what the scenario shows. */
  String title();

  /** What the seed claims and the theory predicts, in a few sentences, for the report. */
  String claim();

  /** The measured run's length when the user gives none. */
  Duration defaultDuration();

  /** The base user rate per second when the user gives none. */
  double defaultRate();

  /** The plan for these parameters; fault windows scale with the duration. */
  LabPlan plan(ScenarioParams params);

  /**
   * The scenario's own figures for one mode's run, by JSON name (numbers, strings, booleans, lists of maps).
   *
   * @param run what the run measured
   * @param base the mode's result without figures: summaries and series already computed
   */
  Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params);

  /** The criteria, judged on the results of the modes that ran (one or both). */
  List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params);
}
