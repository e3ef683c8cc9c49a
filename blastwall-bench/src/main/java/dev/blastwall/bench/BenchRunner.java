package dev.blastwall.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the benchmarks once per thread count in one process, so every number in the table comes from the same run,
 * then writes JMH's JSON ({@code results.json}) and the markdown table ({@code results.md}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.blastwall.bench.BenchRunner [--threads=1,2] [--out=DIR]
 * [--command=TEXT] [JMH options and benchmark regexps]}; JMH's own {@code -t} is overridden by {@code --threads}.
 */
public final class BenchRunner {

  private BenchRunner() {}

  public static void main(String[] args) throws Exception {
    List<Integer> threadCounts = new ArrayList<>(List.of(1, 2));
    Path out = Path.of("target", "bench");
    String command = null;
    List<String> jmhArgs = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--threads=")) {
        threadCounts.clear();
        for (String count : arg.substring("--threads=".length()).split(",", -1)) {
          threadCounts.add(Integer.parseInt(count.trim()));
        }
      } else if (arg.startsWith("--out=")) {
        out = Path.of(arg.substring("--out=".length()));
      } else if (arg.startsWith("--command=")) {
        command = arg.substring("--command=".length());
      } else {
        jmhArgs.add(arg);
      }
    }
    CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(new String[0]));
    List<RunResult> results = new ArrayList<>();
    for (int threads : threadCounts) {
      results.addAll(new Runner(new OptionsBuilder().parent(cli).threads(threads).build()).run());
    }
    Files.createDirectories(out);
    Path json = out.resolve("results.json");
    Path markdown = out.resolve("results.md");
    ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(results);
    ResultsTable.write(json, markdown, command);
    System.out.println("blastwall bench: wrote " + json + " and " + markdown);
  }
}
