package dev.blastwall.pipeline;

import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.event.EventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every event it receives, in order. */
final class RecordingListener implements EventListener {

  private final List<BlastwallEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(BlastwallEvent event) {
    events.add(event);
  }

  List<BlastwallEvent> events() {
    return List.copyOf(events);
  }

  <E extends BlastwallEvent> List<E> events(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
