package dev.blastwall.lab.yaml;

import dev.blastwall.lab.topology.StatusNames;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One value of a lab file as snakeyaml-engine loaded it (a map, list, string, number, boolean or null) and where it
 * sits. Each reader checks the type and the range and fails with the path, never with a ClassCastException.
 */
record Value(YamlPath path, @Nullable Object raw) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

  /** A mapping whose keys are all among {@code allowed}. */
  Fields fields(Set<String> allowed) {
    if (!(raw instanceof Map<?, ?> map)) {
      throw InvalidValue.of(path, raw, "a mapping of " + Fields.describe(allowed));
    }
    return Fields.of(path, map, allowed);
  }

  /** A mapping of any names (services, criticalities) to values, in file order. */
  List<Value> entries(String keyKind) {
    if (!(raw instanceof Map<?, ?> map)) {
      throw InvalidValue.of(path, raw, "a mapping of " + keyKind + " to values");
    }
    List<Value> entries = new ArrayList<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw InvalidValue.of(path, entry.getKey(), "keys that are " + keyKind);
      }
      entries.add(new Value(path.key(key), entry.getValue()));
    }
    return entries;
  }

  /** The last key of the path: for values read through {@link #entries}. */
  String key() {
    return (String) path.segments().getLast();
  }

  /** The items of a list. */
  List<Value> items(String expected) {
    if (!(raw instanceof List<?> list)) {
      throw InvalidValue.of(path, raw, "a list of " + expected);
    }
    List<Value> items = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      items.add(new Value(path.index(i), list.get(i)));
    }
    return items;
  }

  boolean isString() {
    return raw instanceof String;
  }

  boolean isMap() {
    return raw instanceof Map<?, ?>;
  }

  String string(String expected) {
    if (!(raw instanceof String text)) {
      throw InvalidValue.of(path, raw, expected);
    }
    return text;
  }

  /** A lab name: lower-case letters, digits and dashes, starting with a letter. */
  String name() {
    String text = string("a name of lower-case letters, digits and '-'");
    if (!NAME.matcher(text).matches()) {
      throw InvalidValue.of(path, text, "a name of lower-case letters, digits and '-', starting with a letter");
    }
    return text;
  }

  /** One of {@code choices}, as written. */
  String choice(List<String> choices) {
    String expected = "one of " + String.join(", ", choices);
    String text = string(expected);
    if (!choices.contains(text)) {
      throw InvalidValue.of(path, text, expected);
    }
    return text;
  }

  /** A gRPC error status name such as UNAVAILABLE. */
  String status() {
    String expected = "a gRPC error status name such as UNAVAILABLE";
    String text = string(expected);
    if (!StatusNames.ERRORS.contains(text)) {
      throw InvalidValue.of(path, text, expected);
    }
    return text;
  }

  boolean bool() {
    if (!(raw instanceof Boolean flag)) {
      throw InvalidValue.of(path, raw, "true or false");
    }
    return flag;
  }

  /** {@code true}, for keys whose presence is the setting ({@code hang: true}). */
  void isTrue() {
    if (!Boolean.TRUE.equals(raw)) {
      throw InvalidValue.of(path, raw, "true");
    }
  }

  /** A whole number of at least {@code min}. */
  int integer(int min) {
    return (int) wholeNumber(min, Integer.MAX_VALUE);
  }

  /** A whole number from {@code min} to {@code max}. */
  int integer(int min, int max) {
    return (int) wholeNumber(min, max);
  }

  /** A whole number of at least {@code min}. */
  long longInteger(long min) {
    return wholeNumber(min, Long.MAX_VALUE);
  }

  private long wholeNumber(long min, long max) {
    BigInteger value;
    if (raw instanceof Integer || raw instanceof Long) {
      value = BigInteger.valueOf(((Number) raw).longValue());
    } else if (raw instanceof BigInteger big) {
      value = big;
    } else {
      throw InvalidValue.of(path, raw, "a whole number");
    }
    if (value.compareTo(BigInteger.valueOf(min)) < 0) {
      throw InvalidValue.of(path, raw, "at least " + min);
    }
    if (value.compareTo(BigInteger.valueOf(max)) > 0) {
      // Past what the field holds at all, the type is the limit; below it, the field's own bound.
      boolean typeLimit = max == Integer.MAX_VALUE || max == Long.MAX_VALUE;
      throw InvalidValue.of(path, raw, (typeLimit ? "a whole number of at most " : "at most ") + max);
    }
    return value.longValueExact();
  }

  /** A number in [min, max]. */
  double number(double min, double max) {
    if (!(raw instanceof Number number)) {
      throw InvalidValue.of(path, raw, "a number");
    }
    double value = number.doubleValue();
    if (!(value >= min && value <= max)) {
      throw InvalidValue.of(path, raw, "a number between " + plain(min) + " and " + plain(max));
    }
    return value;
  }

  /** A number above zero and at most {@code max}. */
  double positiveNumber(double max) {
    if (!(raw instanceof Number number)) {
      throw InvalidValue.of(path, raw, "a number");
    }
    double value = number.doubleValue();
    if (!(value > 0 && value <= max)) {
      throw InvalidValue.of(path, raw, "a number above 0 and at most " + plain(max));
    }
    return value;
  }

  /** A duration such as {@code 250ms}, from zero to {@link DurationText#MAX}. */
  Duration duration() {
    return DurationText.parse(path, string(DurationText.EXPECTED));
  }

  /** A duration longer than zero. */
  Duration positiveDuration() {
    Duration value = duration();
    if (value.isZero()) {
      throw InvalidValue.of(path, raw, "a duration above zero");
    }
    return value;
  }

  private static String plain(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
