package dev.blastwall.grpc.balance;

import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Suggestions;
import dev.blastwall.internal.Untrusted;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One JSON object of a policy's service config (as grpc-java parses JSON: objects as maps with string keys,
 * numbers as doubles), read strictly: a key that is not one of the known ones, a value of the wrong type or out of
 * bounds fails with {@code outlierDetection.interval: "0s" (expected: ...)}, naming the value's full path.
 */
final class ConfigObject {

  /** A protobuf JSON duration: whole seconds and at most nanosecond digits, then {@code s}; no sign, no exponent. */
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})(?:\\.([0-9]{1,9}))?s");
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final String path;
  private final Map<String, ?> values;

  private ConfigObject(String path, Map<String, ?> values) {
    this.path = path;
    this.values = values;
  }

  /**
   * The top-level object, whose keys must all be in {@code keys}.
   *
   * @throws IllegalArgumentException for an unknown key, naming the nearest known one when one is close
   */
  static ConfigObject root(Map<String, ?> raw, List<String> keys) {
    return checked("", raw, keys);
  }

  /** The object at {@code key}, whose keys must all be in {@code keys}; {@code null} when absent or JSON null. */
  @Nullable ConfigObject object(String key, List<String> keys) {
    Object value = values.get(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw invalid(key, "an object");
    }
    return checked(name(key), map, keys);
  }

  /** The string at {@code key}, or {@code fallback} when absent. */
  String string(String key, String fallback) {
    Object value = values.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String s)) {
      throw invalid(key, "a string");
    }
    return s;
  }

  /** The integer at {@code key} (a JSON number without a fraction) within {@code [min, max]}, or {@code fallback}. */
  int integer(String key, int fallback, int min, int max) {
    Object value = values.get(key);
    if (value == null) {
      return fallback;
    }
    double number = value instanceof Number n ? n.doubleValue() : Double.NaN;
    if (!(number == Math.rint(number) && number >= min && number <= max)) {
      throw invalid(key, "an integer from " + min + " to " + max);
    }
    return (int) number;
  }

  /**
   * The duration at {@code key}, a string like {@code "2.5s"} within {@code [min, max]}; {@code null} when absent.
   */
  @Nullable Duration duration(String key, Duration min, Duration max) {
    Object value = values.get(key);
    if (value == null) {
      return null;
    }
    Matcher matcher = value instanceof String s ? DURATION.matcher(s) : null;
    if (matcher != null && matcher.matches()) {
      String fraction = matcher.group(2);
      long nanos = fraction == null ? 0 : Long.parseLong((fraction + "00000000").substring(0, 9));
      // At most 12 digits of seconds: far inside Duration's range, so only the bounds can refuse it.
      Duration duration = Duration.ofSeconds(Long.parseLong(matcher.group(1)), nanos);
      if (duration.compareTo(min) >= 0 && duration.compareTo(max) <= 0) {
        return duration;
      }
    }
    throw invalid(key, "a duration from " + text(min) + " to " + text(max) + ", like \"2.5s\"");
  }

  /** The full path of {@code key} in this object, for messages. */
  String name(String key) {
    return path.isEmpty() ? segment(key) : path + "." + segment(key);
  }

  /** A key as a message names it: as it is when plain, else quoted, bounded and escaped. */
  static String segment(String key) {
    return PLAIN_KEY.matcher(key).matches() ? key : Untrusted.quote(key);
  }

  /** The message shape of every bad value here, with the value at {@code key} bounded and escaped. */
  IllegalArgumentException invalid(String key, String expected) {
    return Checks.invalidArgument(name(key), describe(values.get(key)), expected);
  }

  /** A duration the way this config writes it: {@code 0.01s}, {@code 86400s}. */
  static String text(Duration duration) {
    return BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9))
        .stripTrailingZeros().toPlainString() + "s";
  }

  private static ConfigObject checked(String path, Map<?, ?> raw, List<String> keys) {
    // Sorted, so that a config with several mistakes always reports the same one first.
    TreeMap<String, Object> sorted = new TreeMap<>();
    for (Map.Entry<?, ?> entry : raw.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw Checks.invalidArgument(path.isEmpty() ? "config" : path, "an object with the key "
            + Untrusted.quote(String.valueOf(entry.getKey())), "an object with string keys");
      }
      Object value = entry.getValue();
      if (value != null) { // JSON null: as if absent
        sorted.put(key, value);
      }
    }
    ConfigObject object = new ConfigObject(path, sorted);
    for (String key : sorted.keySet()) {
      if (!keys.contains(key)) {
        throw Checks.invalidArgument(object.name(key), "unknown key", Suggestions.oneOf(key, keys));
      }
    }
    return object;
  }

  /** A value of the config as a message may show it: strings quoted, numbers as written, containers by kind. */
  private static String describe(@Nullable Object value) {
    return switch (value) {
      case null -> "null";
      case String s -> Untrusted.quote(s);
      case Double d -> d.doubleValue() == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue())
          : d.toString();
      case Number n -> n.toString();
      case Boolean b -> b.toString();
      case Map<?, ?> unused -> "an object";
      case List<?> unused -> "a list";
      default -> "a " + value.getClass().getSimpleName();
    };
  }
}
