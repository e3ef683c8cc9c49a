package dev.blastwall.config;

import dev.blastwall.internal.Suggestions;
import dev.blastwall.internal.Untrusted;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A mapping being read into the model: typed values by key, each failure a {@link ConfigException} naming the
 * value's path, the value as given, and what was expected.
 */
final class Section {

  static final String POSITIVE_DURATION = "a duration > 0 " + Durations.UNITS;
  static final String DURATION = "a duration >= 0 " + Durations.UNITS;

  private static final Pattern INTEGER_TEXT = Pattern.compile("[0-9]+");
  private static final Pattern NUMBER_TEXT = Pattern.compile("[0-9]+(\\.[0-9]+)?");
  // A number's text is bounded before it is parsed: BigDecimal's time grows with the digits.
  private static final int MAX_NUMBER_CHARS = 40;

  private final ConfigNode.Mapping mapping;

  private Section(ConfigNode.Mapping mapping) {
    this.mapping = mapping;
  }

  /** The mapping {@code node}; anything else is an error expecting {@code expected}. */
  static Section of(ConfigNode node, String expected) {
    if (node instanceof ConfigNode.Mapping mapping) {
      return new Section(mapping);
    }
    throw invalid(node, expected);
  }

  /** An error about {@code node}: its path, its value as given, and what was expected. */
  static ConfigException invalid(ConfigNode node, String expected) {
    return new ConfigException(node.path(), shown(node), expected);
  }

  /** A node as a message shows it: a scalar quoted and bounded, a mapping or list by its kind. */
  static String shown(ConfigNode node) {
    return switch (node) {
      case ConfigNode.Scalar scalar -> Untrusted.quote(scalar.written());
      case ConfigNode.Mapping unused -> "a mapping";
      case ConfigNode.Sequence unused -> "a list";
    };
  }

  String path() {
    return mapping.path();
  }

  ConfigNode.Mapping node() {
    return mapping;
  }

  Set<String> keys() {
    return mapping.entries().keySet();
  }

  /** Refuses the first key not in {@code known}, naming the nearest known one. */
  Section checkKeys(List<String> known) {
    for (String key : mapping.entries().keySet()) {
      if (!known.contains(key)) {
        throw new ConfigException(Paths.child(path(), key), "unknown key", Suggestions.oneOf(key, known));
      }
    }
    return this;
  }

  boolean has(String key) {
    return mapping.entries().containsKey(key);
  }

  /** The node under {@code key}, which must be there. */
  ConfigNode node(String key) {
    ConfigNode node = mapping.get(key);
    if (node == null) {
      throw new IllegalStateException("no " + key + " in " + path());
    }
    return node;
  }

  /** The mapping under {@code key}, or null when there is none. */
  @Nullable Section section(String key, String expected) {
    ConfigNode node = mapping.get(key);
    return node == null ? null : of(node, expected);
  }

  ConfigException invalid(String key, String expected) {
    return invalid(node(key), expected);
  }

  /** The value under {@code key} without surrounding blanks; a mapping or list is an error expecting {@code expected}. */
  String text(String key, String expected) {
    if (node(key) instanceof ConfigNode.Scalar scalar) {
      return scalar.text().strip();
    }
    throw invalid(key, expected);
  }

  Duration duration(String key, boolean positive) {
    String expected = positive ? POSITIVE_DURATION : DURATION;
    Duration duration = Durations.parse(text(key, expected));
    if (duration == null || (positive && duration.isZero())) {
      throw invalid(key, expected);
    }
    return duration;
  }

  Duration duration(String key, Duration min, Duration max, String expected) {
    Duration duration = Durations.parse(text(key, expected));
    if (duration == null || duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
      throw invalid(key, expected);
    }
    return duration;
  }

  boolean isInteger(String key) {
    return node(key) instanceof ConfigNode.Scalar scalar && INTEGER_TEXT.matcher(scalar.text().strip()).matches();
  }

  int integer(String key, int min, int max, String expected) {
    String text = text(key, expected);
    if (INTEGER_TEXT.matcher(text).matches()) {
      try {
        int parsed = Integer.parseInt(text);
        if (parsed >= min && parsed <= max) {
          return parsed;
        }
      } catch (NumberFormatException tooLarge) {
        // Falls through to the same message as any other value out of range.
      }
    }
    throw invalid(key, expected);
  }

  /** A plain decimal number in {@code min..max}, {@code min} itself refused when {@code minExcluded}. */
  double number(String key, double min, double max, boolean minExcluded, String expected) {
    return decimal(key, min, max, minExcluded, expected).doubleValue();
  }

  /** The same as a decimal, for exact conversions between percent and fractions. */
  BigDecimal decimal(String key, double min, double max, boolean minExcluded, String expected) {
    String text = text(key, expected);
    if (text.length() <= MAX_NUMBER_CHARS && NUMBER_TEXT.matcher(text).matches()) {
      BigDecimal parsed = new BigDecimal(text);
      int low = parsed.compareTo(BigDecimal.valueOf(min));
      if ((minExcluded ? low > 0 : low >= 0) && parsed.compareTo(BigDecimal.valueOf(max)) <= 0) {
        return parsed;
      }
    }
    throw invalid(key, expected);
  }

  boolean bool(String key) {
    return switch (text(key, "true or false").toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(key, "true or false");
    };
  }

  /** One of {@code choices} by its configuration name, in any case. */
  <E extends Enum<E>> E choice(String key, List<E> choices, java.util.function.Function<E, String> name) {
    String expected = "one of " + String.join(", ", choices.stream().map(name).toList());
    String text = text(key, expected).toLowerCase(Locale.ROOT);
    for (E choice : choices) {
      if (name.apply(choice).equals(text)) {
        return choice;
      }
    }
    throw invalid(key, expected);
  }
}
