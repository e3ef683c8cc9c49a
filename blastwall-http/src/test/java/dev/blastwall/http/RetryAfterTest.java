package dev.blastwall.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.propagation.HeaderValue;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

  private static final Instant NOW = Instant.parse("1994-11-06T08:49:30Z");

  @Test
  void deltaSeconds_areTheDelay() {
    assertThat(RetryAfter.parse("90", NOW).value()).isEqualTo(Duration.ofSeconds(90));
    assertThat(RetryAfter.parse(" 0 ", NOW).value()).isZero();
  }

  @Test
  void hugeDeltaSeconds_readAsTwoToTheThirtyOne() {
    assertThat(RetryAfter.parse("99999999999999999999999", NOW).value())
        .isEqualTo(Duration.ofSeconds(RetryAfter.MAX_DELTA_SECONDS));
  }

  @Test
  void allThreeHttpDateFormats_giveTheTimeFromNow() {
    Duration seven = Duration.ofSeconds(7);
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW).value()).isEqualTo(seven);
    assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW).value()).isEqualTo(seven);
    assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 1994", NOW).value()).isEqualTo(seven);
  }

  @Test
  void aDateAlreadyPast_isNoWait() {
    assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", NOW).value()).isZero();
  }

  @Test
  void malformedValues_areRefusedNamingTheHeader() {
    for (String bad : new String[] {"", "-1", "1.5", "soon", "Sun, 31 Nov 1994 08:49:37 GMT",
        "Mon, 06 Nov 1994 08:49:37 GMT", "12\u0663", "x".repeat(8192)}) {
      HeaderValue<Duration> read = RetryAfter.parse(bad, NOW);
      assertThat(read.isRefused()).as(bad).isTrue();
      assertThat(read.refusal()).startsWith("retry-after: \"").contains("(expected: delta-seconds or an HTTP-date");
    }
    assertThat(RetryAfter.parse(null, NOW).isPresent()).isFalse();
    assertThat(RetryAfter.parse(null, NOW).isRefused()).isFalse();
  }

  @Test
  void millis_areReadFirst_secondsWhenMillisAreMissingOrBad() {
    Map<String, String> headers = new HashMap<>(Map.of("retry-after", "2", "retry-after-ms", "150"));
    assertThat(RetryAfter.read(headers::get, NOW).value()).isEqualTo(Duration.ofMillis(150));
    headers.put("retry-after-ms", "-5");
    assertThat(RetryAfter.read(headers::get, NOW).value()).isEqualTo(Duration.ofSeconds(2));
    headers.remove("retry-after");
    assertThat(RetryAfter.read(headers::get, NOW).refusal()).startsWith("retry-after-ms: \"-5\" (expected:");
    headers.clear();
    assertThat(RetryAfter.read(headers::get, NOW).isPresent()).isFalse();
  }

  @Test
  void write_roundsSecondsUp_andSendsMillis() {
    Map<String, String> sent = new HashMap<>();
    RetryAfter.write(Duration.ofMillis(1200), sent::put);
    assertThat(sent).containsEntry("retry-after", "2").containsEntry("retry-after-ms", "1200");
    RetryAfter.write(Duration.ofNanos(1), sent::put);
    assertThat(sent).containsEntry("retry-after", "1").containsEntry("retry-after-ms", "1");
    RetryAfter.write(Duration.ZERO, sent::put);
    assertThat(sent).containsEntry("retry-after", "0").containsEntry("retry-after-ms", "0");
  }
}
