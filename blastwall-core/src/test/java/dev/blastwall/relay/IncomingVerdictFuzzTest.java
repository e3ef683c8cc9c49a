package dev.blastwall.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.failure.FailureKind;
import dev.blastwall.retry.RetryPolicy;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random descriptions and hints from a peer, fixed seed and count: the incoming verdict never throws, its message
 * stays bounded and printable ASCII, and its retry-after stays within what a retry policy may wait.
 */
class IncomingVerdictFuzzTest {

  private static final int SAMPLES = 20_000;
  private static final FailureKind[] KINDS = FailureKind.values();

  @Test
  void randomDescriptionsAndHintsGiveBoundedVerdicts() {
    SplittableRandom random = new SplittableRandom(20261207);
    long max = RetryPolicy.MAX_RETRY_AFTER.toNanos();
    for (int i = 0; i < SAMPLES; i++) {
      FailureKind kind = KINDS[random.nextInt(KINDS.length)];
      String description = random.nextInt(10) == 0 ? null : randomText(random);
      RetryHint hint = switch (random.nextInt(4)) {
        case 0 -> RetryHint.none();
        case 1 -> RetryHint.afterMillis(random.nextLong());
        case 2 -> RetryHint.after(Duration.ofSeconds(random.nextLong(0, Long.MAX_VALUE)));
        default -> RetryHint.afterMillis(random.nextLong(0, 20_000));
      };
      AttemptFacts attempt = new AttemptFacts(random.nextBoolean(), random.nextBoolean(), random.nextBoolean());
      boolean marked = random.nextBoolean();

      IncomingVerdict verdict = FailureRelay.incoming(kind, kind.name(), description, marked, hint, attempt);

      String sample = "sample " + i;
      assertThat(verdict.message()).as(sample).hasSizeLessThan(600).matches("[\\x20-\\x7e]*");
      assertThat(verdict.description()).as(sample).hasSizeLessThan(600);
      assertThat(verdict.retryAfterNanos()).as(sample).isBetween(-1L, max);
      assertThat(verdict.doNotRetry() && verdict.retryAfterNanos() >= 0).as(sample).isFalse();
      assertThat(verdict.marked()).as(sample).isEqualTo(marked);
      assertThat(verdict.toFailure(null).getMessage()).as(sample).isEqualTo(verdict.message());
    }
  }

  private static String randomText(SplittableRandom random) {
    int length = random.nextInt(10) == 0 ? random.nextInt(10_000) : random.nextInt(40);
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(switch (random.nextInt(4)) {
        case 0 -> (char) random.nextInt(0x20);
        case 1 -> (char) random.nextInt(0x20, 0x7f);
        case 2 -> (char) random.nextInt(0x7f, 0x10000);
        default -> "\"\\\n\u2028\u202e\ud800".charAt(random.nextInt(6));
      });
    }
    return text.toString();
  }
}
