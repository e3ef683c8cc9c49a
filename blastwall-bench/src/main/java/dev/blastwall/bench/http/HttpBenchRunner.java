package dev.blastwall.bench.http;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link HttpEchoBench} so that machine noise hits both variants of a pair alike, as the gRPC runner does:
 * everything in this JVM (JMH {@code -f 0}, the JIT stays warm), each variant first warmed up once, then rounds in
 * which each bare variant and its Blastwall one take turns in short runs, the order alternating from round to round.
 * Every run has JMH's GC profiler, for the bytes allocated per call. Each variant's rounds are pooled; the runner
 * writes JMH's JSON of every run ({@code http.json}) and a table of p50, p99, bytes per call and the targets
 * ({@code http.md}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.blastwall.bench.http.HttpBenchRunner [--rounds=6] [--quick]
 * [--out=DIR] [--command=TEXT] [JMH options]}. Default: 3 x 5 s first warm-up per variant, then per run 1 x 2 s
 * warm-up and 3 x 1 s measured, 6 rounds (about 4 minutes); {@code --quick}: 1 x 2 s, 1 x 1 s, 2 x 1 s, 2 rounds
 * (under a minute; not steady, to try things out). {@code -wi -w -i -r} replace these for every run, {@code -t}
 * sets the threads (1 by default); benchmark regexps, {@code -bm} and {@code -f} are the runner's.
 */
public final class HttpBenchRunner {

  /** The most Blastwall may add: 5% of the bare p50, and 1 KB allocated per call. */
  static final double MAX_P50_COST = 0.05;
  static final double MAX_ADDED_BYTES = 1024;

  private static final String ALLOCATION = "gc.alloc.rate.norm";

  /** Each bare variant and the Blastwall one it is compared with. */
  private static final List<List<String>> PAIRS = List.of(
      List.of("jdkBare", "jdkBlastwall"), List.of("okhttpBare", "okhttpBlastwall"));

  private HttpBenchRunner() {}

  /** Iteration counts and times: the first warm-up of each variant, and each later run's. */
  record Plan(int firstWarmups, TimeValue firstWarmupTime, int warmups, TimeValue warmupTime, int measurements,
      TimeValue measurementTime, int rounds) {

    static final Plan FULL = new Plan(3, TimeValue.seconds(5), 1, TimeValue.seconds(2), 3, TimeValue.seconds(1), 6);
    static final Plan QUICK = new Plan(1, TimeValue.seconds(2), 1, TimeValue.seconds(1), 2, TimeValue.seconds(1), 2);

    String describe() {
      return "all runs in one JVM (JMH -f 0); each variant first warmed up " + firstWarmups + " x "
          + firstWarmupTime + ", then " + rounds + " rounds of each pair, order alternating, each run " + warmups
          + " x " + warmupTime + " warm-up and " + measurements + " x " + measurementTime + " measured, -prof gc";
    }
  }

