package dev.blastwall.lab.cli;

import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.run.ModeRun;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Scenario;
import dev.blastwall.lab.scenario.ScenarioParams;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A user's own plan, read from a YAML file, run as a scenario without criteria: the report compares the modes
 * and judges nothing. Its duration and rate are the file's.
 */
final class FileScenario implements Scenario {

  private final String name;
  private final LabPlan plan;

  FileScenario(String name, LabPlan plan) {
    this.name = name;
    this.plan = plan;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String title() {
    return "The plan in " + name + ".yaml";
  }

  @Override
  public String claim() {
    return "A plan written by hand: no criteria are judged; compare the two modes.";
  }

  @Override
  public Duration defaultDuration() {
    return plan.load().duration();
  }

  @Override
  public double defaultRate() {
    return plan.load().profile().baseRatePerSecond();
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    return plan;
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    return Map.of();
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    return List.of();
  }
}
