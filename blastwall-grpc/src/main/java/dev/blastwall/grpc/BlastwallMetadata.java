package dev.blastwall.grpc;

import dev.blastwall.context.Criticality;
import dev.blastwall.propagation.HeaderSink;
import dev.blastwall.propagation.HeaderSource;
import dev.blastwall.propagation.HeaderValues;
import dev.blastwall.propagation.Headers;
import io.grpc.Metadata;
import org.jspecify.annotations.Nullable;

/**
 * The metadata keys Blastwall puts on the wire, and their parsers: core's {@link Headers} and {@link HeaderValues}
 * as gRPC {@code Metadata} keys. The deadline is not among them: it travels as gRPC's own deadline
 * ({@code grpc-timeout}), which every gRPC server already honours.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>where</th><th>value</th></tr>
 *   <tr><td>{@code blastwall-criticality}</td><td>request</td>
 *       <td>{@code CRITICAL_PLUS}, {@code CRITICAL}, {@code SHEDDABLE_PLUS} or {@code SHEDDABLE}</td></tr>
 *   <tr><td>{@code idempotency-key}</td><td>request</td>
 *       <td>1 to 255 visible ASCII characters, the same on every attempt of one logical call</td></tr>
 *   <tr><td>{@code blastwall-attempt}</td><td>request</td>
 *       <td>the attempt number, sent from the second attempt on (2 for the first retry or hedge); absent means
 *       1, the first attempt</td></tr>
 *   <tr><td>{@code blastwall-attempt-kind}</td><td>request</td>
 *       <td>{@code hedge} on a hedged attempt; absent from attempt 2 on means a retry</td></tr>
 *   <tr><td>{@code blastwall-do-not-retry}</td><td>request</td>
 *       <td>{@code true}: the caller forbids retries below it (its own pipelines are making one attempt)</td></tr>
 *   <tr><td>{@code blastwall-do-not-retry}</td><td>response trailers</td>
 *       <td>{@code true}: the failure was already retried (or must not be) below; see
 *       {@link GrpcStatusMapping} for who may still retry it</td></tr>
 *   <tr><td>{@code grpc-retry-pushback-ms}</td><td>response trailers</td>
 *       <td>gRPC's own pushback: {@code >= 0} retry after exactly that many ms; negative or unparseable: do not
 *       retry</td></tr>
 *   <tr><td>{@code blastwall-tenant}</td><td>request</td><td>1 to 64 visible ASCII characters</td></tr>
 *   <tr><td>{@code traceparent}, {@code tracestate}</td><td>request</td>
 *       <td>W3C Trace Context, passed on unchanged when well formed, unless the application (or its tracing
 *       interceptor) set its own</td></tr>
 * </table>
 *
 * <p>Parsers are lenient with peers: an unknown criticality, a malformed attempt number, kind, tenant or trace is
 * ignored (the server falls back to its default) rather than failing the request. None of them quotes a value; the
 * one value a server refuses, a malformed idempotency key, is quoted in its INVALID_ARGUMENT description by a
 * bounded, escaped prefix only (see {@link BlastwallServerInterceptor}).
 */
public final class BlastwallMetadata {

  /** How much the request matters when a server sheds load. */
  public static final Metadata.Key<String> CRITICALITY = key(Headers.CRITICALITY);

  /** The logical call's idempotency key, reused by all its attempts, for the server to deduplicate on. */
  public static final Metadata.Key<String> IDEMPOTENCY_KEY = key(Headers.IDEMPOTENCY_KEY);

  /**
   * The attempt number within the logical call: 2 for the first retry, and so on. Blastwall clients do not send it
   * on a first attempt, and servers read its absence as 1.
   */
  public static final Metadata.Key<String> ATTEMPT = key(Headers.ATTEMPT);

  /** {@code hedge} on a hedged attempt; absent means a retry. */
  public static final Metadata.Key<String> ATTEMPT_KIND = key(Headers.ATTEMPT_KIND);

  /** "Do not retry": on a request, nothing below may retry; on a response, see {@link GrpcStatusMapping}. */
  public static final Metadata.Key<String> DO_NOT_RETRY = key(Headers.DO_NOT_RETRY);

  /** gRPC's server pushback (gRFC A6), read by Blastwall clients and written by Blastwall servers. */
  public static final Metadata.Key<String> RETRY_PUSHBACK_MS = key(Headers.RETRY_PUSHBACK_MS);

  /** The tenant the call is made for. */
  public static final Metadata.Key<String> TENANT = key(Headers.TENANT);

