package dev.blastwall.config;

import dev.blastwall.internal.Checks;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Durations as configuration writes them: a whole number and a unit, {@code 300ms}, {@code 2s}. */
final class Durations {

  static final String UNITS = "with a unit of ns, us, ms, s or m, like 300ms";

  private static final Pattern TEXT = Pattern.compile("([0-9]+)(ns|us|ms|s|m)");

  private Durations() {}

  /** A duration like {@code 300ms}, {@code 2s}, {@code 1m}, {@code 500us} or {@code 100ns}; null if it is not one. */
  static @Nullable Duration parse(String text) {
    Matcher matcher = TEXT.matcher(text);
    if (!matcher.matches()) {
      return null;
    }
    try {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ns" -> Duration.ofNanos(amount);
        case "us" -> Duration.ofNanos(Math.multiplyExact(amount, 1_000L));
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        default -> Duration.ofMinutes(amount);
      };
    } catch (ArithmeticException | NumberFormatException tooLarge) {
      return null;
    }
  }

  /** A duration the way configuration writes it, for messages: {@code 100ms}, {@code 10s}. */
  static String text(Duration duration) {
    if (duration.toNanosPart() == 0) {
      return duration.toSeconds() + "s";
    }
    long nanos = Checks.saturatedNanos(duration);
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    return nanos % 1_000L == 0 ? nanos / 1_000L + "us" : nanos + "ns";
  }
}
