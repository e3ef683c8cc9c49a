package dev.blastwall.bench.grpc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link GrpcEchoBench} so that machine noise hits both variants alike. Everything runs in this JVM (JMH
 * {@code -f 0}), so the JIT's work survives from one JMH run to the next: each variant is first warmed up for
 * 15 s, then, for each thread count and mode (throughput, then sample time), {@code bare} and {@code blastwall}
 * take turns in short runs (a short warm-up, then the measurement), the order alternating from round to round
 * (bare-blastwall, blastwall-bare, ...). A burst of load from elsewhere lasts seconds, so it lands on both
 * variants instead of on whichever ran at that moment. Each variant's rounds are then pooled (as JMH pools forks);
 * the runner writes JMH's JSON of every run ({@code grpc.json}) and the table ({@code grpc.md}, see
 * {@link GrpcTable}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.blastwall.bench.grpc.GrpcBenchRunner [--threads=1,2] [--rounds=6]
 * [--quick] [--out=DIR] [--command=TEXT] [JMH options]}. Default: 3 x 5 s first warm-up per variant, then per run
 * 1 x 2 s warm-up and 3 x 1 s measured, 6 rounds (about 5 minutes at 1 and 2 threads); {@code --quick}: 2 x 2 s
 * first warm-up, 1 x 1 s, 2 x 1 s, 2 rounds (about 1 minute; not steady, to try things out). JMH options such as
 * {@code -prof stack} apply to every run, {@code -wi -w -i -r} to every run in place of these; benchmark regexps,
 * {@code -t}, {@code -bm} and {@code -f} are the runner's.
 */
public final class GrpcBenchRunner {

  static final String BARE = "bare";
  static final String BLASTWALL = "blastwall";
  private static final List<Mode> MODES = List.of(Mode.Throughput, Mode.SampleTime);

  private GrpcBenchRunner() {}

  /** Iteration counts and times: the first warm-up of each variant, and each later run's. */
  record Plan(int firstWarmups, TimeValue firstWarmupTime, int warmups, TimeValue warmupTime, int measurements,
      TimeValue measurementTime, int rounds) {

    static final Plan FULL = new Plan(3, TimeValue.seconds(5), 1, TimeValue.seconds(2), 3, TimeValue.seconds(1), 6);
    static final Plan QUICK = new Plan(2, TimeValue.seconds(2), 1, TimeValue.seconds(1), 2, TimeValue.seconds(1), 2);

    String describe() {
      return "all runs in one JVM (JMH -f 0, so the JIT stays warm between runs); each variant first warmed up "
          + firstWarmups + " x " + firstWarmupTime + ", then per thread count and mode " + rounds
          + " rounds of both variants, order alternating, each run " + warmups + " x " + warmupTime + " warm-up and "
          + measurements + " x " + measurementTime + " measured";
    }
  }

  public static void main(String[] args) throws Exception {
    List<Integer> threadCounts = new ArrayList<>(List.of(1, 2));
    Integer rounds = null;
    boolean quick = false;
    Path out = Path.of("target", "bench");
    String command = null;
    List<String> jmhArgs = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--threads=")) {
        threadCounts.clear();
        for (String count : arg.substring("--threads=".length()).split(",", -1)) {
          threadCounts.add(positive("--threads", count.trim()));
        }
      } else if (arg.startsWith("--rounds=")) {
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
          + " (expected: none; this runner runs GrpcEchoBench.bare and .blastwall itself)");
    }
    Plan base = quick ? Plan.QUICK : Plan.FULL;
    Plan plan = rounds == null ? base : new Plan(base.firstWarmups(), base.firstWarmupTime(), base.warmups(),
        base.warmupTime(), base.measurements(), base.measurementTime(), rounds);

    List<RunResult> all = new ArrayList<>();
    for (String variant : List.of(BARE, BLASTWALL)) {
      // The first warm-up: long enough for the JIT to compile the whole RPC path of this variant.
      all.add(runOne(options(cli, plan, variant, Mode.Throughput, threadCounts.get(0), true)));
    }
    List<GrpcTable.Round> done = new ArrayList<>();
    for (int threads : threadCounts) {
      for (Mode mode : MODES) {
        for (int round = 1; round <= plan.rounds(); round++) {
          boolean bareFirst = round % 2 == 1;
          List<String> order = bareFirst ? List.of(BARE, BLASTWALL) : List.of(BLASTWALL, BARE);
          RunResult[] results = new RunResult[2];
          for (String variant : order) {
            RunResult result = runOne(options(cli, plan, variant, mode, threads, false));
            results[variant.equals(BARE) ? 0 : 1] = result;
            all.add(result);
          }
          done.add(new GrpcTable.Round(threads, mode, round, order, nonNull(results[0]), nonNull(results[1])));
        }
      }
    }
    Files.createDirectories(out);
    Path json = out.resolve("grpc.json");
    Path markdown = out.resolve("grpc.md");
    ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(all);
    Files.writeString(markdown, GrpcTable.render(done, command, plan.describe()), StandardCharsets.UTF_8);
    System.out.println("blastwall bench --grpc: wrote " + json + " and " + markdown);
  }

  /**
   * One variant in one mode at {@code threads}, in this JVM; {@code first}: the variant's first, long warm-up
   * (whose measurement is kept in the JSON but not in the table). Iteration settings given on the command line win.
   */
  private static org.openjdk.jmh.runner.options.Options options(CommandLineOptions cli, Plan plan, String variant,
      Mode mode, int threads, boolean first) {
    ChainedOptionsBuilder builder = new OptionsBuilder().parent(cli)
        .include(GrpcEchoBench.class.getName() + "\\." + variant + "$")
        .mode(mode)
        .timeUnit(mode == Mode.Throughput ? TimeUnit.SECONDS : TimeUnit.MICROSECONDS)
        .threads(threads)
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

  /**
   * Runs the one benchmark the options select. Not {@code Runner.runSingle}: it counts the class's annotated modes
   * before the options narrow them to one, and refuses.
   */
  private static RunResult runOne(org.openjdk.jmh.runner.options.Options options) throws Exception {
    List<RunResult> results = List.copyOf(new Runner(options).run());
    if (results.size() != 1) {
      throw new IllegalStateException("runs: " + results.size()
          + " (expected: 1, one benchmark in one mode; JMH printed why above)");
    }
    return results.get(0);
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

  private static RunResult nonNull(@Nullable RunResult result) {
    if (result == null) {
      throw new IllegalStateException("a variant of the round did not run");
    }
    return result;
  }
}
