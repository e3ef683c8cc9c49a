package dev.blastwall.micrometer.internal;

import static dev.blastwall.micrometer.MeterNames.BREAKER_FAILURE_RATE;
import static dev.blastwall.micrometer.MeterNames.BREAKER_STATE;
import static dev.blastwall.micrometer.MeterNames.BREAKER_TRANSITIONS;
import static dev.blastwall.micrometer.MeterNames.STATE;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.breaker.CircuitBreaker.State;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.BlastwallEvent.CircuitStateChanged;
import dev.blastwall.event.EventListener;
import dev.blastwall.event.Subscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;

/**
 * A circuit breaker's meters: one state gauge per state (1 for the current one, 0 for the others, so a dashboard
 * can stack them and an alert can match one), the transitions into each state, and the failure rate.
 */
final class BreakerMeters implements EventListener {

  private final EnumMap<State, Counter> transitions = new EnumMap<>(State.class);

  private BreakerMeters(CircuitBreaker breaker, Tags tags, OwnedMeters meters) {
    for (State state : State.values()) {
      Tags tagged = tags.and(STATE, UpstreamMeters.tag(state));
      meters.gauge(BREAKER_STATE, "1 for the circuit breaker's current state, 0 for the others", tagged, breaker,
          watched -> watched.state() == state ? 1 : 0);
      transitions.put(state, meters.counter(BREAKER_TRANSITIONS,
          "Changes of the circuit breaker's state, by the state entered", tagged));
    }
    meters.gauge(BREAKER_FAILURE_RATE, "Failed calls in the circuit breaker's window, in percent", tags, breaker,
        watched -> watched.snapshot().failureRate());
  }

  /** Registers the meters of {@code breaker} and counts its transitions until the subscription is closed. */
  static Subscription bind(CircuitBreaker breaker, Tags tags, OwnedMeters meters) {
    return breaker.addListener(new BreakerMeters(breaker, tags, meters));
  }

  @Override
  public void onEvent(BlastwallEvent event) {
    if (event instanceof CircuitStateChanged changed) {
      // The breaker names its states as State's constants do; an unknown name would be a bug, caught by tests.
      Counter entered = transitions.get(State.valueOf(changed.to()));
      if (entered != null) {
        entered.increment();
      }
    }
  }
}