  public static void main(String[] args) throws Exception {
    Integer rounds = null;
    boolean quick = false;
    Path out = Path.of("target", "bench");
    String command = null;
    List<String> jmhArgs = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--rounds=")) {
        rounds = positive("--rounds", arg.substring("--rounds=".length()));
      } else if (arg.equals("--quick")) {
        quick = true;
      } else if (arg.startsWith("--out=")) {
        out = Path.of(arg.substring("--out=".length()));
      } else if (arg.startsWith("--command=")) {
        command = arg.substring("--command=".length());
      } else {
        jmhArgs.add(arg);
      }
    }
    CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(new String[0]));
    if (!cli.getIncludes().isEmpty()) {
      throw new IllegalArgumentException("benchmark regexps: " + cli.getIncludes()
          + " (expected: none; this runner runs every HttpEchoBench variant itself)");
    }
    Plan base = quick ? Plan.QUICK : Plan.FULL;
    Plan plan = rounds == null ? base : new Plan(base.firstWarmups(), base.firstWarmupTime(), base.warmups(),
        base.warmupTime(), base.measurements(), base.measurementTime(), rounds);

    List<RunResult> all = new ArrayList<>();
    Map<String, List<RunResult>> measured = new LinkedHashMap<>();
    for (List<String> pair : PAIRS) {
      for (String variant : pair) {
        all.add(runOne(options(cli, plan, variant, true)));
        measured.put(variant, new ArrayList<>());
      }
    }
    for (int round = 1; round <= plan.rounds(); round++) {
      for (List<String> pair : PAIRS) {
        List<String> order = round % 2 == 1 ? pair : pair.reversed();
        for (String variant : order) {
          RunResult result = runOne(options(cli, plan, variant, false));
          all.add(result);
          measured.computeIfAbsent(variant, unused -> new ArrayList<>()).add(result);
        }
      }
    }
    Files.createDirectories(out);
    Path json = out.resolve("http.json");
    Path markdown = out.resolve("http.md");
    ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(all);
    boolean replaced = cli.getWarmupIterations().hasValue() || cli.getWarmupTime().hasValue()
        || cli.getMeasurementIterations().hasValue() || cli.getMeasurementTime().hasValue();
    String described = plan.describe() + (replaced ? " (iteration settings replaced by the command's JMH options)" : "");
    Files.writeString(markdown, render(measured, command, described), StandardCharsets.UTF_8);
    System.out.println("blastwall bench http: wrote " + json + " and " + markdown);
  }

  private static org.openjdk.jmh.runner.options.Options options(CommandLineOptions cli, Plan plan, String variant,
      boolean first) {
    ChainedOptionsBuilder builder = new OptionsBuilder().parent(cli)
        .include(HttpEchoBench.class.getName() + "\\." + variant + "$")
        .mode(Mode.SampleTime)
        .timeUnit(TimeUnit.MICROSECONDS)
        .threads(cli.getThreads().orElse(1))
        .addProfiler(GCProfiler.class)
        .forks(0);
    if (!cli.getWarmupIterations().hasValue()) {
      builder.warmupIterations(first ? plan.firstWarmups() : plan.warmups());
    }
    if (!cli.getWarmupTime().hasValue()) {
      builder.warmupTime(first ? plan.firstWarmupTime() : plan.warmupTime());
    }
    if (!cli.getMeasurementIterations().hasValue()) {
      builder.measurementIterations(plan.measurements());
    }
    if (!cli.getMeasurementTime().hasValue()) {
      builder.measurementTime(plan.measurementTime());
    }
    return builder.build();
  }

  /** Runs the one benchmark the options select (not {@code Runner.runSingle}, which refuses narrowed modes). */
  private static RunResult runOne(org.openjdk.jmh.runner.options.Options options) throws Exception {
    List<RunResult> results = List.copyOf(new Runner(options).run());
    if (results.size() != 1) {
      throw new IllegalStateException("runs: " + results.size()
          + " (expected: 1, one benchmark in one mode; JMH printed why above)");
    }
    return results.get(0);
  }

  static String render(Map<String, List<RunResult>> measured, @Nullable String command, String plan) {
    StringBuilder md = new StringBuilder();
    md.append("# HTTP: bare clients and Jetty against Blastwall's\n\n- Date: ")
        .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append("\n- Cores: ").append(Runtime.getRuntime().availableProcessors())
        .append("\n- Plan: ").append(plan).append('\n');
    if (command != null) {
      md.append("- Command: `").append(command).append("`\n");
    }
    md.append("\n| target | bare | blastwall | added | result |\n|---|---:|---:|---:|---|\n");
    for (List<String> pair : PAIRS) {
      RunResult bare = pooled(measured.get(pair.get(0)));
      RunResult ours = pooled(measured.get(pair.get(1)));
      if (bare == null || ours == null) {
        continue;
      }
      double ratio = p(ours, 50) / p(bare, 50);
      md.append("| ").append(pair.get(1)).append(" p50 <= +5% | ").append(fmt("%.1f us", p(bare, 50)))
          .append(" | ").append(fmt("%.1f us", p(ours, 50))).append(" | ").append(fmt("%+.1f%%", (ratio - 1) * 100))
          .append(" | ").append(verdict(ratio <= 1 + MAX_P50_COST)).append(" |\n");
      double added = bytes(ours) - bytes(bare);
      md.append("| ").append(pair.get(1)).append(" <= +1 KB per call | ").append(fmt("%.0f B", bytes(bare)))
          .append(" | ").append(fmt("%.0f B", bytes(ours))).append(" | ").append(fmt("%+.0f B", added))
          .append(" | ").append(verdict(added <= MAX_ADDED_BYTES)).append(" |\n");
    }
    md.append("\n| benchmark | p50 us | p99 us | mean us | B/call | samples | rounds |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<String, List<RunResult>> variant : measured.entrySet()) {
      RunResult result = pooled(variant.getValue());
      if (result == null) {
        continue;
      }
      md.append("| HttpEchoBench.").append(variant.getKey()).append(" | ").append(fmt("%.1f", p(result, 50)))
          .append(" | ").append(fmt("%.1f", p(result, 99))).append(" | ")
          .append(fmt("%.1f", result.getPrimaryResult().getScore())).append(" | ")
          .append(fmt("%.0f", bytes(result))).append(" | ")
          .append(result.getPrimaryResult().getStatistics().getN()).append(" | ")
          .append(variant.getValue().size()).append(" |\n");
    }
    return md.toString();
  }

  /** A variant's rounds as one result, each round counting as a fork (as JMH pools forks). */
  private static @Nullable RunResult pooled(@Nullable List<RunResult> rounds) {
    if (rounds == null || rounds.isEmpty()) {
      return null;
    }
    List<BenchmarkResult> forks = new ArrayList<>();
    for (RunResult round : rounds) {
      forks.addAll(round.getBenchmarkResults());
    }
    return new RunResult(rounds.get(0).getParams(), forks);
  }

  private static double p(RunResult result, double percentile) {
    return result.getPrimaryResult().getStatistics().getPercentile(percentile);
  }

  /** Bytes allocated per call (client and server, one JVM), or NaN when the GC profiler gave none. */
  private static double bytes(RunResult result) {
    Result<?> allocation = result.getSecondaryResults().get(ALLOCATION);
    return allocation == null ? Double.NaN : allocation.getScore();
  }

  private static String verdict(boolean met) {
    return met ? "**met**" : "**missed**";
  }

  private static String fmt(String format, double value) {
    return String.format(Locale.ROOT, format, value);
  }

  private static int positive(String option, String value) {
    int parsed;
    try {
      parsed = Integer.parseInt(value);
    } catch (NumberFormatException notANumber) {
      throw new IllegalArgumentException(option + ": " + value + " (expected: a positive integer)", notANumber);
    }
    if (parsed < 1) {
      throw new IllegalArgumentException(option + ": " + value + " (expected: a positive integer)");
    }
    return parsed;
  }
}
