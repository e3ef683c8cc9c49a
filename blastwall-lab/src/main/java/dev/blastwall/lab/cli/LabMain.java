package dev.blastwall.lab.cli;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.report.HtmlReport;
import dev.blastwall.lab.report.JsonReport;
import dev.blastwall.lab.report.TerminalTable;
import dev.blastwall.lab.run.LabRunner;
import dev.blastwall.lab.scenario.ModeRunner;
import dev.blastwall.lab.scenario.Scenario;
import dev.blastwall.lab.scenario.ScenarioParams;
import dev.blastwall.lab.scenario.ScenarioResult;
import dev.blastwall.lab.scenario.ScenarioRunner;
import dev.blastwall.lab.topology.Protocol;
import dev.blastwall.lab.scenarios.BuiltInScenarios;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.yaml.LabFile;
import dev.blastwall.lab.yaml.LabFileException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The lab's command line: {@code lab list}, {@code lab run NAME ...} and {@code demo}. The launcher
 * ({@code ./blastwall lab ...}, {@code ./blastwall demo}) builds the lab and calls this class.
 *
 * <p>Exit status: 0 when every run was valid and every check passed, 1 when a check failed, 2 on a usage error,
 * 3 when a run was invalid (the lab itself was the bottleneck, so its figures say nothing), 4 when the lab failed
 * unexpectedly (a bug, or the machine out of memory or threads): one line names the failure, never a stack trace.
 */
public final class LabMain {

  static final String USAGE = """
      Usage:
        ./blastwall demo [--all] [--html DIR]
            Runs the failure scenarios naive vs Blastwall (both modes), prints a table per scenario and writes the
            HTML report (default DIR: target/lab-report) with one JSON file per scenario beside it.
        ./blastwall lab list
            The scenarios, with their defaults.
        ./blastwall lab run NAME [--mode naive|blastwall|both] [--duration S] [--rate RPS] [--seed N]
                                 [--protocol grpc|http] [--json FILE] [--html DIR]
            Runs one scenario (both modes by default) and prints its table; --protocol http runs every
            service over HTTP/1.1 (JDK server and client) instead of gRPC.
        ./blastwall lab run --file PLAN.yaml [--mode ...] [--json FILE] [--html DIR]
            Runs your own plan (docs/lab-yaml.md) in both modes, without criteria.
      """;

  // Held so the level set in main is not lost when the logger would otherwise be collected.
  private static final Logger GRPC_LOG = Logger.getLogger("io.grpc");

  /** The exit status when the lab failed unexpectedly. */
  static final int INTERNAL_ERROR = 4;

  // The longest message of an unexpected failure printed: it may quote input.
  private static final int LONGEST_MESSAGE = 200;

  private final PrintStream out;
  private final PrintStream err;
  private final ModeRunner modeRunner;

  LabMain(PrintStream out, PrintStream err) {
    this(out, err, LabRunner::run);
  }

  /** A command line whose runs go to {@code modeRunner} instead of real services (for tests). */
  LabMain(PrintStream out, PrintStream err, ModeRunner modeRunner) {
    this.out = out;
    this.err = err;
    this.modeRunner = modeRunner;
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    // Faults break connections on purpose (a blackhole lifted mid-stream, a peer reset); grpc-java logs each broken
    // HTTP/2 stream with its stack trace. The report counts those failures; the log would only bury the progress.
    GRPC_LOG.setLevel(Level.SEVERE);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(new LabMain(out, err).execute(List.of(args)));
  }

