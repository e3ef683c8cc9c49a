package dev.blastwall.lab.topology;

import dev.blastwall.lab.internal.Args;
import java.util.List;

/**
 * One step of a service's work on a request: a single call (serial), or a group of calls made in parallel (a
 * fan-out) that the step waits for in full. Steps run one after the other.
 *
 * @param calls the calls of this step, at least one
 */
public record Step(List<Dependency> calls) {

  /** Copies the list and checks it is not empty. */
  public Step {
    calls = List.copyOf(calls);
    if (calls.isEmpty()) {
      throw Args.invalid("calls", calls, "at least one call in a step");
    }
  }

  /** A step of one call. */
  public static Step serial(Dependency call) {
    return new Step(List.of(call));
  }

  /** A step of calls made in parallel. */
  public static Step parallel(List<Dependency> calls) {
    return new Step(calls);
  }

  /** Whether this step fans out to more than one call. */
  public boolean isParallel() {
    return calls.size() > 1;
  }

  @Override
  public String toString() {
    return isParallel() ? "parallel " + calls : "call " + calls.getFirst();
  }
}
