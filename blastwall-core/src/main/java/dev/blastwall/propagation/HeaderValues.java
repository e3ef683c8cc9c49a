package dev.blastwall.propagation;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.Criticality;
import dev.blastwall.context.Idempotency;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Untrusted;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Parses and formats the values of {@link Headers}. A parse never throws: it gives a {@link HeaderValue} that is
 * absent (for {@code null}), the value, or a refusal {@code name: "value" (expected: ...)} quoting the value bounded
 * and escaped. Numbers are ASCII digits only (not {@code Long.parseLong}, which accepts signs and other scripts'
 * digits), and names ASCII only (Java's case mapping turns a dotless i or a long s into I and S). Where the format
 * allows it, surrounding whitespace is ignored, as gRPC's own parsers do.
 */
public final class HeaderValues {

  /** The longest tenant id. */
  public static final int MAX_TENANT_LENGTH = 64;

  static final String EXPECTED_CRITICALITY = "CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS or SHEDDABLE";
  static final String EXPECTED_ATTEMPT = "a decimal from 1 to " + Integer.MAX_VALUE;
  static final String EXPECTED_ATTEMPT_KIND = "retry or hedge";
  static final String EXPECTED_DO_NOT_RETRY = "true, false, 1 or 0";
  static final String EXPECTED_PUSHBACK = "a decimal number of milliseconds, negative for \"do not retry\"";
  static final String EXPECTED_KEY = "1 to " + Idempotency.MAX_KEY_LENGTH + " visible ASCII characters";
  static final String EXPECTED_TENANT = "1 to " + MAX_TENANT_LENGTH + " visible ASCII characters";

  // Longer values are not numbers we would honour anyway; bounding the scan bounds the work a peer can cause.
  static final int MAX_NUMBER_CHARS = 18;

  /** The longest criticality name, SHEDDABLE_PLUS; longer values need no further look. */
  private static final int MAX_CRITICALITY_CHARS = 14;

  private static final String TRUE = "true";

  // The attempt numbers nearly every call sends, as text made once: Integer.toString would allocate per attempt.
  private static final String[] ATTEMPT_TEXT = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

  // Nearly every request carries a criticality: one read result per name, made once, keeps the read allocation-free.
  private static final List<HeaderValue<Criticality>> CRITICALITIES =
      Arrays.stream(Criticality.values()).map(HeaderValue::of).toList();

  private static final HeaderValue<Boolean> YES = HeaderValue.of(Boolean.TRUE);
  private static final HeaderValue<Boolean> NO = HeaderValue.of(Boolean.FALSE);

  private HeaderValues() {}

  // --- criticality --------------------------------------------------------------------------------------------

  /** {@link Headers#CRITICALITY}: one of the four names, ASCII letters in any case. */
  public static HeaderValue<Criticality> parseCriticality(@Nullable CharSequence value) {
    if (value == null) {
      return HeaderValue.absent();
    }
    CharSequence trimmed = trim(value);
    if (trimmed.length() <= MAX_CRITICALITY_CHARS) {
      for (HeaderValue<Criticality> criticality : CRITICALITIES) {
        if (equalsAsciiIgnoreCase(trimmed, criticality.value().name())) {
          return criticality;
        }
      }
    }
    return refused(Headers.CRITICALITY, value, EXPECTED_CRITICALITY);
  }

  public static String formatCriticality(Criticality criticality) {
    return criticality.name();
  }

  // --- attempt ------------------------------------------------------------------------------------------------

  /** {@link Headers#ATTEMPT}: a decimal from 1 to {@code Integer.MAX_VALUE}. */
  public static HeaderValue<Integer> parseAttempt(@Nullable CharSequence value) {
    if (value == null) {
      return HeaderValue.absent();
    }
    long parsed = parseNonNegative(value);
    return parsed < 1 || parsed > Integer.MAX_VALUE ? refused(Headers.ATTEMPT, value, EXPECTED_ATTEMPT)
        : HeaderValue.of((int) parsed);
  }

  /** {@code attempt} in decimal. */
  public static String formatAttempt(int attempt) {
    return attempt >= 0 && attempt < ATTEMPT_TEXT.length ? ATTEMPT_TEXT[attempt] : Integer.toString(attempt);
  }

  /** {@link Headers#ATTEMPT_KIND}: {@code retry} or {@code hedge}, ASCII in any case. */
  public static HeaderValue<AttemptKind> parseAttemptKind(@Nullable CharSequence value) {
    if (value == null) {
      return HeaderValue.absent();
    }
    CharSequence trimmed = trim(value);
    if (equalsAsciiIgnoreCase(trimmed, "hedge")) {
      return HeaderValue.of(AttemptKind.HEDGE);
    }
    if (equalsAsciiIgnoreCase(trimmed, "retry")) {
      return HeaderValue.of(AttemptKind.RETRY);
    }
    return refused(Headers.ATTEMPT_KIND, value, EXPECTED_ATTEMPT_KIND);
  }

  /** {@code hedge} or {@code retry}; the first attempt sends no kind. */
  public static String formatAttemptKind(AttemptKind kind) {
    return kind == AttemptKind.HEDGE ? "hedge" : "retry";
  }

  // --- do not retry -------------------------------------------------------------------------------------------

  /** {@link Headers#DO_NOT_RETRY}: {@code true} or {@code 1} mark, {@code false} or {@code 0} do not. */
  public static HeaderValue<Boolean> parseDoNotRetry(@Nullable CharSequence value) {
    if (value == null) {
      return HeaderValue.absent();
    }
    CharSequence trimmed = trim(value);
    if (equalsAsciiIgnoreCase(trimmed, TRUE) || "1".contentEquals(trimmed)) {
      return YES;
    }
    if (equalsAsciiIgnoreCase(trimmed, "false") || "0".contentEquals(trimmed)) {
      return NO;
    }
    return refused(Headers.DO_NOT_RETRY, value, EXPECTED_DO_NOT_RETRY);
  }

  /** The mark's value: {@code true}. */
  public static String formatDoNotRetry() {
    return TRUE;
  }

  // --- pushback -----------------------------------------------------------------------------------------------

  /**
   * {@link Headers#RETRY_PUSHBACK_MS}: the milliseconds to wait when a non-negative decimal, {@code -1} ("do not
   * retry") when a negative one.
   */
  public static HeaderValue<Long> parsePushbackMillis(@Nullable CharSequence value) {
    if (value == null) {
      return HeaderValue.absent();
    }
    CharSequence trimmed = trim(value);
    boolean negative = trimmed.length() > 1 && trimmed.charAt(0) == '-';
    long parsed = parseNonNegative(negative ? trimmed.subSequence(1, trimmed.length()) : trimmed);
    if (parsed < 0) {
      return refused(Headers.RETRY_PUSHBACK_MS, value, EXPECTED_PUSHBACK);
    }
    return HeaderValue.of(negative ? -1L : parsed);
  }

  /** {@code millis} in decimal; any negative value as {@code -1}, "do not retry". */
  public static String formatPushbackMillis(long millis) {
    return millis < 0 ? "-1" : Long.toString(millis);
  }

  // --- idempotency key, tenant --------------------------------------------------------------------------------

  /** {@link Headers#IDEMPOTENCY_KEY}: 1 to 255 visible ASCII characters, taken as they are (not trimmed). */
  public static HeaderValue<String> parseIdempotencyKey(@Nullable CharSequence value) {
    return parseToken(Headers.IDEMPOTENCY_KEY, value, Idempotency.MAX_KEY_LENGTH, EXPECTED_KEY);
  }

  /** {@link Headers#TENANT}: 1 to 64 visible ASCII characters, taken as they are (not trimmed). */
  public static HeaderValue<String> parseTenant(@Nullable CharSequence value) {
    return parseToken(Headers.TENANT, value, MAX_TENANT_LENGTH, EXPECTED_TENANT);
  }

  private static HeaderValue<String> parseToken(String name, @Nullable CharSequence value, int maxLength,
      String expected) {
    if (value == null) {
      return HeaderValue.absent();
    }
    if (value.isEmpty() || value.length() > maxLength || !Checks.isVisibleAscii(value)) {
      return refused(name, value, expected);
    }
    return HeaderValue.of(value.toString());
  }

  // --- shared -------------------------------------------------------------------------------------------------

  /** The refusal every header parse gives: {@code name: "value" (expected: ...)}, the value bounded and escaped. */
  static <T> HeaderValue<T> refused(String name, CharSequence value, String expected) {
    return HeaderValue.refused(Checks.invalid(name, Untrusted.quote(value), expected));
  }

  /** A decimal integer of 1 to 18 ASCII digits (surrounding whitespace ignored), or -1. */
  static long parseNonNegative(CharSequence value) {
    CharSequence trimmed = trim(value);
    int length = trimmed.length();
    if (length == 0 || length > MAX_NUMBER_CHARS) {
      return -1;
    }
    long result = 0;
    for (int i = 0; i < length; i++) {
      char c = trimmed.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      result = result * 10 + (c - '0');
    }
    return result;
  }

  /** {@code value} without leading and trailing characters up to the space, as {@code String.trim} cuts them. */
  static CharSequence trim(CharSequence value) {
    int start = 0;
    int end = value.length();
    while (start < end && value.charAt(start) <= ' ') {
      start++;
    }
    while (end > start && value.charAt(end - 1) <= ' ') {
      end--;
    }
    return start == 0 && end == value.length() ? value : value.subSequence(start, end);
  }

  /** Whether {@code value} is {@code name} with ASCII letters in any case; nothing above ASCII matches. */
  private static boolean equalsAsciiIgnoreCase(CharSequence value, String name) {
    if (value.length() != name.length()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = value.charAt(i);
      char n = name.charAt(i);
      if (c != n && (c >= 0x80 || toLowerAscii(c) != toLowerAscii(n))) {
        return false;
      }
    }
    return true;
  }

  private static char toLowerAscii(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }
}
