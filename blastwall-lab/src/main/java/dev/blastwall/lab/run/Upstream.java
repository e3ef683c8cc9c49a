package dev.blastwall.lab.run;

import java.util.concurrent.CompletableFuture;

/** One caller's client for one called service (all its replicas). */
interface Upstream extends AutoCloseable {

  /**
   * Calls the service for user request {@code id}; the call is made under the contexts current on this thread.
   *
   * @return the answer's flags, or a failure carrying the gRPC status
   */
  CompletableFuture<byte[]> call(long id, boolean idempotent);

  /** Shuts the channel down and waits a little for it. */
  @Override
  void close();
}