  static final Metadata.Key<String> TRACEPARENT = key(Headers.TRACEPARENT);
  static final Metadata.Key<String> TRACESTATE = key(Headers.TRACESTATE);

  /** {@link #parsePushbackMillis} for a pushback that says "do not retry" (negative or unparseable). */
  public static final long PUSHBACK_DO_NOT_RETRY = -1;

  /** {@link #parsePushbackMillis} when there is no pushback at all. */
  public static final long NO_PUSHBACK = -2;

  private BlastwallMetadata() {}

  /**
   * The criticality named by {@code value} (ASCII letters in any case), or {@code null} when absent or unknown.
   */
  public static @Nullable Criticality parseCriticality(@Nullable String value) {
    return HeaderValues.parseCriticality(value).orNull();
  }

  /** The attempt number in {@code value}, or {@code 1} when absent, malformed or below 1. */
  public static int parseAttempt(@Nullable String value) {
    return HeaderValues.parseAttempt(value).orElse(1);
  }

  /** Whether {@code value} of a {@link #DO_NOT_RETRY} key means "do not retry": {@code true} or {@code 1}. */
  public static boolean parseDoNotRetry(@Nullable String value) {
    return HeaderValues.parseDoNotRetry(value).orElse(Boolean.FALSE);
  }

  /**
   * The pushback in {@code value} in milliseconds: the value when it is a non-negative decimal integer,
   * {@link #PUSHBACK_DO_NOT_RETRY} when it is anything else (negative, not a number), {@link #NO_PUSHBACK} when
   * {@code value} is null.
   */
  public static long parsePushbackMillis(@Nullable String value) {
    if (value == null) {
      return NO_PUSHBACK;
    }
    // Refused (not a number) forbids retries too: a peer that meant to push back must not get a retry storm.
    return HeaderValues.parsePushbackMillis(value).orElse(PUSHBACK_DO_NOT_RETRY);
  }

  /** Whether {@code metadata} carries the do-not-retry mark. */
  public static boolean hasDoNotRetry(@Nullable Metadata metadata) {
    return metadata != null && parseDoNotRetry(metadata.get(DO_NOT_RETRY));
  }

  /** Sets the do-not-retry mark on {@code metadata}. */
  public static void markDoNotRetry(Metadata metadata) {
    metadata.discardAll(DO_NOT_RETRY);
    metadata.put(DO_NOT_RETRY, HeaderValues.formatDoNotRetry());
  }

  /** Sets {@code grpc-retry-pushback-ms} on {@code metadata}, replacing any value; negative means "do not retry". */
  static void putPushback(Metadata metadata, long millis) {
    metadata.discardAll(RETRY_PUSHBACK_MS);
    metadata.put(RETRY_PUSHBACK_MS, HeaderValues.formatPushbackMillis(millis));
  }

  /** {@code metadata} as a header source for core's codecs. */
  static HeaderSource source(Metadata metadata) {
    return name -> metadata.get(keyOf(name));
  }

  /**
   * {@code metadata} as a header sink for core's codecs; each value replaces the key's earlier ones. Trace headers
   * are left alone when {@code metadata} had a traceparent of its own: a tracing interceptor's span comes first.
   */
  static HeaderSink sink(Metadata metadata) {
    boolean ownTrace = metadata.containsKey(TRACEPARENT);
    return (name, value) -> {
      if (ownTrace && (name.equals(Headers.TRACEPARENT) || name.equals(Headers.TRACESTATE))) {
        return;
      }
      Metadata.Key<String> key = keyOf(name);
      metadata.discardAll(key);
      metadata.put(key, value);
    };
  }

  /** The key of header {@code name}: one of the constants, so the codecs allocate no keys per call. */
  static Metadata.Key<String> keyOf(String name) {
    return switch (name) {
      case Headers.CRITICALITY -> CRITICALITY;
      case Headers.IDEMPOTENCY_KEY -> IDEMPOTENCY_KEY;
      case Headers.ATTEMPT -> ATTEMPT;
      case Headers.ATTEMPT_KIND -> ATTEMPT_KIND;
      case Headers.DO_NOT_RETRY -> DO_NOT_RETRY;
      case Headers.RETRY_PUSHBACK_MS -> RETRY_PUSHBACK_MS;
      case Headers.TENANT -> TENANT;
      case Headers.TRACEPARENT -> TRACEPARENT;
      case Headers.TRACESTATE -> TRACESTATE;
      default -> key(name);
    };
  }

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }
}
