package dev.blastwall.config;

import dev.blastwall.internal.Suggestions;
import dev.blastwall.internal.Untrusted;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Today's flat keys, {@code upstreams.<name>.<setting>=<value>} as in a properties file, as a {@link ConfigNode}
 * tree for {@link ConfigReader}: {@code upstreams.inventory.retry.max-attempts=3} is the value {@code 3} at
 * {@code upstreams / inventory / retry / max-attempts}, named by its full key in errors. Keys are read in sorted
 * order, so the same mistakes always produce the same message.
 *
 * <p>Three keys keep the percent scale they were written in: {@code breaker.failure-rate} (50 is half),
 * {@code hedge.percentile} (95 is p95) and {@code retry.budget.percent} (10 is 10%). They are checked on that scale
 * here and handed to the tree as the fractions every other form of configuration writes.
 */
public final class FlatConfig {

  /** The prefix of every key. */
  public static final String PREFIX = "upstreams.";

  /** Every setting of an upstream, in the order of docs/configuration.md. */
  public static final List<String> SETTINGS = List.of(
      "timeout", "attempt-timeout", "idempotent",
      "retry.max-attempts", "retry.backoff", "retry.base", "retry.cap",
      "retry.budget.percent", "retry.budget.min-per-second", "retry.budget.window",
      "hedge.delay", "hedge.percentile", "hedge.min-delay", "hedge.max-extra",
      "breaker.failure-rate", "breaker.minimum-calls", "breaker.window", "breaker.open", "breaker.half-open-probes",
      "bulkhead.max-concurrent", "bulkhead.max-waiting", "bulkhead.max-wait",
      "rate-limit.per-second", "rate-limit.burst", "rate-limit.max-wait");

  /** The settings written in percent: their range on that scale, what to say about a bad one, their tree key. */
  private record Percent(String treeKey, double min, double max, boolean minExcluded, String expected) {}

  private static final Map<String, Percent> PERCENT = Map.of(
      "retry.budget.percent", new Percent("ratio", 0, 1000, false, "a number 0..1000 (percent)"),
      "hedge.percentile", new Percent("percentile", 50, 99.99, false, "a number 50..99.99"),
      "breaker.failure-rate", new Percent("failure-rate", 0, 100, true, "a number > 0 and <= 100"));

  private FlatConfig() {}

  /**
   * The tree of {@code config}'s entries.
   *
   * @throws ConfigException for a key that is not {@code upstreams.<name>.<setting>} with a known setting, naming
   *     the nearest setting, and for a percent value out of its range
   */
  public static ConfigNode tree(Map<String, String> config) {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> upstreams = new LinkedHashMap<>();
    root.put("upstreams", upstreams);
    for (Map.Entry<String, String> entry : new TreeMap<>(config).entrySet()) {
      String key = entry.getKey();
      String value = entry.getValue();
      int dot = key.startsWith(PREFIX) ? key.indexOf('.', PREFIX.length()) : -1;
      String upstream = dot < 0 ? "" : key.substring(PREFIX.length(), dot);
      if (upstream.isBlank()) {
        throw new ConfigException(key, Untrusted.quote(value), "a key upstreams.<name>.<setting>");
      }
      String setting = key.substring(dot + 1);
      if (!SETTINGS.contains(setting)) {
        throw new ConfigException(key, Untrusted.quote(value),
            "a setting of upstream \"" + upstream + "\": " + Suggestions.oneOf(setting, SETTINGS));
      }
      List<String> parts = List.of(setting.split("\\.", -1));
      Map<String, Object> parent = child(upstreams, upstream);
      for (String part : parts.subList(0, parts.size() - 1)) {
        parent = child(parent, part);
      }
      Percent percent = PERCENT.get(setting);
      if (percent == null) {
        parent.put(parts.get(parts.size() - 1), new ConfigNode.Scalar(key, value));
      } else {
        parent.put(percent.treeKey(), new ConfigNode.Scalar(key, fraction(key, value, percent), value));
      }
    }
    return node("", root);
  }

  private static String fraction(String key, String value, Percent percent) {
    ConfigNode.Mapping holder = new ConfigNode.Mapping("", Map.of(key, new ConfigNode.Scalar(key, value)));
    BigDecimal parsed = Section.of(holder, "").decimal(key, percent.min(), percent.max(), percent.minExcluded(),
        percent.expected());
    return parsed.movePointLeft(2).toPlainString();
  }

  @SuppressWarnings("unchecked") // Only this class fills the maps: their values are maps of the same kind or nodes.
  private static Map<String, Object> child(Map<String, Object> parent, String key) {
    return (Map<String, Object>) parent.computeIfAbsent(key, unused -> new LinkedHashMap<String, Object>());
  }

  @SuppressWarnings("unchecked") // As above.
  private static ConfigNode node(String path, Object value) {
    if (value instanceof ConfigNode node) {
      return node;
    }
    Map<String, ConfigNode> entries = new LinkedHashMap<>();
    ((Map<String, Object>) value).forEach((key, child) -> entries.put(key, node(Paths.child(path, key), child)));
    return new ConfigNode.Mapping(path, entries);
  }
}
