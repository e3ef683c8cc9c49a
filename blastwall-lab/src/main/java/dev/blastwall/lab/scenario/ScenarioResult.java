package dev.blastwall.lab.scenario;

import dev.blastwall.lab.plan.Mode;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A scenario's results: each mode run, and the checks of its criteria.
 *
 * @param scenario the scenario's name, e.g. {@code retry-storm}
 * @param title one line saying what it shows
 * @param claim what the seed claims and the theory predicts, in a few sentences
 * @param seed the seed both modes ran with
 * @param duration the measured run's length
 * @param rate the base user rate, per second
 * @param sloMs the user SLO in milliseconds
 * @param faultWindows the faults on the timeline
 * @param modes results per mode run, in mode order
 * @param checks the criteria, judged
 */
public record ScenarioResult(
    String scenario,
    String title,
    String claim,
    long seed,
    Duration duration,
    double rate,
    double sloMs,
    List<FaultWindow> faultWindows,
    Map<Mode, ModeResult> modes,
    List<Check> checks) {

  /** Copies the collections. */
  public ScenarioResult {
    faultWindows = List.copyOf(faultWindows);
    modes = Collections.unmodifiableMap(new EnumMap<>(modes));
    checks = List.copyOf(checks);
  }

  /** Whether the lab kept up in every mode run, so the figures can be trusted. */
  public boolean valid() {
    return modes.values().stream().allMatch(result -> result.health().valid());
  }

  /** Whether every check passed. */
  public boolean passed() {
    return checks.stream().allMatch(Check::passed);
  }
}
