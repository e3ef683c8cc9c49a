package dev.blastwall.grpc;

import io.grpc.Attributes;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;

/**
 * Tells whether an attempt's request may have left the client. grpc-java creates the tracers of a call when the call
 * starts, and calls {@link ClientStreamTracer#streamCreated} only when it creates the call's stream on a connected
 * transport; a call that fails before that (no ready backend, the channel shut down, the deadline passed while it
 * waited for a connection) never gets there, and its request never reached any server.
 *
 * <p>Only a call that went the ordinary way (its tracers were made) and never got a stream counts as never sent:
 * if nothing ever asked this factory for a tracer (a channel or interceptor below that does not use the call's
 * options), the request may have been sent, which is the safe answer.
 *
 * <p>One per attempt, and only for attempts of methods that are not idempotent (the others are retried either
 * way), so the calls that need no such answer pay nothing for it.
 */
final class SendTracker extends ClientStreamTracer.Factory {

  private volatile boolean consulted;
  private volatile boolean created;
  private final ClientStreamTracer tracer = new ClientStreamTracer() {
    @Override
    public void streamCreated(Attributes transportAttrs, Metadata headers) {
      created = true;
    }
  };

  @Override
  public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
    consulted = true;
    return tracer;
  }

  /** Whether the attempt certainly never had a stream on a connection, so its request never left the client. */
  boolean neverSent() {
    return consulted && !created;
  }
}
