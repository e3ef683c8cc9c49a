package dev.blastwall.lab.scenario;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.run.BreakerChange;
import dev.blastwall.lab.run.LabHealth;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One mode's results in a scenario.
 *
 * @param mode the mode
 * @param setup the mode's configuration in words, as the report shows it
 * @param health whether the lab kept up during this mode's run
 * @param overall the whole measured run
 * @param fault the fault window only (from the first fault's start to the last fault's end), null without faults
 * @param series one point per second
 * @param figures the scenario's own figures by JSON name: numbers, strings, booleans, or lists of maps of those
 * @param arrivalsByService requests arriving at each service over the run
 * @param breakerChanges breaker transitions, in time order
 */
public record ModeResult(
    Mode mode,
    String setup,
    LabHealth health,
    Summary overall,
    @Nullable Summary fault,
    List<SeriesPoint> series,
    Map<String, Object> figures,
    Map<String, Long> arrivalsByService,
    List<BreakerChange> breakerChanges) {

  /** Copies the collections. */
  public ModeResult {
    series = List.copyOf(series);
    figures = Map.copyOf(figures);
    arrivalsByService = Map.copyOf(arrivalsByService);
    breakerChanges = List.copyOf(breakerChanges);
  }

  /** A figure as a double, or NaN when absent or not a number. */
  public double figure(String name) {
    return figures.get(name) instanceof Number number ? number.doubleValue() : Double.NaN;
  }
}
