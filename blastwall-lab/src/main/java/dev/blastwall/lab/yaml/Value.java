package dev.blastwall.lab.yaml;

import dev.blastwall.lab.topology.Durations;
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
    if (raw instanceof BigInteger || raw instanceof Long) {
      throw InvalidValue.of(path, raw, "a whole number of at most " + Integer.MAX_VALUE);
    }
    long value = longInteger(min);
    if (value > Integer.MAX_VALUE) {
      throw InvalidValue.of(path, raw, "a whole number of at most " + Integer.MAX_VALUE);
    }
    return (int) value;
  }

  /** A whole number of at least {@code min}. */
  long longInteger(long min) {
    long value;
    if (raw instanceof Integer || raw instanceof Long) {
      value = ((Number) raw).longValue();
    } else if (raw instanceof BigInteger) {
      throw InvalidValue.of(path, raw, "a whole number of at most " + Long.MAX_VALUE);
    } else {
      throw InvalidValue.of(path, raw, "a whole number");
    }
    if (value < min) {
      throw InvalidValue.of(path, raw, "at least " + min);
    }
    return value;
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

  /** A number above zero, finite. */
  double positiveNumber() {
    if (!(raw instanceof Number number)) {
      throw InvalidValue.of(path, raw, "a number");
    }
    double value = number.doubleValue();
    if (!(value > 0) || Double.isInfinite(value)) {
      throw InvalidValue.of(path, raw, "a number above 0");
    }
    return value;
  }

  /** A duration such as {@code 250ms}, zero or more. */
  Duration duration() {
    String expected = "a number and a unit, one of ns, us, ms, s, m, e.g. 250ms";
    String text = string(expected);
    try {
      return Durations.parse(path.toString(), text);
    } catch (IllegalArgumentException e) {
      throw InvalidValue.of(path, text, expected);
    }
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
