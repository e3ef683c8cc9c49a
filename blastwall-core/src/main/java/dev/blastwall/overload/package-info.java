/**
 * Server-side overload protection: criticality-aware admission control and a bounded, deadline-aware work queue
 * with adaptive LIFO and controlled delay.
 *
 * <p>Every refusal is an {@link dev.blastwall.failure.OverloadedException}: policy {@code admission} or
 * {@code queue}; reason {@code shed} (admission, or a stale request dropped from an overloaded queue),
 * {@code queue-full} or {@code deadline}; a retry-after hint; and {@code doNotRetry() == true}. The outcomes are
 * protocol-neutral; transport adapters map them as follows.
 * <ul>
 *   <li><b>gRPC</b>: {@code RESOURCE_EXHAUSTED} with trailer {@code grpc-retry-pushback-ms} set to the hint in
 *       milliseconds. {@code UNAVAILABLE} is for a server that is not ready at all (starting, draining), which a
 *       client may send elsewhere at once; an overloaded server is ready, just busy.
 *   <li><b>HTTP</b>: {@code 503 Service Unavailable} with {@code Retry-After} (the hint rounded up to whole
 *       seconds) when the server as a whole is overloaded, which is everything in this package; {@code 429 Too
 *       Many Requests} is for per-client limits (rate limiters, quotas), where this client should slow down and
 *       others are unaffected.
 *   <li><b>Retries</b>: {@code doNotRetry} means only the layer directly above this server may retry, and only
 *       after the hint: its adapter decodes the status into an overloaded failure carrying the hint, and when
 *       that client gives up, its own failure says "do not retry", so nothing further up multiplies the load of a
 *       server that is already shedding.
 * </ul>
 */
@NullMarked
package dev.blastwall.overload;

import org.jspecify.annotations.NullMarked;
