package dev.blastwall.lab.scenario;

import dev.blastwall.lab.load.IntervalStats;
import dev.blastwall.lab.load.Report;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.run.ModeRun;
import dev.blastwall.lab.run.ServicePoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Turns one mode's {@link ModeRun} into the summaries and series of a {@link ModeResult}. */
public final class Results {

  private Results() {}

  /** The mode's result without the scenario's own figures. */
  public static ModeResult base(ModeRun run) {
    Duration end = run.plan().load().duration();
    Summary overall = summary(run, Duration.ZERO, end);
    Duration[] window = faultWindow(run.plan());
    @Nullable Summary fault = window == null ? null : summary(run, window[0], window[1]);
    return new ModeResult(run.mode(), setup(run.plan(), run.mode()), run.health(), overall, fault, series(run),
        Map.of(), arrivalsByService(run), run.breakerChanges());
  }

  /** {@code base} with the scenario's figures added. */
  public static ModeResult withFigures(ModeResult base, Map<String, Object> figures) {
    return new ModeResult(base.mode(), base.setup(), base.health(), base.overall(), base.fault(), base.series(),
        figures, base.arrivalsByService(), base.breakerChanges());
  }

  /** The mode's setup in words. */
  public static String setup(LabPlan plan, Mode mode) {
    return mode == Mode.NAIVE ? plan.naive().describe() : plan.blastwall().describe();
  }

  /** From the first fault's start to the last fault's end, or null without faults. */
  public static Duration @Nullable [] faultWindow(LabPlan plan) {
    if (plan.faults().isEmpty()) {
      return null;
    }
    Duration from = plan.faults().getFirst().start();
    Duration to = plan.faults().getFirst().end();
    for (ScheduledFault fault : plan.faults()) {
      from = fault.start().compareTo(from) < 0 ? fault.start() : from;
      to = fault.end().compareTo(to) > 0 ? fault.end() : to;
    }
    return new Duration[] {from, to};
  }

  /** What users saw over {@code [from, to)} of the run (whole seconds), with the backend load they caused. */
  public static Summary summary(ModeRun run, Duration from, Duration to) {
    IntervalStats stats = run.user().window(from, to);
    int firstSecond = (int) from.toSeconds();
    int endSecond = (int) Math.ceil(to.toNanos() / 1e9);
    long backend = backendArrivals(run, firstSecond, endSecond);
    int maxInflight = 0;
    for (int second = firstSecond; second < Math.min(endSecond, run.userInflight().size()); second++) {
      maxInflight = Math.max(maxInflight, run.userInflight().get(second));
    }
    Map<String, Long> errors = new LinkedHashMap<>(stats.errorsByKind());
    long timeouts = stats.count(dev.blastwall.lab.load.Outcome.Kind.TIMEOUT);
    if (timeouts > 0) {
      errors.merge("TIMEOUT", timeouts, Long::sum);
    }
    return new Summary(stats.userRequests(), ratio(backend, stats.userRequests()), stats.successRate(),
        stats.goodputRps(), stats.degradedRate(), stats.p50Millis(), stats.p90Millis(), stats.p99Millis(),
        stats.p999Millis(), stats.maxMillis(), maxInflight, errors);
  }

  /**
   * Requests arriving at every service but the entry in seconds {@code [fromSecond, toSecond)}; in a topology of one
   * service, at that service.
   */
  public static long backendArrivals(ModeRun run, int fromSecond, int toSecond) {
    long total = 0;
    String entry = run.plan().topology().entry();
    boolean alone = run.plan().topology().services().size() == 1;
    for (Map.Entry<String, List<ServicePoint>> service : run.services().entrySet()) {
      if (service.getKey().equals(entry) && !alone) {
        continue;
      }
      for (ServicePoint point : service.getValue()) {
        if (point.second() >= fromSecond && point.second() < toSecond) {
          total += point.arrivals();
        }
      }
    }
    return total;
  }

  private static Map<String, Long> arrivalsByService(ModeRun run) {
    Map<String, Long> totals = new LinkedHashMap<>();
    for (String name : run.plan().topology().services().keySet()) {
      long sum = 0;
      for (ServicePoint point : run.services().getOrDefault(name, List.of())) {
        sum += point.arrivals();
      }
      totals.put(name, sum);
    }
    return totals;
  }

  private static List<SeriesPoint> series(ModeRun run) {
    Report user = run.user();
    List<SeriesPoint> points = new ArrayList<>();
    List<IntervalStats> intervals = user.series();
    for (int second = 0; second < intervals.size(); second++) {
      IntervalStats stats = intervals.get(second);
      long retries = 0;
      long hedges = 0;
      long shed = 0;
      int openBreakers = 0;
      Map<String, Long> arrivals = new LinkedHashMap<>();
      Map<String, Integer> queues = new LinkedHashMap<>();
      Map<String, Integer> inflights = new LinkedHashMap<>();
      for (Map.Entry<String, List<ServicePoint>> service : run.services().entrySet()) {
        if (second < service.getValue().size()) {
          ServicePoint point = service.getValue().get(second);
          retries += point.retries();
          hedges += point.hedges();
          shed += point.shed();
          openBreakers += point.openBreakers();
          arrivals.put(service.getKey(), point.arrivals());
          queues.put(service.getKey(), point.maxQueue());
          inflights.put(service.getKey(), point.maxInflight());
        }
      }
      int inflight = second < run.userInflight().size() ? run.userInflight().get(second) : 0;
      points.add(new SeriesPoint(second, stats.offeredRps(), stats.achievedRps(), stats.goodputRps(),
          stats.successRate(), stats.p50Millis(), stats.p90Millis(), stats.p99Millis(), stats.p999Millis(),
          stats.maxMillis(), ratio(backendArrivals(run, second, second + 1), stats.userRequests()), inflight,
          retries, hedges, shed, openBreakers, arrivals, queues, inflights));
    }
    return points;
  }

  /** A number as reports print it. */
  public static String text(double value) {
    return Numbers.text(value);
  }

  /** {@code part / whole}, NaN when whole is 0. */
  public static double ratio(double part, double whole) {
    return whole == 0 ? Double.NaN : part / whole;
  }

  /** {@code part / whole}, NaN when whole is 0. */
  public static double ratio(long part, long whole) {
    return whole == 0 ? Double.NaN : (double) part / (double) whole;
  }
}
