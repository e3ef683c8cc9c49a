package dev.blastwall.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Turns a JMH JSON result file into a markdown table: each benchmark at each thread count with its time, its
 * allocation (JMH's {@code gc.alloc.rate.norm}, present when run with {@code -prof gc}) and its ratio to the
 * Resilience4j and Failsafe benchmarks of the same scenario, plus a check of the performance targets.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.blastwall.bench.ResultsTable results.json results.md [command]}.
 */
public final class ResultsTable {

  /** Scenarios in the order they are shown, with what each measures. */
  private static final List<Map.Entry<String, String>> SCENARIOS = List.of(
      Map.entry("Baseline", "the payload called directly"),
      Map.entry("EmptyPipeline", "pipeline with no policy (default retry budget)"),
      Map.entry("Retry", "retry, 3 attempts (Blastwall: + retry budget)"),
      Map.entry("CircuitBreaker", "circuit breaker, closed"),
      Map.entry("RateLimiter", "rate limiter, ~1e9 permits/s"),
      Map.entry("Bulkhead", "bulkhead, 1000 permits"),
      Map.entry("Timeout", "timeout 10 s (armed and cancelled per call)"),
      Map.entry("Hedge", "hedge after 10 s (primary wins)"),
      Map.entry("Chain", "retry+budget, breaker, rate limiter, bulkhead"),
      Map.entry("ChainTimeout", "the chain + attempt timeout 10 s"),
      Map.entry("BreakerOpen", "failure: breaker forced open, call rejected"),
      Map.entry("RetriesExhausted", "failure: 3 attempts all fail, no backoff"));

  private static final List<String> LIBRARIES = List.of("direct", "blastwall", "resilience4j", "failsafe");

  /** Single policies that must be no slower than the faster of Resilience4j and Failsafe at 1 thread. */
  private static final List<String> SINGLE_POLICIES = List.of("Retry", "CircuitBreaker", "RateLimiter", "Bulkhead",
      "Timeout");

  /** Allocation below this many bytes per operation is JMH's own noise: counted as zero. */
  private static final double ZERO_BYTES = 0.5;

  private ResultsTable() {}

  /** One benchmark at one thread count. */
  record Row(String benchmark, String scenario, String library, String variant, int threads, double nanos,
      double error, double bytes) {

    String name() {
      return scenario + "Bench." + library + variant;
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: ResultsTable <jmh-results.json> <results.md> [command that produced them]");
      System.exit(2);
    }
    write(Path.of(args[0]), Path.of(args[1]), args.length > 2 ? args[2] : null);
  }

  /** Reads the JMH JSON at {@code json} and writes the markdown to {@code markdown}. */
  static void write(Path json, Path markdown, @Nullable String command) throws IOException {
    Object results = Json.parse(Files.readString(json, StandardCharsets.UTF_8));
    if (!(results instanceof List<?> list) || list.isEmpty()) {
      throw new IOException(json + " holds no JMH results");
    }
    List<Row> rows = rows(list);
    Path parent = markdown.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(markdown, render(list.get(0), rows, command), StandardCharsets.UTF_8);
  }

  static List<Row> rows(List<?> results) {
    List<Row> rows = new ArrayList<>();
    for (Object result : results) {
      String benchmark = Json.string(Json.get(result, "benchmark"));
      int methodDot = benchmark.lastIndexOf('.');
      int classDot = benchmark.lastIndexOf('.', methodDot - 1);
      String className = benchmark.substring(classDot + 1, methodDot);
      String method = benchmark.substring(methodDot + 1);
      String scenario = className.endsWith("Bench") ? className.substring(0, className.length() - 5) : className;
      String library = LIBRARIES.stream().filter(method::startsWith).findFirst().orElse(method);
      String variant = method.substring(library.length());
      Object primary = Json.get(result, "primaryMetric");
      Object alloc = Json.get(Json.get(result, "secondaryMetrics"), "gc.alloc.rate.norm");
      rows.add(new Row(benchmark, scenario, library, variant, (int) Json.number(Json.get(result, "threads")),
          Json.number(Json.get(primary, "score")), Json.number(Json.get(primary, "scoreError")),
          Json.number(Json.get(alloc, "score"))));
    }
    rows.sort(Comparator.comparingInt((Row row) -> scenarioOrder(row.scenario()))
        .thenComparing(Row::scenario)
        .thenComparing(row -> row.variant().isEmpty() ? "" : "~" + row.variant())
        .thenComparingInt(Row::threads)
        .thenComparingInt(row -> LIBRARIES.indexOf(row.library())));
    return rows;
  }

