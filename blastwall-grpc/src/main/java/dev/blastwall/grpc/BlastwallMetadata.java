package dev.blastwall.grpc;

import dev.blastwall.context.Criticality;
import io.grpc.Metadata;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The metadata keys Blastwall puts on the wire, and their parsers. The deadline is not among them: it travels as
 * gRPC's own deadline ({@code grpc-timeout}), which every gRPC server already honours.
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
 *   <tr><td>{@code blastwall-do-not-retry}</td><td>request</td>
 *       <td>{@code true}: the caller forbids retries below it (its own pipelines are making one attempt)</td></tr>
 *   <tr><td>{@code blastwall-do-not-retry}</td><td>response trailers</td>
 *       <td>{@code true}: the failure was already retried (or must not be) below; see
 *       {@link GrpcStatusMapping} for who may still retry it</td></tr>
 *   <tr><td>{@code grpc-retry-pushback-ms}</td><td>response trailers</td>
 *       <td>gRPC's own pushback: {@code >= 0} retry after exactly that many ms; negative or unparseable: do not
 *       retry</td></tr>
 * </table>
 *
 * <p>Parsers are lenient with peers: an unknown criticality or a malformed attempt number is ignored (the server
 * falls back to its default) rather than failing the request. None of them quotes a value; the one value a server
 * refuses, a malformed idempotency key, is quoted in its INVALID_ARGUMENT description by a bounded, escaped prefix
 * only (see {@link BlastwallServerInterceptor}).
 */
public final class BlastwallMetadata {

  /** How much the request matters when a server sheds load. */
  public static final Metadata.Key<String> CRITICALITY =
      Metadata.Key.of("blastwall-criticality", Metadata.ASCII_STRING_MARSHALLER);

  /** The logical call's idempotency key, reused by all its attempts, for the server to deduplicate on. */
  public static final Metadata.Key<String> IDEMPOTENCY_KEY =
      Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * The attempt number within the logical call: 2 for the first retry, and so on. Blastwall clients do not send it
   * on a first attempt, and servers read its absence as 1.
   */
  public static final Metadata.Key<String> ATTEMPT =
      Metadata.Key.of("blastwall-attempt", Metadata.ASCII_STRING_MARSHALLER);

  /** "Do not retry": on a request, nothing below may retry; on a response, see {@link GrpcStatusMapping}. */
  public static final Metadata.Key<String> DO_NOT_RETRY =
      Metadata.Key.of("blastwall-do-not-retry", Metadata.ASCII_STRING_MARSHALLER);

  /** gRPC's server pushback (gRFC A6), read by Blastwall clients and written by Blastwall servers. */
  public static final Metadata.Key<String> RETRY_PUSHBACK_MS =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  /** {@link #parsePushbackMillis} for a pushback that says "do not retry" (negative or unparseable). */
  public static final long PUSHBACK_DO_NOT_RETRY = -1;

  /** {@link #parsePushbackMillis} when there is no pushback at all. */
  public static final long NO_PUSHBACK = -2;

  private static final String TRUE = "true";

  // Longer values are not numbers we would honour anyway; bounding the scan bounds the work a peer can cause.
  private static final int MAX_NUMBER_CHARS = 18;

  /** The longest criticality name, SHEDDABLE_PLUS; longer values need no further look. */
  private static final int MAX_CRITICALITY_CHARS = 14;

  private BlastwallMetadata() {}

  /**
   * The criticality named by {@code value} (ASCII letters in any case), or {@code null} when absent or unknown.
   */
  public static @Nullable Criticality parseCriticality(@Nullable String value) {
    if (value == null) {
      return null;
    }
    String trimmed = value.trim();
    // ASCII only: toUpperCase would also turn a dotless i or a long s into I and S, so lookalikes would pass.
    if (trimmed.length() > MAX_CRITICALITY_CHARS || !trimmed.chars().allMatch(c -> c < 0x80)) {
      return null;
    }
    return switch (trimmed.toUpperCase(Locale.ROOT)) {
      case "CRITICAL_PLUS" -> Criticality.CRITICAL_PLUS;
      case "CRITICAL" -> Criticality.CRITICAL;
      case "SHEDDABLE_PLUS" -> Criticality.SHEDDABLE_PLUS;
      case "SHEDDABLE" -> Criticality.SHEDDABLE;
      default -> null;
    };
  }

  /** The attempt number in {@code value}, or {@code 1} when absent, malformed or below 1. */
  public static int parseAttempt(@Nullable String value) {
    long parsed = parseNonNegative(value);
    return parsed < 1 || parsed > Integer.MAX_VALUE ? 1 : (int) parsed;
  }

  /** Whether {@code value} of a {@link #DO_NOT_RETRY} key means "do not retry": {@code true} or {@code 1}. */
  public static boolean parseDoNotRetry(@Nullable String value) {
    if (value == null) {
      return false;
    }
    String trimmed = value.trim();
    return trimmed.equalsIgnoreCase(TRUE) || trimmed.equals("1");
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
    long parsed = parseNonNegative(value);
    return parsed < 0 ? PUSHBACK_DO_NOT_RETRY : parsed;
  }

  /** Whether {@code metadata} carries the do-not-retry mark. */
  public static boolean hasDoNotRetry(@Nullable Metadata metadata) {
    return metadata != null && parseDoNotRetry(metadata.get(DO_NOT_RETRY));
  }

  /** Sets the do-not-retry mark on {@code metadata}. */
  public static void markDoNotRetry(Metadata metadata) {
    metadata.discardAll(DO_NOT_RETRY);
    metadata.put(DO_NOT_RETRY, TRUE);
  }

  /** Sets {@code grpc-retry-pushback-ms} on {@code metadata}, replacing any value; negative means "do not retry". */
  static void putPushback(Metadata metadata, long millis) {
    metadata.discardAll(RETRY_PUSHBACK_MS);
    metadata.put(RETRY_PUSHBACK_MS, Long.toString(millis));
  }

  /** A decimal integer of ASCII digits only, or -1. Not Long.parseLong: it accepts signs and non-ASCII digits. */
  private static long parseNonNegative(@Nullable String value) {
    if (value == null) {
      return -1;
    }
    String trimmed = value.trim();
    if (trimmed.isEmpty() || trimmed.length() > MAX_NUMBER_CHARS) {
      return -1;
    }
    long result = 0;
    for (int i = 0; i < trimmed.length(); i++) {
      char c = trimmed.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      result = result * 10 + (c - '0');
    }
    return result;
  }
}
