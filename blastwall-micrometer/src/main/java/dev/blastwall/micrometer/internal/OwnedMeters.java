package dev.blastwall.micrometer.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * The meters one binding registered, so that closing it removes exactly those. A meter registered after the
 * binding closed (a timer created on a timed call that raced the close) is removed at once.
 */
public final class OwnedMeters {

  private final MeterRegistry registry;
  private final List<Meter> owned = new CopyOnWriteArrayList<>();
  /** What the function counters read, kept for as long as this binding is. */
  private final List<Object> sources = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  public OwnedMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Remembers {@code meter}, registered in {@link #registry()}, as this binding's. */
  public <M extends Meter> M own(M meter) {
    owned.add(meter);
    // Read after the add: a close that began before it either sees the meter in its list or is seen here.
    if (closed) {
      registry.remove(meter);
    }
    return meter;
  }

  public Counter counter(String name, String description, Tags tags) {
    return own(Counter.builder(name).description(description).tags(tags).register(registry));
  }

  /** A gauge reading {@code source} when scraped; Micrometer holds {@code source} weakly. */
  public <T> void gauge(String name, String description, Tags tags, T source, ToDoubleFunction<T> value) {
    own(Gauge.builder(name, source, value).description(description).tags(tags).register(registry));
  }

  /**
   * A counter whose count is kept elsewhere (by a policy, or in a binder's adders), read when scraped: nothing to
   * do on a call's path. Micrometer holds {@code source} weakly, so this binding holds it too: a binder's adders
   * have no other holder once the pipeline lets go of its observer, and a count must not turn into NaN.
   */
  public <T> void functionCounter(String name, String description, Tags tags, T source, ToDoubleFunction<T> count) {
    sources.add(source);
    own(FunctionCounter.builder(name, source, count).description(description).tags(tags).register(registry));
  }

  /** Removes every meter of this binding from the registry. Safe to call more than once. */
  public void removeAll() {
    closed = true;
    for (Meter meter : owned) {
      registry.remove(meter);
    }
    owned.clear();
  }
}
