package dev.blastwall.lab.run;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.EventListener;
import java.util.Queue;

/**
 * Listens to one caller's pipeline and breaker for one upstream: counts the retries and hedges it sends into the
 * caller's counters, and records the breaker's transitions during the measured run.
 */
final class EdgeEvents implements EventListener {

  private final String caller;
  private final String upstream;
  private final ClientCounters counters;
  private final RunClock clock;
  private final Queue<BreakerChange> changes;

  EdgeEvents(String caller, String upstream, ClientCounters counters, RunClock clock, Queue<BreakerChange> changes) {
    this.caller = caller;
    this.upstream = upstream;
    this.counters = counters;
    this.clock = clock;
    this.changes = changes;
  }

  @Override
  public void onEvent(BlastwallEvent event) {
    switch (event) {
      case BlastwallEvent.AttemptStarted started when started.kind() == AttemptKind.RETRY ->
          counters.retries.increment();
      case BlastwallEvent.AttemptStarted started when started.kind() == AttemptKind.HEDGE ->
          counters.hedges.increment();
      case BlastwallEvent.CircuitStateChanged changed -> {
        double at = clock.secondsSinceStart(changed.atNanos());
        if (at >= 0) {
          changes.add(new BreakerChange(caller, upstream, at, changed.from(), changed.to()));
        }
      }
      default -> { }
    }
  }
}
