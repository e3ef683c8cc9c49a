package dev.blastwall.propagation;

import dev.blastwall.deadline.TimeoutHeader;

/**
 * The names of the headers Blastwall puts on the wire, the same for every transport (lower case, as HTTP/2 and
 * gRPC require). {@link HeaderValues} parses and formats their values; {@link ContextCodec} reads and writes a whole
 * call context with them.
 *
 * <table>
 *   <caption>Headers</caption>
 *   <tr><th>name</th><th>where</th><th>value</th></tr>
 *   <tr><td>{@value #CRITICALITY}</td><td>request</td>
 *       <td>{@code CRITICAL_PLUS}, {@code CRITICAL}, {@code SHEDDABLE_PLUS} or {@code SHEDDABLE}, ASCII in any case</td></tr>
 *   <tr><td>{@value #IDEMPOTENCY_KEY}</td><td>request</td>
 *       <td>1 to 255 visible ASCII characters, the same on every attempt of one logical call</td></tr>
 *   <tr><td>{@value #ATTEMPT}</td><td>request</td>
 *       <td>the attempt number, sent from the second attempt on; absent means 1</td></tr>
 *   <tr><td>{@value #ATTEMPT_KIND}</td><td>request</td>
 *       <td>{@code hedge} on a hedged attempt; absent means a retry (from attempt 2 on)</td></tr>
 *   <tr><td>{@value #DO_NOT_RETRY}</td><td>request, response</td>
 *       <td>{@code true} (or {@code 1}): on a request, nothing below may retry; on a response, the failure was
 *       already retried (or must not be) below</td></tr>
 *   <tr><td>{@value #RETRY_PUSHBACK_MS}</td><td>response</td>
 *       <td>gRPC's pushback (gRFC A6): {@code >= 0} retry after that many ms; negative: do not retry</td></tr>
 *   <tr><td>{@value #TENANT}</td><td>request</td><td>1 to 64 visible ASCII characters</td></tr>
 *   <tr><td>{@value #TIMEOUT}</td><td>request</td>
 *       <td>the time left, {@link TimeoutHeader}'s format (relative deadline, for RPC)</td></tr>
 *   <tr><td>{@value #DEADLINE}</td><td>request, message</td>
 *       <td>the wall-clock expiry in epoch milliseconds (absolute deadline, for messages that wait in a broker)</td></tr>
 *   <tr><td>{@value #TRACEPARENT}, {@value #TRACESTATE}</td><td>request</td>
 *       <td>W3C Trace Context, passed through unchanged when well formed (see {@link W3cTrace})</td></tr>
 * </table>
 */
public final class Headers {

  /** How much the request matters when a server sheds load. */
  public static final String CRITICALITY = "blastwall-criticality";

  /** The logical call's idempotency key, reused by all its attempts, for the server to deduplicate on. */
  public static final String IDEMPOTENCY_KEY = "idempotency-key";

  /** The attempt number within the logical call: 2 for the first retry or hedge; absent means 1. */
  public static final String ATTEMPT = "blastwall-attempt";

  /** Why an attempt after the first was sent: {@code hedge}; absent means a retry. */
  public static final String ATTEMPT_KIND = "blastwall-attempt-kind";

  /** "Do not retry": on a request, nothing below may retry; on a response, the failure must not be retried above. */
  public static final String DO_NOT_RETRY = "blastwall-do-not-retry";

  /** gRPC's server pushback (gRFC A6), in milliseconds. */
  public static final String RETRY_PUSHBACK_MS = "grpc-retry-pushback-ms";

  /** The tenant the call is made for, for per-tenant limits downstream. */
  public static final String TENANT = "blastwall-tenant";

  /** The relative deadline: the time left when the request was sent. */
  public static final String TIMEOUT = TimeoutHeader.NAME;

  /** The absolute deadline: the wall-clock expiry in epoch milliseconds. */
  public static final String DEADLINE = "blastwall-deadline";

  /** W3C Trace Context: the trace and parent span. */
  public static final String TRACEPARENT = "traceparent";

  /** W3C Trace Context: vendor-specific trace state. */
  public static final String TRACESTATE = "tracestate";

  private Headers() {}
}
