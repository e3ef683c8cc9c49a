package dev.blastwall.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.propagation.ContextRead;
import dev.blastwall.propagation.HeaderSource;
import dev.blastwall.propagation.HeaderValue;
import dev.blastwall.propagation.Headers;
import dev.blastwall.relay.AttemptFacts;
import dev.blastwall.relay.IncomingVerdict;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every header an HTTP adapter reads, on random values (fixed seed, a count of tries, no clock): empty, negative,
 * huge, non-numeric, 8 KB, repeated lines, non-ASCII. Nothing throws; a value is accepted or refused with
 * {@code name: "..." (expected: ...)}, bounded and printable; an accepted pushback is never negative and what a
 * caller would wait is bounded.
 */
class HeaderParsingFuzzTest {

  private static final int TRIES = 12_000;
  private static final int MAX_REFUSAL = 650;
  private static final String REFUSAL = "[a-z-]+: \".*\"(\\.\\.\\. \\([0-9]+ chars\\))? \\(expected: .+\\)";
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  private static final List<String> NAMES = List.of(HttpHeaderNames.RETRY_AFTER, HttpHeaderNames.RETRY_AFTER_MS,
      Headers.DO_NOT_RETRY, Headers.TIMEOUT, Headers.CRITICALITY, Headers.IDEMPOTENCY_KEY, Headers.ATTEMPT,
      Headers.ATTEMPT_KIND, Headers.TENANT, Headers.TRACEPARENT, Headers.TRACESTATE);

  private static final List<String> SEEDS = List.of("", " ", "0", "1", "-1", "120", "250", "99999999999999999999",
      "1.5", "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
      "Thu, 01 Jan 2099 00:00:00 GMT", "true", "false", "100m", "1H", "99999999H", "CRITICAL", "hedge", "order-17",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "a=b,c=d", "\u0661\u0662", "\u00e9t\u00e9",
      "\r\n", "\u0000");

  @Test
  void randomHeaders_areAcceptedOrClearlyRefused_neverThrown() {
    SplittableRandom random = new SplittableRandom(2424L);
    FakeTicker ticker = new FakeTicker(random.nextLong());
    int refusals = 0;
    int pushbacks = 0;
    for (int i = 0; i < TRIES; i++) {
      Map<String, List<String>> lines = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String name : NAMES) {
        if (random.nextInt(3) != 0) {
          List<String> values = new ArrayList<>();
          int count = random.nextInt(8) == 0 ? 2 + random.nextInt(3) : 1;
          for (int v = 0; v < count; v++) {
            values.add(value(random));
          }
          lines.put(random.nextBoolean() ? name : name.toUpperCase(java.util.Locale.ROOT), values);
        }
      }
      HeaderSource source = HeaderFields.source(lines);
      String sample = "try " + i + ": " + lines.keySet();

      HeaderValue<Duration> seconds = RetryAfter.parse(source.get(HttpHeaderNames.RETRY_AFTER), NOW);
      HeaderValue<Duration> millis = RetryAfter.parseMillis(source.get(HttpHeaderNames.RETRY_AFTER_MS));
      for (HeaderValue<Duration> read : List.of(seconds, millis, RetryAfter.read(source, NOW))) {
        if (read.isPresent()) {
          assertThat(read.value().isNegative()).as(sample).isFalse();
          pushbacks++;
        }
      }
      ContextRead context = HttpPropagation.CODEC.read(source, ticker);
      List<String> messages = new ArrayList<>(context.refusals());
      for (HeaderValue<Duration> read : List.of(seconds, millis)) {
        if (read.isRefused()) {
          messages.add(String.valueOf(read.refusal()));
        }
      }
      for (String message : messages) {
        assertThat(message).as(sample).matches(REFUSAL).hasSizeLessThanOrEqualTo(MAX_REFUSAL);
        assertThat(message.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).as(sample).isTrue();
      }
      refusals += messages.size();

      int status = 400 + random.nextInt(200);
      Deadline deadline = random.nextBoolean() ? null : Deadline.after(Duration.ofMillis(random.nextInt(5000)), ticker);
      IncomingVerdict verdict = HttpStatusMapping.incoming(status, source, value(random), NOW, deadline,
          AttemptFacts.NOT_KNOWN);
      assertThat(verdict.retryAfterNanos()).as(sample).isLessThanOrEqualTo(RetryPolicy.MAX_RETRY_AFTER.toNanos());
      if (deadline != null && verdict.retryAfterNanos() >= 0) {
        assertThat(verdict.retryAfterNanos()).as(sample).isLessThan(deadline.remainingNanos());
      }
      assertThat(verdict.description().length()).as(sample).isLessThan(MAX_REFUSAL);
    }
    // The generator reaches both sides: many values are refused, and many are not.
    assertThat(refusals).isGreaterThan(TRIES);
    assertThat(pushbacks).isGreaterThan(TRIES / 10);
  }

  private static String value(SplittableRandom random) {
    return switch (random.nextInt(8)) {
      case 0 -> "";
      case 1 -> Long.toString(random.nextLong());
      case 2 -> "9".repeat(1 + random.nextInt(40));
      case 3 -> "x".repeat(8192);
      case 4 -> chars(random, random.nextInt(40));
      default -> mutate(random, SEEDS.get(random.nextInt(SEEDS.size())));
    };
  }

  private static String mutate(SplittableRandom random, String seed) {
    if (seed.isEmpty() || random.nextBoolean()) {
      return seed;
    }
    StringBuilder out = new StringBuilder(seed);
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits && !out.isEmpty(); e++) {
      int at = random.nextInt(out.length());
      switch (random.nextInt(3)) {
        case 0 -> out.deleteCharAt(at);
        case 1 -> out.insert(at, (char) random.nextInt(0x3000));
        default -> out.setCharAt(at, (char) (0x20 + random.nextInt(0x5f)));
      }
    }
    return out.toString();
  }

  private static String chars(SplittableRandom random, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append((char) (random.nextInt(4) == 0 ? random.nextInt(0x10000) : 0x20 + random.nextInt(0x5f)));
    }
    return out.toString();
  }
}
