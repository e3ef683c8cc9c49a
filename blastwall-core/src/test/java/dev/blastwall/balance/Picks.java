package dev.blastwall.balance;

import org.jspecify.annotations.Nullable;

/** Test helper: a pick that must succeed. */
final class Picks {

  private Picks() {}

  /** Picks for {@code key}, failing the test if the selector has nothing to pick. */
  static Endpoint pick(Selector selector, @Nullable Object key) {
    Endpoint picked = selector.pick(key);
    if (picked == null) {
      throw new AssertionError(selector + " picked nothing for key " + key);
    }
    return picked;
  }
}
