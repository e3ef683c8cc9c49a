package dev.blastwall.http;

import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Untrusted;
import dev.blastwall.propagation.HeaderSink;
import dev.blastwall.propagation.HeaderSource;
import dev.blastwall.propagation.HeaderValue;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes the pushback of a 429 or 503: {@code retry-after-ms} (milliseconds) and RFC 9110's
 * {@code Retry-After} (delta-seconds or an HTTP-date in any of its three formats). A read never throws: it gives a
 * {@link HeaderValue} that is absent, the delay (zero for a date already past), or a refusal
 * {@code name: "value" (expected: ...)}. Values are bounded before any work: longer than {@link #MAX_CHARS}, or
 * not ASCII, is refused at once. Delta-seconds beyond 2^31 read as 2^31 (RFC 9111 section 1.2.2). How long a
 * caller really waits is capped further by core ({@code RetryPolicy.MAX_RETRY_AFTER}) and never passes the call's
 * deadline ({@link HttpStatusMapping#incoming}).
 */
public final class RetryAfter {

  /** The longest value looked at: an IMF-fixdate is 29 characters, an RFC 850 date at most 41. */
  public static final int MAX_CHARS = 64;

  /** The largest delta-seconds kept; larger values read as this (RFC 9111 section 1.2.2). */
  public static final long MAX_DELTA_SECONDS = 1L << 31;

  static final String EXPECTED_RETRY_AFTER =
      "delta-seconds or an HTTP-date such as \"Sun, 06 Nov 1994 08:49:37 GMT\"";
  static final String EXPECTED_MILLIS = "a decimal number of milliseconds of 1 to 18 digits";

  private static final int MAX_DIGITS = 18;

  /** The shortest HTTP-date: asctime's, {@code Sun Nov  6 08:49:37 1994}. */
  private static final int MIN_DATE_CHARS = 24;

  // RFC 9110 section 5.6.7: IMF-fixdate, and the two obsolete formats a recipient must still accept. English names
  // (Locale.US): the root locale abbreviates even the full day names.
  private static final List<DateTimeFormatter> DATES = List.of(
      DateTimeFormatter.RFC_1123_DATE_TIME,
      new DateTimeFormatterBuilder().appendPattern("EEEE, dd-MMM-")
          .appendValueReduced(ChronoField.YEAR, 2, 2, 1970).appendPattern(" HH:mm:ss 'GMT'")
          .toFormatter(Locale.US).withZone(ZoneOffset.UTC),
      new DateTimeFormatterBuilder().appendPattern("EEE MMM ppd HH:mm:ss yyyy")
          .toFormatter(Locale.US).withZone(ZoneOffset.UTC));

  private RetryAfter() {}

  /** {@code Retry-After}: delta-seconds, or an HTTP-date turned into the time from {@code now} (zero if past). */
  public static HeaderValue<Duration> parse(@Nullable CharSequence value, Instant now) {
    if (value == null) {
      return HeaderValue.absent();
    }
    CharSequence trimmed = value.length() > MAX_CHARS ? "" : trim(value);
    if (trimmed.isEmpty() || !isPrintableAscii(trimmed)) {
      return refused(HttpHeaderNames.RETRY_AFTER, value, EXPECTED_RETRY_AFTER);
    }
    if (isDigits(trimmed)) {
      long seconds = trimmed.length() > MAX_DIGITS ? MAX_DELTA_SECONDS
          : Math.min(Long.parseLong(trimmed.toString()), MAX_DELTA_SECONDS);
      return HeaderValue.of(Duration.ofSeconds(seconds));
    }
    char first = trimmed.charAt(0);
    if (trimmed.length() < MIN_DATE_CHARS || first < 'A' || first > 'Z') {
      // Not a date: every format starts with a capitalised day name; skip the formatters' exceptions.
      return refused(HttpHeaderNames.RETRY_AFTER, value, EXPECTED_RETRY_AFTER);
    }
    String text = trimmed.toString();
    for (DateTimeFormatter format : DATES) {
      try {
        Instant at = format.parse(text, Instant::from);
        return HeaderValue.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
      } catch (DateTimeException notThisFormat) {
        // try the next format; none matching is a refusal below
      }
    }
    return refused(HttpHeaderNames.RETRY_AFTER, value, EXPECTED_RETRY_AFTER);
  }

  /** {@code retry-after-ms}: a non-negative decimal number of milliseconds. */
  public static HeaderValue<Duration> parseMillis(@Nullable CharSequence value) {
    if (value == null) {
      return HeaderValue.absent();
    }
    CharSequence trimmed = value.length() > MAX_CHARS ? "" : trim(value);
    if (trimmed.isEmpty() || trimmed.length() > MAX_DIGITS || !isDigits(trimmed)) {
      return refused(HttpHeaderNames.RETRY_AFTER_MS, value, EXPECTED_MILLIS);
    }
    return HeaderValue.of(Duration.ofMillis(Long.parseLong(trimmed.toString())));
  }

  /**
   * The pushback in {@code headers}: {@code retry-after-ms} when it is acceptable (it is the finer one), else
   * {@code Retry-After}; refused only when neither is acceptable and one was there.
   */
  public static HeaderValue<Duration> read(HeaderSource headers, Instant now) {
    HeaderValue<Duration> millis = parseMillis(headers.get(HttpHeaderNames.RETRY_AFTER_MS));
    if (millis.isPresent()) {
      return millis;
    }
    HeaderValue<Duration> seconds = parse(headers.get(HttpHeaderNames.RETRY_AFTER), now);
    return seconds.isPresent() || seconds.isRefused() || !millis.isRefused() ? seconds : millis;
  }

  /** Writes {@code delay} as {@code Retry-After} (whole seconds, rounded up) and {@code retry-after-ms}. */
  public static void write(Duration delay, HeaderSink sink) {
    long nanos = Checks.saturatedNanos(Checks.checkNotNegative("delay", delay));
    long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
    if (TimeUnit.MILLISECONDS.toNanos(millis) < nanos) {
      millis++;
    }
    long seconds = millis / 1000 + (millis % 1000 == 0 ? 0 : 1);
    sink.set(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds));
    sink.set(HttpHeaderNames.RETRY_AFTER_MS, Long.toString(millis));
  }

  private static <T> HeaderValue<T> refused(String name, CharSequence value, String expected) {
    return HeaderValue.refused(Checks.invalid(name, Untrusted.quote(value), expected));
  }

  private static boolean isDigits(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isPrintableAscii(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** {@code value} without surrounding spaces and tabs (HTTP's optional whitespace). */
  private static CharSequence trim(CharSequence value) {
    int start = 0;
    int end = value.length();
    while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
      end--;
    }
    return value.subSequence(start, end);
  }
}
