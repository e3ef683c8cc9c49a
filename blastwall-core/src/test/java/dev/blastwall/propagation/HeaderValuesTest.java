package dev.blastwall.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.Criticality;
import java.nio.CharBuffer;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderValuesTest {

  @ParameterizedTest
  @EnumSource(Criticality.class)
  void criticality_roundTrips_andParsesInAnyCaseOverAnyCharSequence(Criticality criticality) {
    String text = HeaderValues.formatCriticality(criticality);
    assertThat(HeaderValues.parseCriticality(text).value()).isEqualTo(criticality);
    assertThat(HeaderValues.parseCriticality(CharBuffer.wrap(" " + text.toLowerCase(Locale.ROOT) + " ")).value())
        .isEqualTo(criticality);
  }

  @ParameterizedTest
  // A dotless i and a long s: Java's toUpperCase makes them I and S, so a lookalike would pass.
  @ValueSource(strings = {"", "URGENT", "crit\u0131cal", "\u017fheddable", "CRITICAL_PLUS_PLUS"})
  void criticality_refusesOtherNames(String value) {
    assertThat(HeaderValues.parseCriticality(value).refusal()).isEqualTo("blastwall-criticality: \"" + value
        .replace("\u0131", "\\u0131").replace("\u017f", "\\u017f")
        + "\" (expected: CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS or SHEDDABLE)");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 9, 10, 123, Integer.MAX_VALUE})
  void attempt_roundTrips(int attempt) {
    assertThat(HeaderValues.formatAttempt(attempt)).isEqualTo(Integer.toString(attempt));
    assertThat(HeaderValues.parseAttempt(HeaderValues.formatAttempt(attempt)).value()).isEqualTo(attempt);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-2", "x", "", "2147483648", "1e3", "\u0661"})
  void attempt_refusesAnythingButAPositiveIntInAsciiDigits(String value) {
    assertThat(HeaderValues.parseAttempt(value).refusal())
        .startsWith("blastwall-attempt: \"").endsWith("\" (expected: a decimal from 1 to 2147483647)");
  }

  @Test
  void attemptKind_roundTripsForRepeats_andRefusesOthers() {
    for (AttemptKind kind : new AttemptKind[] {AttemptKind.RETRY, AttemptKind.HEDGE}) {
      assertThat(HeaderValues.parseAttemptKind(HeaderValues.formatAttemptKind(kind)).value()).isEqualTo(kind);
    }
    assertThat(HeaderValues.parseAttemptKind("HEDGE").value()).isEqualTo(AttemptKind.HEDGE);
    assertThat(HeaderValues.parseAttemptKind("original").refusal())
        .isEqualTo("blastwall-attempt-kind: \"original\" (expected: retry or hedge)");
  }

  @ParameterizedTest
  @CsvSource({"true, true", "TRUE, true", "' 1 ', true", "false, false", "0, false"})
  void doNotRetry_isTrueOrOne_falseOrZero(String value, boolean expected) {
    assertThat(HeaderValues.parseDoNotRetry(value).value()).isEqualTo(expected);
    assertThat(HeaderValues.parseDoNotRetry(HeaderValues.formatDoNotRetry()).value()).isTrue();
  }

  @Test
  void doNotRetry_refusesOtherWords() {
    assertThat(HeaderValues.parseDoNotRetry("yes").refusal())
        .isEqualTo("blastwall-do-not-retry: \"yes\" (expected: true, false, 1 or 0)");
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "200, 200", "' 15 ', 15", "-1, -1", "-300, -1", "000000000000000007, 7"})
  void pushback_isMillis_orMinusOneForDoNotRetry(String value, long expected) {
    assertThat(HeaderValues.parsePushbackMillis(value).value()).isEqualTo(expected);
  }

  @Test
  void pushback_formatsAnyNegativeAsMinusOne_andRefusesNonNumbers() {
    assertThat(HeaderValues.formatPushbackMillis(250)).isEqualTo("250");
    assertThat(HeaderValues.formatPushbackMillis(-7)).isEqualTo("-1");
    assertThat(HeaderValues.parsePushbackMillis("soon").refusal()).isEqualTo(
        "grpc-retry-pushback-ms: \"soon\" (expected: a decimal number of milliseconds, negative for \"do not retry\")");
    assertThat(HeaderValues.parsePushbackMillis("-").isRefused()).isTrue();
    assertThat(HeaderValues.parsePushbackMillis("1234567890123456789").isRefused()).isTrue();
  }

  @Test
  void idempotencyKey_isVisibleAsciiUpTo255_asItCame() {
    String longest = "k".repeat(255);
    assertThat(HeaderValues.parseIdempotencyKey(longest).value()).isEqualTo(longest);
    assertThat(HeaderValues.parseIdempotencyKey("a b").refusal())
        .isEqualTo("idempotency-key: \"a b\" (expected: 1 to 255 visible ASCII characters)");
    assertThat(HeaderValues.parseIdempotencyKey("k".repeat(256)).refusal())
        .isEqualTo("idempotency-key: \"" + "k".repeat(64) + "\"... (256 chars) (expected: 1 to 255 visible ASCII characters)");
    assertThat(HeaderValues.parseIdempotencyKey("\u001b[2J").refusal()).startsWith("idempotency-key: \"\\x1b[2J\"");
  }

  @Test
  void tenant_isVisibleAsciiUpTo64() {
    assertThat(HeaderValues.parseTenant("acme-eu").value()).isEqualTo("acme-eu");
    assertThat(HeaderValues.parseTenant("").refusal())
        .isEqualTo("blastwall-tenant: \"\" (expected: 1 to 64 visible ASCII characters)");
    assertThat(HeaderValues.parseTenant("t".repeat(65)).isRefused()).isTrue();
  }

  @Test
  void absentHeaders_areAbsent_notRefused() {
    for (HeaderValue<?> value : java.util.List.of(HeaderValues.parseCriticality(null),
        HeaderValues.parseAttempt(null), HeaderValues.parseAttemptKind(null), HeaderValues.parseDoNotRetry(null),
        HeaderValues.parsePushbackMillis(null), HeaderValues.parseIdempotencyKey(null),
        HeaderValues.parseTenant(null), W3cTrace.parseTraceparent(null), W3cTrace.parseTracestate(null))) {
      assertThat(value.isPresent()).isFalse();
      assertThat(value.isRefused()).isFalse();
    }
  }
}
