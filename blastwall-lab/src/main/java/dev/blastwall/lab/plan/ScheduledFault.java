package dev.blastwall.lab.plan;

import dev.blastwall.lab.internal.Args;
import dev.blastwall.lab.topology.Durations;
import java.time.Duration;

/**
 * A fault on the run's timeline: active on {@code service} from {@code start} (after the measured run begins) for
 * {@code duration}, on every replica of the service or on one.
 *
 * @param service the service the fault acts on
 * @param start when it starts, from the measured run's start
 * @param duration how long it lasts
 * @param fault what it does
 * @param replica the index of the one replica it acts on (its proxy and its state only), from 0, or
 *     {@link #ALL_REPLICAS}
 */
public record ScheduledFault(String service, Duration start, Duration duration, FaultSpec fault, int replica) {

  /** The replica index of a fault acting on every replica of its service. */
  public static final int ALL_REPLICAS = -1;

  /** Checks the name, the times and the replica index. */
  public ScheduledFault {
    Args.labName("service", service);
    Args.notNegative("start", start);
    Args.positive("duration", duration);
    Args.atLeast("replica", replica, ALL_REPLICAS);
  }

  /** A fault acting on every replica of {@code service}. */
  public ScheduledFault(String service, Duration start, Duration duration, FaultSpec fault) {
    this(service, start, duration, fault, ALL_REPLICAS);
  }

  /** A copy acting on replica {@code index} only (from 0). */
  public ScheduledFault onReplica(int index) {
    Args.atLeast("replica", index, 0);
    return new ScheduledFault(service, start, duration, fault, index);
  }

  /** Whether the fault acts on every replica. */
  public boolean allReplicas() {
    return replica == ALL_REPLICAS;
  }

  /** When the fault ends, from the run's start. */
  public Duration end() {
    return start.plus(duration);
  }

  @Override
  public String toString() {
    return service + (allReplicas() ? "" : "#" + replica) + ": " + fault.describe() + " from " + Durations.text(start) + " to " + Durations.text(end());
  }
}