  static String render(Object first, List<Row> rows, @Nullable String command) {
    StringBuilder md = new StringBuilder();
    md.append("# Blastwall benchmark results\n\n");
    md.append("- Date: ")
        .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append('\n');
    md.append("- JDK: ").append(Json.string(Json.get(first, "jdkVersion"))).append(", ")
        .append(Json.string(Json.get(first, "vmName"))).append(' ')
        .append(Json.string(Json.get(first, "vmVersion"))).append('\n');
    md.append("- JMH ").append(Json.string(Json.get(first, "jmhVersion"))).append(": ")
        .append(fmt("%.0f", Json.number(Json.get(first, "forks")))).append(" fork, ")
        .append(fmt("%.0f", Json.number(Json.get(first, "warmupIterations")))).append(" x ")
        .append(Json.string(Json.get(first, "warmupTime"))).append(" warm-up, ")
        .append(fmt("%.0f", Json.number(Json.get(first, "measurementIterations")))).append(" x ")
        .append(Json.string(Json.get(first, "measurementTime"))).append(" measured, average time\n");
    md.append("- Cores: ").append(Runtime.getRuntime().availableProcessors()).append('\n');
    if (command != null) {
      md.append("- Command: `").append(command).append("`\n");
    }
    md.append("\nTime per call (lower is better) and bytes allocated per call (`-prof gc`'s gc.alloc.rate.norm; ")
        .append("blank when run without it). The ratios divide a benchmark's time by the Resilience4j or ")
        .append("Failsafe benchmark of the same scenario, execution and thread count: below 1 is faster. ")
        .append("Only ratios within one run mean much on a small, shared machine.\n\n");

    md.append("## Targets\n\n");
    md.append("| target | threads | Blastwall | compared with | result |\n");
    md.append("|---|---:|---|---|---|\n");
    targets(rows, md);

    md.append("\n## All results\n\n");
    md.append("| benchmark | measures | threads | ns/op | ± (99.9%) | B/op | × Resilience4j | × Failsafe |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (Row row : rows) {
      md.append("| ").append(row.name()).append(" | ").append(describe(row)).append(" | ").append(row.threads())
          .append(" | ").append(nanos(row.nanos())).append(" | ").append(nanos(row.error())).append(" | ")
          .append(bytes(row.bytes())).append(" | ").append(ratio(row, "resilience4j", rows)).append(" | ")
          .append(ratio(row, "failsafe", rows)).append(" |\n");
    }
    return md.toString();
  }

