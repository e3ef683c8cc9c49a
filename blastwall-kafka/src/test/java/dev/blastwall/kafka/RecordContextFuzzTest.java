package dev.blastwall.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.propagation.Headers;
import dev.blastwall.testing.FakeTicker;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Record headers are untrusted wire input: reading any of them gives a value, a default or a clear refusal. */
class RecordContextFuzzTest {

  private static final List<String> NAMES = List.of(Headers.DEADLINE, Headers.CRITICALITY, Headers.IDEMPOTENCY_KEY,
      Headers.ATTEMPT, Headers.ATTEMPT_KIND, Headers.DO_NOT_RETRY, Headers.TENANT, Headers.TRACEPARENT,
      Headers.TRACESTATE, MessageHeaders.MESSAGE_ID);
  private static final List<String> GOOD = List.of("1799999999999", "SHEDDABLE", "order-1", "2", "hedge", "true",
      "acme", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "k=v", "id-1");

  @Test
  void anyHeaderSetReadsWithoutThrowingAndEveryRefusalNamesItsHeader() {
    SplittableRandom random = new SplittableRandom(18);
    RecordContext codec = RecordContext.of(InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L)),
        new FakeTicker());
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      RecordHeaders headers = new RecordHeaders();
      int count = random.nextInt(8);
      for (int h = 0; h < count; h++) {
        int which = random.nextInt(NAMES.size());
        headers.add(NAMES.get(which), value(random, GOOD.get(which)));
      }
      RecordContext.Read read = codec.read(headers);
      List<String> refusals = read.refusals();
      for (String refusal : refusals) {
        assertThat(NAMES.stream().anyMatch(name -> refusal.startsWith(name + ": "))).as(refusal).isTrue();
        assertThat(refusal).contains("(expected: ").hasSizeLessThan(1_000);
      }
      refused += refusals.isEmpty() ? 0 : 1;
      CallContext context = read.callContext(Criticality.CRITICAL, Cancellation.NEVER);
      assertThat(context.attempt()).isPositive();
    }
    // The generator does reach the refusal paths (and the good ones: not every set is refused).
    assertThat(refused).isBetween(1_000, 19_000);
  }

  @Test
  void badUtf8IsARefusalAndReadsAsAbsent() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.TENANT, new byte[] {(byte) 0xc3, (byte) 0x28});
    RecordContext.Read read = RecordContext.system().read(headers);
    assertThat(read.refusals()).containsExactly("blastwall-tenant: \"\\u00c3(\" (expected: UTF-8 text)");
    assertThat(read.context().tenant().isPresent()).isFalse();
  }

  @Test
  void aBadMessageIdIsRefusedUnderItsOwnName() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(MessageHeaders.MESSAGE_ID, "two words".getBytes(StandardCharsets.UTF_8));
    assertThat(RecordContext.system().read(headers).refusals())
        .containsExactly("blastwall-message-id: \"two words\" (expected: 1 to 255 visible ASCII characters)");
  }

  /** Mostly mangled variants of a good value; sometimes random bytes, nulls, huge or empty values. */
  private static byte[] value(SplittableRandom random, String good) {
    switch (random.nextInt(8)) {
      case 0 -> {
        return good.getBytes(StandardCharsets.UTF_8);
      }
      case 1 -> {
        byte[] bytes = new byte[random.nextInt(40)];
        random.nextBytes(bytes);
        return bytes;
      }
      case 2 -> {
        return new byte[0];
      }
      case 3 -> {
        return good.repeat(1 + random.nextInt(300)).getBytes(StandardCharsets.UTF_8);
      }
      case 4 -> {
        return (random.nextBoolean() ? "-" : " ") .concat(good).getBytes(StandardCharsets.UTF_8);
      }
      case 5 -> {
        return Long.toString(random.nextLong()).getBytes(StandardCharsets.UTF_8);
      }
      case 6 -> {
        char[] chars = good.toCharArray();
        chars[random.nextInt(chars.length)] = (char) random.nextInt(0x3000);
        return new String(chars).getBytes(StandardCharsets.UTF_8);
      }
      default -> {
        return good.substring(0, random.nextInt(good.length())).getBytes(StandardCharsets.UTF_8);
      }
    }
  }
}
