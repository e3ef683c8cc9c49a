package dev.blastwall.lab.cli;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.topology.Protocol;
import dev.blastwall.lab.scenario.ScenarioParams;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The options of {@code lab run} and {@code demo}, parsed strictly: an unknown option, a missing value or a value
 * out of range is a {@link UsageException} naming it.
 *
 * @param scenario the scenario named (run only)
 * @param modes the modes to run, both by default
 * @param durationSeconds the measured run's length, 0 for the scenario's default
 * @param rate the base rate, 0 for the scenario's default
 * @param seed the seed
 * @param json where to write the JSON (run only), or null
 * @param html where to write the HTML report, or null
 * @param all demo: every scenario rather than the five of the demo
 * @param file run: a YAML plan to run instead of a built-in scenario, or null
 * @param protocol the wire every service of the run speaks, or null for each service's own (gRPC by default)
 */
record CommandLine(
    @Nullable String scenario,
    Set<Mode> modes,
    int durationSeconds,
    double rate,
    long seed,
    @Nullable String json,
    @Nullable String html,
    boolean all,
    @Nullable String file,
    @Nullable Protocol protocol) {

  static CommandLine parse(List<String> args, boolean demo) {
    String scenario = null;
    Set<Mode> modes = EnumSet.allOf(Mode.class);
    int duration = 0;
    double rate = 0;
    long seed = ScenarioParams.DEFAULT_SEED;
    String json = null;
    String html = null;
    boolean all = false;
    String file = null;
    Protocol protocol = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--mode" -> modes = modes(value(args, ++i, arg));
        case "--duration" -> duration = (int) number(arg, value(args, ++i, arg), 3, 3600, "seconds, 3 to 3600");
        case "--rate" -> rate = number(arg, value(args, ++i, arg), 1, 100_000, "requests per second, 1 to 100000");
        case "--seed" -> seed = seed(value(args, ++i, arg));
        case "--json" -> {
          if (demo) {
            throw new UsageException("--json: (expected: only with lab run; the demo writes JSON beside the HTML)");
          }
          json = value(args, ++i, arg);
        }
        case "--html" -> html = value(args, ++i, arg);
        case "--protocol" -> protocol = protocol(value(args, ++i, arg));
        case "--file" -> {
          if (demo) {
            throw new UsageException("--file: (expected: only with lab run)");
          }
          file = value(args, ++i, arg);
        }
        case "--all" -> {
          if (!demo) {
            throw new UsageException("--all: (expected: only with demo)");
          }
          all = true;
        }
        default -> {
          if (arg.startsWith("-") || demo || scenario != null) {
            throw new UsageException("argument: \"" + arg + "\" (expected: "
                + (demo ? "--all, --html DIR, --duration S, --rate RPS, --seed N, --mode M" : "a scenario name or --file PLAN.yaml, "
                + "then --mode, --duration, --rate, --seed, --protocol, --json, --html") + ")");
          }
          scenario = arg;
        }
      }
    }
    if (file != null && scenario != null) {
      throw new UsageException("run: both a scenario \"" + scenario + "\" and --file " + file
          + " (expected: one of them)");
    }
    return new CommandLine(scenario, modes, duration, rate, seed, json, html, all, file, protocol);
  }

  private static Protocol protocol(String text) {
    Protocol protocol = Protocol.parse(text);
    if (protocol == null) {
      throw new UsageException("--protocol: \"" + text + "\" (expected: grpc or http)");
    }
    return protocol;
  }

  private static String value(List<String> args, int index, String option) {
    if (index >= args.size() || args.get(index).startsWith("--")) {
      throw new UsageException(option + ": no value (expected: a value after " + option + ")");
    }
    return args.get(index);
  }

  private static Set<Mode> modes(String text) {
    if (text.equals("both")) {
      return EnumSet.allOf(Mode.class);
    }
    try {
      return EnumSet.of(Mode.parse(text));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--mode: \"" + text + "\" (expected: naive, blastwall or both)");
    }
  }

  private static long seed(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new UsageException("--seed: \"" + text + "\" (expected: an integer)");
    }
  }

  private static double number(String option, String text, double min, double max, String expected) {
    double value;
    try {
      value = option.equals("--duration") ? Integer.parseInt(text) : Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new UsageException(option + ": \"" + text + "\" (expected: " + expected + ")");
    }
    if (!(value >= min && value <= max)) {
      throw new UsageException(option + ": " + text + " (expected: " + expected + ")");
    }
    return value;
  }
}
