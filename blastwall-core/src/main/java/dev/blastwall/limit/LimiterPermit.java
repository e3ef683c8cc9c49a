package dev.blastwall.limit;

import dev.blastwall.internal.OncePermit;

/** A limiter's {@link Listener}: ends once and carries what its sample needs; each limiter adds its own counts. */
abstract class LimiterPermit extends OncePermit implements Listener {

  /** When the request was admitted, on the limiter's ticker. */
  final long startNanos;
  /** Requests in flight right after this one was admitted, itself included. */
  final int inflightAtStart;

  LimiterPermit(long startNanos, int inflightAtStart) {
    this.startNanos = startNanos;
    this.inflightAtStart = inflightAtStart;
  }
}
