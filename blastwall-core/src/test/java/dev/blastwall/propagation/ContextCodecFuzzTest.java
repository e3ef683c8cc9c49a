package dev.blastwall.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.internal.Untrusted;
import dev.blastwall.testing.FakeTicker;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The context codec on random headers (fixed seed, a count of tries): a read never throws, every refusal is
 * {@code name: "..." (expected: ...)}, bounded and printable, and whatever was accepted crosses a second hop
 * unchanged (write what was read, read it again).
 */
class ContextCodecFuzzTest {

  private static final int TRIES = 20_000;
  /** A quoted value is at most 408 characters; name and expectation add at most about 200. */
  private static final int MAX_REFUSAL = 650;

  private static final List<String> NAMES = List.of(Headers.CRITICALITY, Headers.IDEMPOTENCY_KEY, Headers.ATTEMPT,
      Headers.ATTEMPT_KIND, Headers.DO_NOT_RETRY, Headers.TENANT, Headers.TRACEPARENT, Headers.TRACESTATE,
      Headers.TIMEOUT, Headers.DEADLINE);

  private static final List<String> SEEDS = List.of("CRITICAL", "sheddable_plus", "3", "2147483648", "hedge",
      "retry", "true", "1", "0", "false", "order-17", "acme", W3cTraceTest.PARENT, "a=b,c=d", "250m", "99999999H",
      "1700000000300", "0n", "-1", " ", "");

  @Test
  void randomHeaders_neverThrow_refusalsAreBounded_acceptedValuesRoundTrip() {
    SplittableRandom random = new SplittableRandom(1515L);
    FakeTicker ticker = new FakeTicker(random.nextLong());
    InstantSource wall = InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L));
    List<ContextCodec> codecs = List.of(ContextCodec.withoutDeadline(),
        ContextCodec.withDeadline(DeadlineCodec.relative()), ContextCodec.withDeadline(DeadlineCodec.absolute(wall)));
    for (int i = 0; i < TRIES; i++) {
      Map<String, String> headers = new HashMap<>();
      for (String name : NAMES) {
        if (random.nextInt(3) != 0) {
          headers.put(name, value(random));
        }
      }
      ContextCodec codec = codecs.get(random.nextInt(codecs.size()));
      String sample = "try " + i + " " + codec + ": " + quoted(headers);

      ContextRead read = codec.read(headers::get, ticker);
      for (String refusal : read.refusals()) {
        assertThat(refusal).as(sample).matches("[a-z-]+: \".*\"(\\.\\.\\. \\([0-9]+ chars\\))? \\(expected: .+\\)")
            .hasSizeLessThanOrEqualTo(MAX_REFUSAL);
        assertThat(refusal.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).as(sample).isTrue();
      }
      CallContext first = read.context(Criticality.CRITICAL, Cancellation.NEVER);

      Map<String, String> again = new HashMap<>();
      codec.write(first, again::put);
      ContextRead reread = codec.read(again::get, ticker);
      CallContext second = reread.context(Criticality.SHEDDABLE, Cancellation.NEVER);

      assertThat(reread.refusals()).as(sample).isEmpty();
      assertThat(second.criticality()).as(sample).isEqualTo(first.criticality());
      assertThat(second.idempotency()).as(sample).isEqualTo(first.idempotency());
      assertThat(second.attempt()).as(sample).isEqualTo(first.attempt());
      assertThat(second.attemptKind()).as(sample).isEqualTo(first.attemptKind());
      assertThat(second.doNotRetry()).as(sample).isEqualTo(first.doNotRetry());
      assertThat(second.get(ContextCodec.TENANT)).as(sample).isEqualTo(first.get(ContextCodec.TENANT));
      assertThat(second.get(W3cTrace.KEY)).as(sample).isEqualTo(first.get(W3cTrace.KEY));
      Deadline sent = first.deadline();
      Deadline arrived = second.deadline();
      if (sent == null || arrived == null) {
        assertThat(arrived).as(sample).isEqualTo(sent);
      } else {
        // Both codecs round down (to whole ms for the absolute one), never up.
        long before = sent.remainingNanos();
        long after = arrived.remainingNanos();
        if (before <= 0) {
          assertThat(after).as(sample).isLessThanOrEqualTo(0);
        } else {
          assertThat(after).as(sample).isLessThanOrEqualTo(before)
              .isGreaterThanOrEqualTo(before - before / 100_000 - 1_000_000);
        }
      }
    }
  }

  /** A known value, one mutated, random characters (any UTF-16 unit), or a long run. */
  private static String value(SplittableRandom random) {
    String seed = SEEDS.get(random.nextInt(SEEDS.size()));
    return switch (random.nextInt(5)) {
      case 0, 1 -> seed;
      case 2 -> mutate(random, seed);
      case 3 -> chars(random, random.nextInt(0, 40));
      default -> seed.isEmpty() ? "x".repeat(random.nextInt(200, 3000))
          : seed.repeat(random.nextInt(2, 200));
    };
  }

  private static String mutate(SplittableRandom random, String seed) {
    StringBuilder out = new StringBuilder(seed);
    int edits = random.nextInt(1, 4);
    for (int e = 0; e < edits; e++) {
      int at = out.isEmpty() ? 0 : random.nextInt(out.length() + 1);
      char c = random.nextInt(4) == 0 ? (char) random.nextInt(0x10000) : (char) random.nextInt(0x20, 0x7f);
      if (at < out.length() && random.nextBoolean()) {
        out.setCharAt(at, c);
      } else {
        out.insert(at, c);
      }
    }
    return out.toString();
  }

  private static String chars(SplittableRandom random, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(random.nextInt(3) == 0 ? (char) random.nextInt(0x10000) : (char) random.nextInt(0x20, 0x7f));
    }
    return out.toString();
  }

  private static String quoted(Map<String, String> headers) {
    StringBuilder out = new StringBuilder("{");
    headers.forEach((name, value) -> out.append(name).append('=').append(Untrusted.quote(value)).append(' '));
    return out.append('}').toString();
  }
}
