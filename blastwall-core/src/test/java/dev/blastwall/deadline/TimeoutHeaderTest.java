package dev.blastwall.deadline;

import static dev.blastwall.testkit.PropertyCheck.edgeOr;
import static dev.blastwall.testkit.PropertyCheck.forAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.internal.Untrusted;
import dev.blastwall.testing.FakeTicker;
import java.nio.CharBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimeoutHeaderTest {

  private static final String EXPECTED = " (expected: 1-8 ASCII digits followed by one of H M S m u n)";

  @ParameterizedTest(name = "{0} ns -> {1}")
  @CsvSource({
    // Zero and below: already expired.
    "0, 0n",
    "-1, 0n",
    "-9223372036854775808, 0n",
    // Exact up to 8 digits of nanoseconds.
    "1, 1n",
    "1000000, 1000000n", // 1 ms is still exact in nanoseconds
    "99999999, 99999999n",
    // Then the next unit, truncated.
    "100000000, 100000u",
    "100000999, 100000u",
    "1000000000, 1000000u", // 1 s
    "99999999999, 99999999u",
    "100000000000, 100000m",
    "99999999999999, 99999999m",
    "100000000000000, 100000S",
    "99999999999999999, 99999999S",
    "100000000000000000, 1666666M", // 99,999,999 S overflows, so minutes: the value stays above 1.6 million
    "5999999999999999999, 99999999M",
    "6000000000000000000, 1666666H",
    "9223372036854775807, 2562047H", // Long.MAX_VALUE fits in hours: encoding never needs to clamp
  })
  void encodesWithTheFinestUnitThatFitsRoundingDown(long nanos, String expected) {
    assertThat(TimeoutHeader.encode(nanos)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1} ns")
  @CsvSource({
    "1n, 1",
    "1u, 1000",
    "1m, 1000000",
    "1S, 1000000000",
    "1M, 60000000000",
    "1H, 3600000000000",
    "0n, 0",
    "0H, 0",
    "00000000n, 0",
    "00000007S, 7000000000",
    "99999999n, 99999999",
    "99999999u, 99999999000",
    "99999999m, 99999999000000",
    "99999999S, 99999999000000000",
    "99999999M, 5999999940000000000",
    "2562047H, 9223369200000000000",
    // Past the long range: saturate.
    "2562048H, 9223372036854775807",
    "99999999H, 9223372036854775807",
  })
  void decodesEveryUnit(String value, long nanos) {
    assertThat(TimeoutHeader.decodeNanos(value)).isEqualTo(nanos);
    assertThat(TimeoutHeader.decodeNanos(CharBuffer.wrap(value))).isEqualTo(nanos);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "", // empty
        "S", // no digits
        "n",
        "123456789n", // nine digits
        "000000001S",
        "1", // no unit
        "12345678",
        "1s", // units are case-sensitive
        "1h",
        "1x",
        "1 ", // space as unit
        "+1S", // signs
        "-1S",
        " 1S", // spaces
        "1 S",
        "1S ",
        "1SS", // trailing characters
        "1S1",
        "S1",
        "1.5S",
        "1e3n",
        "\u0661\u0662S", // Arabic-Indic digits: Character.isDigit says yes, the wire format says no
        "\u0967S", // Devanagari one
        "\uff11S", // full-width one
        "1\u00b5", // micro sign is not u
      })
  void rejectsEveryMalformedValueWithOneMessage(String value) {
    assertThatThrownBy(() -> TimeoutHeader.decodeNanos(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("grpc-timeout: " + Untrusted.quote(value) + EXPECTED);
    assertThatThrownBy(() -> TimeoutHeader.decode(value, new FakeTicker()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("grpc-timeout: " + Untrusted.quote(value) + EXPECTED);
  }

  @Test
  void messagesEscapeControlCharactersAndCutLongValues() {
    // A peer controls this value; it must not be able to forge log lines.
    assertThatThrownBy(() -> TimeoutHeader.decodeNanos("1S\r\nX-Admin: yes"))
        .hasMessage("grpc-timeout: \"1S\\x0d\\x0aX-Admin: yes\"" + EXPECTED);

    String huge = "9".repeat(10_000) + "S";
    assertThatThrownBy(() -> TimeoutHeader.decodeNanos(huge))
        .hasMessage("grpc-timeout: \"" + "9".repeat(64) + "\"... (10001 chars)" + EXPECTED);
    assertThatThrownBy(() -> TimeoutHeader.decodeNanos("\u0661\u0662S"))
        .hasMessage("grpc-timeout: \"\\u0661\\u0662S\"" + EXPECTED);
  }

  @Test
  void deadlinesTravelAsTheTimeLeft() {
    FakeTicker sender = new FakeTicker(Long.MAX_VALUE - 1000);
    Deadline deadline = Deadline.after(Duration.ofMillis(250), sender);
    sender.advance(Duration.ofMillis(50));

    String header = TimeoutHeader.encode(deadline);
    assertThat(header).isEqualTo("200000u");

    FakeTicker receiver = new FakeTicker(-42);
    Deadline received = TimeoutHeader.decode(header, receiver);
    assertThat(received.ticker()).isSameAs(receiver);
    assertThat(received.remaining()).isEqualTo(Duration.ofMillis(200));

    sender.advance(Duration.ofMillis(300));
    assertThat(TimeoutHeader.encode(deadline)).isEqualTo("0n");
    assertThat(TimeoutHeader.decode("0n", receiver).isExpired()).isTrue();
  }

  @Test
  void decodedDeadlinesAreClampedLikeAnyOther() {
    FakeTicker ticker = new FakeTicker();

    assertThat(TimeoutHeader.decode("99999999H", ticker).remainingNanos()).isEqualTo(Deadline.MAX_OFFSET_NANOS);
  }

  @Test
  void roundTripsAreExactUpToEightDigitsOfNanosAndCloseAtEveryUnitBoundary() {
    long[] boundaries = {
      100_000_000L, 100_000_000_000L, 100_000_000_000_000L, 100_000_000_000_000_000L, 6_000_000_000_000_000_000L
    };
    for (long boundary : boundaries) {
      for (long nanos = boundary - 3; nanos <= boundary + 3; nanos++) {
        long decoded = TimeoutHeader.decodeNanos(TimeoutHeader.encode(nanos));
        assertThat(decoded)
            .as("%d ns", nanos)
            .isLessThanOrEqualTo(nanos)
            .isGreaterThanOrEqualTo(nanos - nanos / 100_000);
      }
    }
    for (long nanos = 0; nanos <= 1_000; nanos++) {
      assertThat(TimeoutHeader.decodeNanos(TimeoutHeader.encode(nanos))).isEqualTo(nanos);
    }
    assertThat(TimeoutHeader.decodeNanos(TimeoutHeader.encode(99_999_999))).isEqualTo(99_999_999);
    assertThat(TimeoutHeader.decodeNanos(TimeoutHeader.encode(Long.MAX_VALUE)))
        .isEqualTo(2_562_047L * 3_600_000_000_000L);
  }

  /** The documented bound: never more time than sent, and at most one part in 100,000 less. */
  @Test
  void roundTripNeverGivesMoreTimeAndLosesLittle() {
    forAll(random -> edgeOr(random, 0, Long.MAX_VALUE, EDGES), nanos -> {
      long decoded = TimeoutHeader.decodeNanos(TimeoutHeader.encode(nanos));

      assertThat(decoded).isLessThanOrEqualTo(nanos).isGreaterThanOrEqualTo(nanos - nanos / 100_000);
      if (nanos > 0) {
        assertThat(decoded).isPositive();
      }
    });
  }

  @Test
  void roundTripIsExactBelowHundredMillis() {
    forAll(random -> edgeOr(random, 0L, 99_999_999L, 0L, 1L, 99_999_999L), nanos ->
        assertThat(TimeoutHeader.decodeNanos(TimeoutHeader.encode(nanos))).isEqualTo(nanos));
  }

  @Test
  void encodingIsAlwaysOneToEightDigitsAndAUnit() {
    forAll(random -> edgeOr(random, Long.MIN_VALUE, Long.MAX_VALUE, EDGES), nanos ->
        assertThat(TimeoutHeader.encode(nanos)).matches("[0-9]{1,8}[HMSmun]"));
  }

  @Test
  void reencodingADecodedValueLosesNothing() {
    // A proxy that decodes and re-encodes must not shave time off at every hop.
    forAll(random -> edgeOr(random, Long.MIN_VALUE, Long.MAX_VALUE, EDGES), nanos -> {
      long once = TimeoutHeader.decodeNanos(TimeoutHeader.encode(nanos));
      assertThat(TimeoutHeader.decodeNanos(TimeoutHeader.encode(once))).isEqualTo(once);
    });
  }

  /** Unit boundaries, where a value stops fitting in 8 digits of one unit and moves to the next. */
  private static final long[] EDGES = {0, 1, 99_999_999L, 100_000_000L, 99_999_999_999L, 100_000_000_000L,
      99_999_999_999_999L, 100_000_000_000_000L, 3_600_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, -1};
}
