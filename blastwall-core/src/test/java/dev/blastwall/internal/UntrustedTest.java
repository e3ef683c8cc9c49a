package dev.blastwall.internal;

import static dev.blastwall.testkit.PropertyCheck.forAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UntrustedTest {

  @Test
  void shortVisibleValues_areQuotedAsTheyAre() {
    assertThat(Untrusted.quote("order-42")).isEqualTo("\"order-42\"");
    assertThat(Untrusted.quote("")).isEqualTo("\"\"");
    assertThat(Untrusted.quote("a b")).isEqualTo("\"a b\"");
    assertThat(Untrusted.quote(null)).isEqualTo("null");
  }

  @Test
  void quotesAndBackslashes_cannotCloseTheQuotes() {
    assertThat(Untrusted.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
  }

  @Test
  void controlBytesAndNonAscii_areEscaped_soNoLogLineCanBeForged() {
    assertThat(Untrusted.quote("1S\r\nX-Admin: yes")).isEqualTo("\"1S\\x0d\\x0aX-Admin: yes\"");
    assertThat(Untrusted.quote("\u0007\u0000\u007f\t")).isEqualTo("\"\\x07\\x00\\x7f\\x09\"");
    assertThat(Untrusted.quote("cl\u00e9\u2028\u202e")).isEqualTo("\"cl\\u00e9\\u2028\\u202e\"");
    // One escape per UTF-16 unit: a surrogate pair (an emoji) is two.
    assertThat(Untrusted.quote("\ud83d\ude00")).isEqualTo("\"\\ud83d\\ude00\"");
  }

  @Test
  void longValues_showABoundedPrefixAndTheirLength() {
    assertThat(Untrusted.quote("%".repeat(2800)))
        .isEqualTo("\"" + "%".repeat(Untrusted.MAX_SHOWN_CHARS) + "\"... (2800 chars)");
    assertThat(Untrusted.quote("k".repeat(Untrusted.MAX_SHOWN_CHARS)))
        .isEqualTo("\"" + "k".repeat(Untrusted.MAX_SHOWN_CHARS) + "\"");
    assertThat(Untrusted.quote("k".repeat(Untrusted.MAX_SHOWN_CHARS + 1)))
        .isEqualTo("\"" + "k".repeat(Untrusted.MAX_SHOWN_CHARS) + "\"... (65 chars)");
  }

  @Test
  void escape_isTheQuotedFormWithoutTheQuotes() {
    assertThat(Untrusted.escape("services.a\u001b[2J")).isEqualTo("services.a\\x1b[2J");
    assertThat(Untrusted.escape("a\"b")).isEqualTo("a\\\"b");
    assertThat(Untrusted.escape("%".repeat(2800)))
        .isEqualTo("%".repeat(Untrusted.MAX_SHOWN_CHARS) + "... (2800 chars)");
  }

  @Test
  void fuzz_everyResultIsShortPrintableAscii_andUnescapesToThePrefixOfTheValue() {
    forAll(20261214L, 50_000, UntrustedTest::randomValue, value -> {
      String quoted = Untrusted.quote(value);

      assertThat(quoted.length()).as("length of %s", quoted).isLessThanOrEqualTo(408);
      assertThat(quoted.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).as("printable: %s", quoted).isTrue();
      int shown = Math.min(value.length(), Untrusted.MAX_SHOWN_CHARS);
      int close = closingQuote(quoted);
      assertThat(unescape(quoted.substring(1, close))).isEqualTo(value.substring(0, shown));
      assertThat(quoted.substring(close + 1))
          .isEqualTo(shown < value.length() ? "... (" + value.length() + " chars)" : "");
    });
  }

  /** Mostly short values of mixed classes, some long ones: the shapes a header fuzzer sends. */
  private static String randomValue(SplittableRandom random) {
    int length = random.nextInt(10) == 0 ? random.nextInt(5000) : random.nextInt(80);
    StringBuilder value = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      value.append(switch (random.nextInt(6)) {
        case 0 -> (char) random.nextInt(0x20);
        case 1 -> (char) random.nextInt(0x80, 0x10000);
        case 2 -> "\"\\%".charAt(random.nextInt(3));
        default -> (char) random.nextInt(0x20, 0x7f);
      });
    }
    return value.toString();
  }

  /** The index of the quote that closes the value: the first one not escaped. */
  private static int closingQuote(String quoted) {
    for (int i = 1; i < quoted.length(); i++) {
      char c = quoted.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        return i;
      }
    }
    throw new AssertionError("unclosed: " + quoted);
  }

  private static String unescape(String escaped) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < escaped.length(); i++) {
      char c = escaped.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char kind = escaped.charAt(++i);
      switch (kind) {
        case 'x' -> {
          out.append((char) Integer.parseInt(escaped.substring(i + 1, i + 3), 16));
          i += 2;
        }
        case 'u' -> {
          out.append((char) Integer.parseInt(escaped.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> out.append(kind);
      }
    }
    return out.toString();
  }
}
