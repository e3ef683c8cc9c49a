package dev.blastwall.bench.grpc;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;

/**
 * The markdown of a {@link GrpcBenchRunner} run: calls per second and p50/p99 per variant and thread count (each
 * variant's rounds pooled, as JMH pools forks), the 5% targets, and every round on its own with its ratios, so
 * the spread between rounds shows how far the pooled ratio can be trusted.
 */
final class GrpcTable {

  /** The most the interceptors may cost: 5% of throughput and of p50. */
  static final double MAX_COST = 0.05;

  private GrpcTable() {}

  /** Both variants of one round at one thread count and mode, and the order they ran in. */
  record Round(int threads, Mode mode, int round, List<String> order, RunResult bare, RunResult blastwall) {}

  static String render(List<Round> rounds, @Nullable String command, String plan) {
    StringBuilder md = new StringBuilder();
    md.append("# gRPC: bare grpc-java against Blastwall's interceptors\n\n");
    md.append("- Date: ")
        .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append('\n');
    if (!rounds.isEmpty()) {
      BenchmarkParams params = rounds.get(0).bare().getParams();
      md.append("- JDK: ").append(params.getJdkVersion()).append(", ").append(params.getVmName()).append(' ')
          .append(params.getVmVersion()).append('\n');
      md.append("- JMH ").append(params.getJmhVersion()).append(": ").append(plan).append('\n');
    }
    md.append("- Cores: ").append(Runtime.getRuntime().availableProcessors()).append('\n');
    if (command != null) {
      md.append("- Command: `").append(command).append("`\n");
    }
    md.append("\nA blocking unary echo of a ").append(Echo.PAYLOAD.length)
        .append("-byte message on 127.0.0.1, Netty transport, gRPC retries off on both ")
        .append("channels. `bare`: no interceptor. `blastwall`: `BlastwallServerInterceptor` on the server, ")
        .append("`BlastwallChannels` on the client with the full pipeline (retry + budget, breaker, rate limiter, ")
        .append("bulkhead) configured never to reject. Calls/s are all threads together (`Mode.Throughput`); ")
        .append("p50 and p99 are per call (`Mode.SampleTime`).\n\n");

    List<Integer> threadCounts = rounds.stream().map(Round::threads).distinct().toList();
    md.append("## Targets\n\n");
    md.append("| target | threads | bare | blastwall | blastwall / bare | result |\n");
    md.append("|---|---:|---:|---:|---:|---|\n");
    for (int threads : threadCounts) {
      RunResult bareRate = pooled(rounds, threads, Mode.Throughput, Round::bare);
      RunResult ourRate = pooled(rounds, threads, Mode.Throughput, Round::blastwall);
      if (bareRate != null && ourRate != null) {
        double ratio = score(ourRate) / score(bareRate);
        md.append("| throughput cost <= 5% | ").append(threads).append(" | ").append(rate(score(bareRate)))
            .append(" calls/s | ").append(rate(score(ourRate))).append(" calls/s | ").append(fmt("%.3f", ratio))
            .append(" | ").append(verdict(ratio >= 1 - MAX_COST)).append(fmt(" (%+.1f%%)", (ratio - 1) * 100))
            .append(" |\n");
      }
      RunResult bareTime = pooled(rounds, threads, Mode.SampleTime, Round::bare);
      RunResult ourTime = pooled(rounds, threads, Mode.SampleTime, Round::blastwall);
      if (bareTime != null && ourTime != null) {
        double ratio = p(ourTime, 50) / p(bareTime, 50);
        md.append("| p50 cost <= 5% | ").append(threads).append(" | ").append(micros(p(bareTime, 50)))
            .append(" us | ").append(micros(p(ourTime, 50))).append(" us | ").append(fmt("%.3f", ratio))
            .append(" | ").append(verdict(ratio <= 1 + MAX_COST)).append(fmt(" (%+.1f%%)", (ratio - 1) * 100))
            .append(" |\n");
      }
    }

    md.append("\n## Results (rounds pooled)\n\n");
    md.append("| benchmark | threads | calls/s | ± (99.9%) | p50 us | p99 us | mean us | samples |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int threads : threadCounts) {
      for (String variant : List.of(GrpcBenchRunner.BARE, GrpcBenchRunner.BLASTWALL)) {
        Function<Round, RunResult> pick = variant.equals(GrpcBenchRunner.BARE) ? Round::bare : Round::blastwall;
        RunResult rate = pooled(rounds, threads, Mode.Throughput, pick);
        RunResult time = pooled(rounds, threads, Mode.SampleTime, pick);
        md.append("| GrpcEchoBench.").append(variant).append(" | ").append(threads).append(" | ")
            .append(rate == null ? "" : rate(score(rate))).append(" | ")
            .append(rate == null ? "" : rate(rate.getPrimaryResult().getScoreError())).append(" | ")
            .append(time == null ? "" : micros(p(time, 50))).append(" | ")
            .append(time == null ? "" : micros(p(time, 99))).append(" | ")
            .append(time == null ? "" : micros(score(time))).append(" | ")
            .append(time == null ? "" : Long.toString(time.getPrimaryResult().getStatistics().getN()))
            .append(" |\n");
      }
    }

    md.append("\n## Every round\n\n");
    md.append("| threads | mode | round | order | bare | blastwall | blastwall / bare |\n");
    md.append("|---:|---|---:|---|---:|---:|---:|\n");
    for (Round round : rounds) {
      boolean rate = round.mode() == Mode.Throughput;
      double bare = rate ? score(round.bare()) : p(round.bare(), 50);
      double ours = rate ? score(round.blastwall()) : p(round.blastwall(), 50);
      md.append("| ").append(round.threads()).append(" | ").append(rate ? "calls/s" : "p50 us").append(" | ")
          .append(round.round()).append(" | ").append(String.join(", ", round.order())).append(" | ")
          .append(rate ? rate(bare) : micros(bare)).append(" | ").append(rate ? rate(ours) : micros(ours))
          .append(" | ").append(fmt("%.3f", ours / bare)).append(" |\n");
    }
    return md.toString();
  }

  /** One variant's rounds at {@code threads} and {@code mode} as one result, each round counting as a fork. */
  private static @Nullable RunResult pooled(List<Round> rounds, int threads, Mode mode,
      Function<Round, RunResult> variant) {
    List<BenchmarkResult> forks = new ArrayList<>();
    BenchmarkParams params = null;
    for (Round round : rounds) {
      if (round.threads() == threads && round.mode() == mode) {
        RunResult result = variant.apply(round);
        params = params != null ? params : result.getParams();
        forks.addAll(result.getBenchmarkResults());
      }
    }
    return params == null ? null : new RunResult(params, forks);
  }

  private static double score(RunResult result) {
    return result.getPrimaryResult().getScore();
  }

  private static double p(RunResult result, double percentile) {
    return result.getPrimaryResult().getStatistics().getPercentile(percentile);
  }

  private static String verdict(boolean met) {
    return met ? "**met**" : "**missed**";
  }

  private static String rate(double callsPerSecond) {
    return fmt("%.0f", callsPerSecond);
  }

  private static String micros(double value) {
    return fmt(value < 100 ? "%.1f" : "%.0f", value);
  }

  private static String fmt(String format, double value) {
    return String.format(Locale.ROOT, format, value);
  }
}