  private static void targets(List<Row> rows, StringBuilder md) {
    for (int threads : new int[] {1, 2}) {
      Optional<Row> chain = find(rows, "Chain", "blastwall", "", threads);
      Optional<Row> r4j = find(rows, "Chain", "resilience4j", "", threads);
      if (chain.isPresent() && r4j.isPresent()) {
        double ratio = chain.get().nanos() / r4j.get().nanos();
        md.append("| full pipeline <= 1/2 of Resilience4j's chain | ").append(threads).append(" | ")
            .append(nanos(chain.get().nanos())).append(" ns | ").append(nanos(r4j.get().nanos()))
            .append(" ns (Resilience4j) | ").append(verdict(ratio <= 0.5)).append(fmt(" (%.2fx)", ratio))
            .append(" |\n");
      }
      chain.ifPresent(row -> {
        if (!Double.isNaN(row.bytes())) {
          md.append("| full pipeline allocates 0 B/op | ").append(threads).append(" | ")
              .append(bytes(row.bytes())).append(" B/op | 0 | ").append(verdict(row.bytes() < ZERO_BYTES))
              .append(" |\n");
        }
      });
    }
    Optional<Row> r4jBreaker = find(rows, "CircuitBreaker", "resilience4j", "", 2);
    for (String variant : List.of("", "SlowCalls")) {
      Optional<Row> breaker = find(rows, "CircuitBreaker", "blastwall", variant, 2);
      if (breaker.isPresent() && r4jBreaker.isPresent()) {
        double ratio = breaker.get().nanos() / r4jBreaker.get().nanos();
        md.append("| CircuitBreaker").append(variant.isEmpty() ? "" : " (timing every call)")
            .append(" <= 1/2 of Resilience4j's | 2 | ").append(nanos(breaker.get().nanos())).append(" ns | ")
            .append(nanos(r4jBreaker.get().nanos())).append(" ns (Resilience4j) | ").append(verdict(ratio <= 0.5))
            .append(fmt(" (%.2fx)", ratio)).append(" |\n");
      }
    }
    for (String scenario : SINGLE_POLICIES) {
      for (String variant : List.of("", "Async", "SlowCalls", "NoBudget")) {
        Optional<Row> ours = find(rows, scenario, "blastwall", variant, 1);
        if (ours.isEmpty()) {
          continue;
        }
        Optional<Row> faster = rows.stream()
            .filter(row -> row.scenario().equals(scenario)
                && row.variant().equals(peerVariant(variant)) && row.threads() == 1
                && (row.library().equals("resilience4j") || row.library().equals("failsafe")))
            .min(Comparator.comparingDouble(Row::nanos));
        if (faster.isEmpty()) {
          continue;
        }
        boolean met = ours.get().nanos() <= faster.get().nanos();
        md.append("| ").append(scenario).append(switch (variant) {
          case "" -> "";
          case "Async" -> " (async)";
          case "NoBudget" -> " (unlimited budget)";
          default -> " (timing every call)";
        })
            .append(" <= faster of Resilience4j and Failsafe | 1 | ").append(nanos(ours.get().nanos()))
            .append(" ns | ").append(nanos(faster.get().nanos())).append(" ns (").append(faster.get().library())
            .append(") | ").append(verdict(met)).append(fmt(" (%.2fx)", ours.get().nanos() / faster.get().nanos()))
            .append(" |\n");
      }
    }
  }

  /** The peers' variant a Blastwall-only variant is compared with: their plain one. */
  private static String peerVariant(String variant) {
    return variant.equals("Async") ? variant : "";
  }

  private static Optional<Row> find(List<Row> rows, String scenario, String library, String variant, int threads) {
    return rows.stream().filter(row -> row.scenario().equals(scenario) && row.library().equals(library)
        && row.variant().equals(variant) && row.threads() == threads).findFirst();
  }

  private static String ratio(Row row, String library, List<Row> rows) {
    if (row.library().equals(library)) {
      return "1";
    }
    // A variant only Blastwall has (say, the breaker timing every call) is compared with the peer's plain one.
    return find(rows, row.scenario(), library, row.variant(), row.threads())
        .or(() -> find(rows, row.scenario(), library, "", row.threads()))
        .map(other -> fmt("%.2f", row.nanos() / other.nanos())).orElse("");
  }

  private static String describe(Row row) {
    String what = SCENARIOS.stream().filter(entry -> entry.getKey().equals(row.scenario())).findFirst()
        .map(Map.Entry::getValue).orElse(row.scenario());
    return switch (row.variant()) {
      case "" -> what;
      case "Async" -> what + ", async";
      case "NanoTime" -> "one System.nanoTime() (clock cost, for scale)";
      case "NoBudget" -> row.scenario().equals("Retry")
          ? "retry, 3 attempts, unlimited retry budget (like for like with Resilience4j's retry)"
          : "pipeline with no policy, unlimited retry budget";
      case "SlowCalls" -> what + ", timing every call (slow calls over 60 s counted, as Resilience4j does)";
      default -> what + ", " + row.variant();
    };
  }

  private static int scenarioOrder(String scenario) {
    for (int index = 0; index < SCENARIOS.size(); index++) {
      if (SCENARIOS.get(index).getKey().equals(scenario)) {
        return index;
      }
    }
    return SCENARIOS.size();
  }

  private static String verdict(boolean met) {
    return met ? "**met**" : "**missed**";
  }

  private static String nanos(double value) {
    return Double.isNaN(value) ? "" : value < 100 ? fmt("%.1f", value) : fmt("%.0f", value);
  }

  private static String bytes(double value) {
    return Double.isNaN(value) ? "" : value < ZERO_BYTES ? "0" : fmt("%.0f", value);
  }

  private static String fmt(String format, double value) {
    return String.format(Locale.ROOT, format, value);
  }
}
