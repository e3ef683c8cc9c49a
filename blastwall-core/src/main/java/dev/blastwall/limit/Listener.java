package dev.blastwall.limit;

import dev.blastwall.server.Permit;

/**
 * One admitted request's hold on a limiter. Exactly one of the three methods must be called when the request ends,
 * whatever the outcome; later calls do nothing, so a {@code finally} that calls {@link #onIgnore()} after a success
 * was recorded is harmless.
 *
 * <pre>{@code
 * Listener listener = limiter.acquire();   // or tryAcquire(), null when refused
 * try {
 *   Response response = client.call(request);
 *   listener.onSuccess();
 *   return response;
 * } catch (TimeoutException | OverloadedException e) {
 *   listener.onDropped();
 *   throw e;
 * } finally {
 *   listener.onIgnore();   // any other way out: release without a sample
 * }
 * }</pre>
 *
 * <p>Thread-safe: any thread may end the request. A limiter is an {@link dev.blastwall.server.Admission} too, and
 * this is the {@link Permit} it admits with.
 */
public interface Listener extends Permit {

  /** The request completed: releases it and feeds its rtt to the limit. */
  @Override
  void onSuccess();

  /**
   * The request timed out or the upstream refused it as overloaded: releases it and feeds the limit a congestion
   * signal.
   */
  @Override
  void onDropped();

  /**
   * The request ended in a way that says nothing about the upstream's load (cancelled by the caller, failed
   * validation before it was sent): releases it without a sample.
   */
  @Override
  void onIgnore();
}
