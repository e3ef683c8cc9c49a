package dev.blastwall.event;

/**
 * Receives policy events. Called synchronously on the thread where the event happens, so it must be fast and
 * must not throw; an exception it throws is ignored by the pipeline so that observing can never break a call.
 */
@FunctionalInterface
public interface EventListener {

  /** Listens to nothing. Pipelines skip building events entirely when this is their listener. */
  EventListener NONE = event -> {};

  void onEvent(BlastwallEvent event);

  /** A listener that passes each event to this one and then to {@code next}. */
  default EventListener andThen(EventListener next) {
    if (this == NONE) {
      return next;
    }
    if (next == NONE) {
      return this;
    }
    EventListener first = this;
    return event -> {
      first.onEvent(event);
      next.onEvent(event);
    };
  }
}
