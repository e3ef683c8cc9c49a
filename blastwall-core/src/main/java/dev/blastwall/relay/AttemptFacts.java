package dev.blastwall.relay;

/**
 * What only the attempt that received a failure knows, which changes what the failure means here.
 *
 * @param neverSent the request never left this client (gRPC: its stream was never created on a connection), so it
 *     certainly did not run
 * @param ownTimeout the attempt was bounded by its own attempt timeout, earlier than the call's deadline (which has
 *     not passed): a deadline failure is then this attempt's TIMEOUT, retryable, not the call's end
 * @param cancelledHere this side cancelled the attempt (the application, the caller's context, Blastwall itself);
 *     a cancellation nobody here asked for is the upstream going away
 */
public record AttemptFacts(boolean neverSent, boolean ownTimeout, boolean cancelledHere) {

  /** Nothing known about the attempt: the failure means what its kind says. */
  public static final AttemptFacts NOT_KNOWN = new AttemptFacts(false, false, true);
}
