package dev.blastwall.event;

/**
 * A listener added to a running policy (or an action watching a registry); closing it takes it off again. Events
 * being delivered while it closes may still reach it; none after {@code close} returns.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

  /** Removes the listener. Safe to call more than once. */
  @Override
  void close();
}
