package dev.blastwall.server;

/**
 * One admitted call's hold on an {@link Admission}. One of the three methods must be called when the call ends,
 * whatever the outcome; an implementation ignores every call after the first, so a {@code finally} that calls
 * {@link #onIgnore()} after a success was recorded is harmless. Thread-safe: any thread may end the call.
 */
public interface Permit {

  /** The call completed: gives the place back, and an adaptive limit may learn from how long it took. */
  void onSuccess();

  /** The call timed out or was refused as overloaded further on: gives the place back as a congestion signal. */
  void onDropped();

  /**
   * The call ended in a way that says nothing about load (cancelled by its caller, failed before it did any
   * work): gives the place back without a sample.
   */
  void onIgnore();
}
