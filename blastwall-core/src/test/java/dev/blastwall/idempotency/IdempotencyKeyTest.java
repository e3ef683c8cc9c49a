package dev.blastwall.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IdempotencyKeyTest {

  @Test
  void partsOutsideTheirBoundsAreRefusedQuotedAndNamed() {
    assertThatThrownBy(() -> new IdempotencyKey("", "op", "k"))
        .hasMessage("tenant: \"\" (expected: 1 to 128 visible ASCII characters)");
    assertThatThrownBy(() -> new IdempotencyKey("t", "op", "a b\n"))
        .hasMessage("key: \"a b\\x0a\" (expected: 1 to 255 visible ASCII characters)");
    assertThatThrownBy(() -> new IdempotencyKey("t", "o".repeat(257), "k"))
        .hasMessage("operation: \"" + "o".repeat(64) + "\"... (257 chars) (expected: 1 to 256 visible ASCII characters)");
    assertThatThrownBy(() -> new Fingerprint("x".repeat(129)))
        .hasMessageStartingWith("fingerprint: \"xxxx").hasMessageEndingWith("(expected: 1 to 128 visible ASCII characters)");
  }

  @Test
  void longestPartsAreAccepted() {
    IdempotencyKey key = new IdempotencyKey("t".repeat(128), "o".repeat(256), "k".repeat(255));
    assertThat(key.key()).hasSize(255);
  }

  @Test
  void sha256FingerprintSeparatesParts() {
    Fingerprint ab = Fingerprint.sha256("a".getBytes(StandardCharsets.UTF_8), "bc".getBytes(StandardCharsets.UTF_8));
    Fingerprint abc = Fingerprint.sha256("ab".getBytes(StandardCharsets.UTF_8), "c".getBytes(StandardCharsets.UTF_8));
    assertThat(ab.value()).hasSize(64).isNotEqualTo(abc.value());
  }

  /** Keys arrive from peers: random strings are either accepted unchanged or refused with a bounded message. */
  @Test
  void fuzzedKeysAreAcceptedOrRefusedWithABoundedPrintableMessage() {
    SplittableRandom random = new SplittableRandom(17);
    int accepted = 0;
    for (int i = 0; i < 20_000; i++) {
      int length = random.nextInt(300);
      StringBuilder value = new StringBuilder(length);
      for (int c = 0; c < length; c++) {
        value.append(random.nextInt(8) == 0 ? (char) random.nextInt(0x3000) : (char) (0x20 + random.nextInt(0x60)));
      }
      Throwable refused = catchThrowable(() -> new IdempotencyKey("t", "op", value.toString()));
      if (refused == null) {
        accepted++;
        continue;
      }
      assertThat(refused).isInstanceOf(IllegalArgumentException.class);
      String message = String.valueOf(refused.getMessage());
      assertThat(message).startsWith("key: ").endsWith("(expected: 1 to 255 visible ASCII characters)");
      assertThat(message.length()).isLessThan(500);
      assertThat(message.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)).isTrue();
    }
    assertThat(accepted).isPositive();
  }
}
