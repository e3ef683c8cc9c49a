package dev.blastwall.lab.plan;

import dev.blastwall.lab.internal.Args;
import dev.blastwall.lab.topology.Durations;
import java.time.Duration;

/**
 * A fault on the run's timeline: active on {@code service} from {@code start} (after the measured run begins) for
 * {@code duration}.
 */
public record ScheduledFault(String service, Duration start, Duration duration, FaultSpec fault) {

  /** Checks the name and the times. */
  public ScheduledFault {
    Args.labName("service", service);
    Args.notNegative("start", start);
    Args.positive("duration", duration);
  }

  /** When the fault ends, from the run's start. */
  public Duration end() {
    return start.plus(duration);
  }

  @Override
  public String toString() {
    return service + ": " + fault.describe() + " from " + Durations.text(start) + " to " + Durations.text(end());
  }
}
