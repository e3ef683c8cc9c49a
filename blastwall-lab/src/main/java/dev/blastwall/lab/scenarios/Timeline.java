package dev.blastwall.lab.scenarios;

import dev.blastwall.lab.scenario.ScenarioParams;
import java.time.Duration;

/**
 * The usual fault window of a scenario: it starts after a sixth of the run (steady state first) and lasts two
 * thirds of it, leaving the last sixth to watch recovery. At the default 30 s: from 5 s to 25 s.
 */
final class Timeline {

  private Timeline() {}

  /** When the fault starts. */
  static Duration faultStart(ScenarioParams params) {
    return params.at(1.0 / 6);
  }

  /** When the fault ends. */
  static Duration faultEnd(ScenarioParams params) {
    return params.at(5.0 / 6);
  }

  /** How long the fault lasts. */
  static Duration faultLength(ScenarioParams params) {
    return faultEnd(params).minus(faultStart(params));
  }
}
