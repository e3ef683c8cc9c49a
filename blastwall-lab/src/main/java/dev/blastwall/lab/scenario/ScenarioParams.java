package dev.blastwall.lab.scenario;

import dev.blastwall.lab.internal.Args;
import java.time.Duration;

/**
 * The knobs a user may turn on any scenario: the measured run's length (fault windows scale with it), the base user
 * rate, and the seed of every random draw.
 *
 * @param duration the measured run's length, at least 3 s
 * @param rate the base user rate per second
 * @param seed the seed both modes run with
 */
public record ScenarioParams(Duration duration, double rate, long seed) {

  /** The seed used when none is given. */
  public static final long DEFAULT_SEED = 20261127L;

  /** Checks the values. */
  public ScenarioParams {
    if (duration.compareTo(Duration.ofSeconds(3)) < 0) {
      throw Args.invalid("duration", duration, "at least 3s");
    }
    Args.inRange("rate", rate, 1, 100_000);
  }

  /** The duration in seconds, as a double. */
  public double seconds() {
    return duration.toNanos() / 1e9;
  }

  /** {@code fraction} of the duration, rounded to whole milliseconds. */
  public Duration at(double fraction) {
    return Duration.ofMillis(Math.round(duration.toMillis() * fraction));
  }
}
