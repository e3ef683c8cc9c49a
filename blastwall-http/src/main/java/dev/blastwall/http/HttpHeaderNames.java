package dev.blastwall.http;

import dev.blastwall.propagation.Headers;

/**
 * The header names only HTTP uses, lower case (HTTP/2 requires it; HTTP/1.1 ignores case). The call context itself
 * (deadline, criticality, idempotency key, attempt, do-not-retry mark, tenant, trace) travels under core's
 * {@link Headers} names, the same as over gRPC, so a chain that mixes the two protocols reads one set of names.
 * docs/http.md gives the reasons for each choice.
 */
public final class HttpHeaderNames {

  /** RFC 9110's pushback on 429 and 503: delta-seconds or an HTTP-date. */
  public static final String RETRY_AFTER = "retry-after";

  /**
   * The de facto sub-second pushback in milliseconds (Azure's, read first by many clients): sent beside
   * {@link #RETRY_AFTER}, whose whole seconds are too coarse for a shed that clears in 50 ms.
   */
  public static final String RETRY_AFTER_MS = "retry-after-ms";

  private HttpHeaderNames() {}
}