  /** Runs one command line; returns the exit status. */
  int execute(List<String> args) {
    try {
      if (args.isEmpty() || args.getFirst().equals("help") || args.getFirst().equals("--help")) {
        out.print(USAGE);
        return 0;
      }
      return switch (args.getFirst()) {
        case "list" -> list();
        case "run" -> run(CommandLine.parse(args.subList(1, args.size()), false));
        case "demo" -> demo(CommandLine.parse(args.subList(1, args.size()), true));
        default -> throw new UsageException(
            "command: \"" + args.getFirst() + "\" (expected: list, run or demo)");
      };
    } catch (LabFileException e) {
      err.println("blastwall lab: " + e.getMessage());
      return 2;
    } catch (UsageException | IllegalArgumentException e) {
      err.println("blastwall lab: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (IOException e) {
      err.println("blastwall lab: cannot write the report: " + e.getMessage());
      return 1;
    } catch (RuntimeException | Error e) {
      // Whatever else went wrong, an OutOfMemoryError included: one line, not a stack trace, and its own status.
      err.println("blastwall lab: failed unexpectedly: " + describe(e));
      return INTERNAL_ERROR;
    }
  }

  // The failure's class and message on one line, cut short.
  private static String describe(Throwable failure) {
    String message = failure.getMessage() == null ? "" : ": " + failure.getMessage();
    String line = (failure.getClass().getName() + message).replaceAll("\\p{Cntrl}+", " ").strip();
    return line.length() <= LONGEST_MESSAGE ? line : line.substring(0, LONGEST_MESSAGE - 3) + "...";
  }

  private int list() {
    out.printf(Locale.ROOT, "%-20s %-9s %-9s %s%n", "scenario", "duration", "rate", "what it shows");
    for (Scenario scenario : BuiltInScenarios.all()) {
      out.printf(Locale.ROOT, "%-20s %-9s %-9s %s%n", scenario.name(), scenario.defaultDuration().toSeconds() + "s",
          Math.round(scenario.defaultRate()) + "/s", scenario.title());
    }
    out.println();
    out.println("Run one: ./blastwall lab run NAME [--mode naive|blastwall|both]; the first five: ./blastwall demo; "
        + "all: ./blastwall demo --all");
    return 0;
  }

  private int run(CommandLine line) throws IOException {
    String file = line.file();
    String name = line.scenario();
    Scenario scenario;
    if (file != null) {
      String fileName = Path.of(file).getFileName().toString().replaceFirst("\\.ya?ml$", "");
      scenario = new FileScenario(labName(fileName), readPlan(file));
    } else if (name != null) {
      scenario = BuiltInScenarios.byName(name);
    } else {
      throw new UsageException("run: a scenario name is missing (expected: one of "
          + BuiltInScenarios.all().stream().map(Scenario::name).toList() + ", or --file PLAN.yaml)");
    }
    ScenarioResult result = runOne(scenario, line);
    out.println(TerminalTable.render(result));
    if (line.json() != null) {
      Path json = Path.of(line.json());
      createParent(json);
      Files.writeString(json, JsonReport.toJson(result), StandardCharsets.UTF_8);
      out.println("JSON: " + json.toAbsolutePath());
    }
    if (line.html() != null) {
      Path index = HtmlReport.write(List.of(result), Path.of(line.html()));
      out.println("HTML report: " + index.toAbsolutePath());
    }
    return status(List.of(result));
  }

  private int demo(CommandLine line) throws IOException {
    List<Scenario> scenarios = line.all() ? BuiltInScenarios.all() : BuiltInScenarios.demo();
    Path dir = Path.of(line.html() == null ? "target/lab-report" : line.html());
    out.println("Blastwall demo: " + scenarios.size() + " failure scenarios, each run naive and with Blastwall on real "
        + "gRPC services on 127.0.0.1 (about " + estimateMinutes(scenarios) + " minutes).");
    List<ScenarioResult> results = new ArrayList<>();
    for (Scenario scenario : scenarios) {
      ScenarioResult result = runOne(scenario, line);
      results.add(result);
      out.println(TerminalTable.render(result));
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(scenario.name() + ".json"), JsonReport.toJson(result), StandardCharsets.UTF_8);
    }
    Path index = HtmlReport.write(results, dir);
    out.println(TerminalTable.summary(results));
    out.println("HTML report (opens offline): " + index.toAbsolutePath());
    out.println("JSON per scenario: " + dir.toAbsolutePath() + "/<scenario>.json");
    return status(results);
  }

  private ScenarioResult runOne(Scenario scenario, CommandLine line) {
    Duration duration = line.durationSeconds() > 0 ? Duration.ofSeconds(line.durationSeconds())
        : scenario.defaultDuration();
    double rate = line.rate() > 0 ? line.rate() : scenario.defaultRate();
    ScenarioParams params = new ScenarioParams(duration, rate, line.seed());
    Protocol protocol = line.protocol();
    err.printf(Locale.ROOT, "== %s (%s, %d s, %s rps, seed %d%s)%n", scenario.name(),
        line.modes().stream().map(Mode::label).toList(), duration.toSeconds(),
        dev.blastwall.lab.scenario.Numbers.text(rate), line.seed(), protocol == null ? "" : ", over " + protocol.label());
    // --protocol puts every service of the plan on one wire; the scenario's plan, thresholds and figures stay.
    ScenarioRunner runner = new ScenarioRunner(protocol == null ? modeRunner
        : (plan, mode, seed, progress) -> modeRunner.run(plan.withProtocol(protocol), mode, seed, progress));
    return runner.run(scenario, params, line.modes(), mode -> new ProgressLine(err, scenario.name(), mode));
  }

  private static LabPlan readPlan(String file) {
    try {
      return LabFile.load(Path.of(file));
    } catch (IOException e) {
      throw new UsageException("--file: " + file + " (expected: a readable YAML plan; " + e + ")");
    }
  }

  // A file name as a lab name: lower case, other characters as dashes, starting with a letter.
  private static String labName(String fileName) {
    String name = fileName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    return name.isEmpty() || !Character.isLetter(name.charAt(0)) ? "plan-" + name : name;
  }

  private static int estimateMinutes(List<Scenario> scenarios) {
    long seconds = 0;
    for (Scenario scenario : scenarios) {
      seconds += 2 * (scenario.defaultDuration().toSeconds() + 10);
    }
    return (int) Math.max(1, Math.round(seconds / 60.0));
  }

  private static int status(List<ScenarioResult> results) {
    if (results.stream().anyMatch(result -> !result.valid())) {
      return 3;
    }
    return results.stream().allMatch(ScenarioResult::passed) ? 0 : 1;
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }
}
