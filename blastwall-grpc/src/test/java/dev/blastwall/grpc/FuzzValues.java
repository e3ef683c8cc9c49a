package dev.blastwall.grpc;

import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.TimeoutHeader;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Values for the metadata fuzz tests, from a seeded random source: valid values, valid values mutated a little
 * (the bugs live next to the valid ones), random characters of every class, and long runs.
 */
final class FuzzValues {

  /** The request metadata a Blastwall server reads, plus the pushback trailer (ignored on requests). */
  static final List<String> REQUEST_KEYS = List.of(TimeoutHeader.NAME, BlastwallMetadata.CRITICALITY.name(),
      BlastwallMetadata.ATTEMPT.name(), BlastwallMetadata.IDEMPOTENCY_KEY.name(),
      BlastwallMetadata.DO_NOT_RETRY.name(), BlastwallMetadata.RETRY_PUSHBACK_MS.name());

  private static final List<Criticality> CRITICALITIES = List.of(Criticality.values());
  private static final String DIGITS = "0123456789";
  private static final String SPECIAL = "%\"\\ +-._:;,/=?*!~#@$&'()[]{}<>|^`";

  private FuzzValues() {}

  /** A value for {@code key}: valid 30%, a mutated valid one 45%, random 20%, long 5%. */
  static String forKey(SplittableRandom random, String key, boolean bytesOnly) {
    int draw = random.nextInt(100);
    if (draw < 30) {
      return valid(random, key);
    }
    if (draw < 75) {
      return mutate(random, valid(random, key), bytesOnly);
    }
    if (draw < 95) {
      return chars(random, random.nextInt(40), bytesOnly);
    }
    return longRun(random, bytesOnly);
  }

  /** A value the key's parser accepts (or, for pushback, one a client honours). */
  static String valid(SplittableRandom random, String key) {
    return switch (key) {
      case TimeoutHeader.NAME -> TimeoutHeader.encode(random.nextLong(1, 60_000_000_000L));
      case "blastwall-criticality" -> CRITICALITIES.get(random.nextInt(CRITICALITIES.size())).name();
      case "blastwall-attempt" -> Integer.toString(random.nextInt(1, 10));
      case "idempotency-key" -> Long.toHexString(random.nextLong()) + "-" + Long.toHexString(random.nextLong());
      case "blastwall-do-not-retry" -> random.nextBoolean() ? "true" : "1";
      default -> Integer.toString(random.nextInt(0, 300));
    };
  }

  /** {@code value} with one to three small edits: insert, delete, replace, case flip, pad, sign, repeat. */
  static String mutate(SplittableRandom random, String value, boolean bytesOnly) {
    StringBuilder out = new StringBuilder(value);
    int edits = random.nextInt(1, 4);
    for (int i = 0; i < edits; i++) {
      int at = out.isEmpty() ? 0 : random.nextInt(out.length());
      switch (random.nextInt(8)) {
        case 0 -> out.insert(at, randomChar(random, bytesOnly));
        case 1 -> {
          if (!out.isEmpty()) {
            out.deleteCharAt(at);
          }
        }
        case 2 -> {
          if (!out.isEmpty()) {
            out.setCharAt(at, randomChar(random, bytesOnly));
          }
        }
        case 3 -> {
          if (!out.isEmpty()) {
            char c = out.charAt(at);
            out.setCharAt(at, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
          }
        }
        case 4 -> out.insert(random.nextBoolean() ? 0 : out.length(), " \t".charAt(random.nextInt(2)));
        case 5 -> out.insert(0, "+-0".charAt(random.nextInt(3)));
        case 6 -> out.insert(at, DIGITS.repeat(random.nextInt(1, 3)));
        default -> out.append(out);
      }
    }
    return out.toString();
  }

  /** {@code length} characters drawn from digits, letters, punctuation, control bytes and non-ASCII. */
  static String chars(SplittableRandom random, int length, boolean bytesOnly) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(randomChar(random, bytesOnly));
    }
    return out.toString();
  }

  /** One character repeated up to 3,000 times: the shape of a buffer-size probe. */
  static String longRun(SplittableRandom random, boolean bytesOnly) {
    return String.valueOf(randomChar(random, bytesOnly)).repeat(random.nextInt(256, 3000));
  }

  /**
   * A character of one of the classes; with {@code bytesOnly}, at most 0xff (what an HTTP/2 header value carries
   * as one byte).
   */
  static char randomChar(SplittableRandom random, boolean bytesOnly) {
    return switch (random.nextInt(bytesOnly ? 6 : 8)) {
      case 0 -> DIGITS.charAt(random.nextInt(DIGITS.length()));
      case 1 -> "HMSmunhsxTRUEtrue".charAt(random.nextInt(17));
      case 2 -> SPECIAL.charAt(random.nextInt(SPECIAL.length()));
      case 3 -> random.nextInt(4) == 0 ? '\u007f' : (char) random.nextInt(0x20);
      case 4 -> (char) random.nextInt(0x80, 0x100);
      case 5 -> (char) random.nextInt(0x20, 0x7f);
      // Letters whose upper or lower case is ASCII: dotless i, long s, Kelvin sign, dotted capital I.
      case 6 -> "\u0131\u017f\u212a\u0130".charAt(random.nextInt(4));
      default -> (char) random.nextInt(0x100, 0x10000);
    };
  }
}
