package dev.blastwall.context;

import dev.blastwall.internal.Checks;

/**
 * A typed key for a small value carried in the {@link CallContext} (a tenant id, a trace id). Keys compare by
 * identity, so two libraries choosing the same name never read each other's values.
 *
 * @param <T> the type of the value
 */
public final class BaggageKey<T> {

  private final String name;
  private final Class<T> type;

  private BaggageKey(String name, Class<T> type) {
    this.name = name;
    this.type = type;
  }

  /** A new key; hold it in a constant and share it. */
  public static <T> BaggageKey<T> of(String name, Class<T> type) {
    if (name.isBlank()) {
      throw Checks.invalidArgument("name", '"' + name + '"', "a non-blank name");
    }
    return new BaggageKey<>(name, type);
  }

  public String name() {
    return name;
  }

  T cast(Object value) {
    return type.cast(value);
  }

  @Override
  public String toString() {
    return "BaggageKey[" + name + ": " + type.getSimpleName() + "]";
  }
}
