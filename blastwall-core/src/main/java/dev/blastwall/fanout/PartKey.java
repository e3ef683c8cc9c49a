package dev.blastwall.fanout;

import org.jspecify.annotations.Nullable;

/**
 * The typed handle to one part of a {@link Fanout}, returned when the part is added and used to read its value
 * from the {@link FanoutResult}. A key belongs to the builder that made it and works only with its fanouts.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the type of the part's value
 */
// T is a phantom type: it exists only so that FanoutResult.get(key) returns the part's type.
@SuppressWarnings("UnusedTypeParameter")
public final class PartKey<T extends @Nullable Object> {

  private final Object owner;
  private final String name;
  private final int index;
  private final boolean required;

  PartKey(Object owner, String name, int index, boolean required) {
    this.owner = owner;
    this.name = name;
    this.index = index;
    this.required = required;
  }

  /** The part's name, unique within its fanout. */
  public String name() {
    return name;
  }

  /** Whether the fanout fails when this part does. */
  public boolean required() {
    return required;
  }

  Object owner() {
    return owner;
  }

  int index() {
    return index;
  }

  @Override
  public String toString() {
    return "PartKey[" + name + (required ? ", required" : ", optional") + "]";
  }
}
