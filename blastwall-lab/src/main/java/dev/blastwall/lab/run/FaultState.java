package dev.blastwall.lab.run;

import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.topology.ServiceTime;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The application faults active on one replica now, read by its workers for every request. Set and cleared by the
 * fault timeline; a fault that ends clears only itself, so overlapping faults of one kind do not cancel each other.
 */
final class FaultState {

  private final AtomicReference<FaultSpec.@Nullable SlowDown> slowDown = new AtomicReference<>();
  private final AtomicReference<FaultSpec.@Nullable Errors> errors = new AtomicReference<>();
  private final AtomicReference<FaultSpec.@Nullable ResponseLost> responseLost = new AtomicReference<>();
  private final AtomicInteger hangs = new AtomicInteger();

  /** Starts an application fault; network faults are not this class's business. */
  void start(FaultSpec fault) {
    switch (fault) {
      case FaultSpec.SlowDown slow -> slowDown.set(slow);
      case FaultSpec.Errors failing -> errors.set(failing);
      case FaultSpec.ResponseLost lost -> responseLost.set(lost);
      case FaultSpec.Hang hang -> hangs.incrementAndGet();
      case FaultSpec.Network network -> throw new IllegalArgumentException("fault: " + network
          + " (expected: an application fault; network faults act in the proxy)");
      case FaultSpec.HardDown down -> throw new IllegalArgumentException("fault: " + down
          + " (expected: an application fault; hard down acts in the proxy)");
    }
  }

  /** Ends {@code fault}, if it is still the active one of its kind. */
  void end(FaultSpec fault) {
    switch (fault) {
      case FaultSpec.SlowDown slow -> slowDown.compareAndSet(slow, null);
      case FaultSpec.Errors failing -> errors.compareAndSet(failing, null);
      case FaultSpec.ResponseLost lost -> responseLost.compareAndSet(lost, null);
      case FaultSpec.Hang hang -> hangs.decrementAndGet();
      case FaultSpec.Network network -> { }
      case FaultSpec.HardDown down -> { }
    }
  }

  /** The service time in force: the slow-down's while one is active, else the service's own. */
  ServiceTime serviceTime(ServiceTime normal) {
    FaultSpec.SlowDown slow = slowDown.get();
    return slow != null ? slow.serviceTime() : normal;
  }

  FaultSpec.@Nullable Errors errors() {
    return errors.get();
  }

  FaultSpec.@Nullable ResponseLost responseLost() {
    return responseLost.get();
  }

  boolean hanging() {
    return hangs.get() > 0;
  }
}
