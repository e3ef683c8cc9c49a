package dev.blastwall.lab.scenarios;

import dev.blastwall.context.Criticality;
import dev.blastwall.lab.load.IntervalStats;
import dev.blastwall.lab.load.RateProfile;
import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.run.ModeRun;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Results;
import dev.blastwall.lab.scenario.Scenario;
import dev.blastwall.lab.scenario.ScenarioParams;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retry-driven metastability: a 5 s spike to full capacity tips a service whose service time grows with its load
 * into a state its steady load cannot get it out of, as long as clients time out and retry at once.
 */
final class Metastable implements Scenario {

  private static final int WORKERS = 2;
  private static final Duration SERVICE_TIME = Duration.ofMillis(20);
  /** Service time grows by this share of itself per other request per worker in the replica. */
  private static final double CONTENTION = 0.1;
  /** The base rate as a share of the backend's capacity, and the spike's multiple of it. */
  private static final double LOAD = 0.5;
  private static final double SPIKE = 2;
  /** Naive's per-attempt timeout in this scenario: a "sensible" short one, which is what makes retries fire. */
  private static final Duration NAIVE_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration SLO = Duration.ofSeconds(1);
  /** Recovered: this share of the offered load answered ok within the SLO, for this many seconds in a row. */
  private static final double RECOVERED = 0.95;
  private static final int RECOVERED_SECONDS = 3;

  @Override
  public String name() {
    return "metastable";
  }

  @Override
  public String title() {
    return "A 5 s spike tips a service into collapse that timeouts and retries sustain after the spike is gone";
  }

  @Override
  public String claim() {
    return "When a service slows down as its load grows, a short spike can leave it in a bad state the normal load "
        + "sustains (Brooker's simulation; the OSDI 2022 metastable failures paper): callers time out, retry at "
        + "once, and the server keeps working on requests nobody waits for, so its load stays near 4x the offered "
        + "load and goodput stays near zero long after the spike. With the deadline passed on, abandoned work "
        + "dropped, bounded queues and a 10% retry budget, the load the server sees is bounded by what it can "
        + "serve, and goodput is back within a second or two of the spike's end.";
  }

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(40);
  }

  /** Half the backend's capacity: 2 workers at 20 ms serve 100 requests per second. */
  @Override
  public double defaultRate() {
    return capacity() * LOAD;
  }

  private static double capacity() {
    return WORKERS * 1000.0 / SERVICE_TIME.toMillis();
  }

  /** The spike starts after an eighth of the run and lasts an eighth (5 s at the default 40 s). */
  static Duration spikeStart(ScenarioParams params) {
    return params.at(1.0 / 8);
  }

  static Duration spikeEnd(ScenarioParams params) {
    return params.at(2.0 / 8);
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    ServiceSpec gateway = ServiceSpec.builder("gateway").capacity(256, 1024)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(1))).call(Dependency.required("backend")).build();
    ServiceSpec backend = ServiceSpec.builder("backend").capacity(WORKERS, 4 * WORKERS)
        .serviceTime(ServiceTime.fixed(SERVICE_TIME)).contention(CONTENTION).build();
    RateProfile profile = RateProfile.builder(params.rate())
        .step(spikeStart(params), 1)
        .spike(spikeEnd(params).minus(spikeStart(params)), SPIKE)
        .build();
    LoadSpec load = new LoadSpec(profile, true, params.duration(), SLO, Map.of(Criticality.CRITICAL, 1));
    // Tweak: a short timeout, retried on timeouts too; that is how teams "fix" slow calls.
    NaiveSetup naive = new NaiveSetup(NAIVE_TIMEOUT, 3, Set.of("UNAVAILABLE", "DEADLINE_EXCEEDED"),
        NaiveSetup.defaults().userTimeout());
    // The breaker is for outages (it opens at 80% failures here): a spike's shed calls must not open it, or it would
    // refuse the calls the backend could still serve.
    BlastwallSetup blastwall = BlastwallSetup.defaults()
        .withBreaker(0.8, 20, Duration.ofSeconds(1), Duration.ofSeconds(4));
    return new LabPlan(Topology.of(gateway, backend), load, List.of(), naive, blastwall);
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    Duration from = spikeEnd(params);
    Duration to = from.plus(Duration.ofSeconds(30));
    to = to.compareTo(params.duration()) > 0 ? params.duration() : to;
    IntervalStats after = run.user().window(from, to);
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("post_spike_goodput_ratio", Results.ratio(after.goodputRps(), after.offeredRps()));
    figures.put("recovery_s", recovery(run, from, to));
    figures.put("post_spike_amplification", Results.ratio(
        Results.backendArrivals(run, (int) from.toSeconds(), (int) to.toSeconds()), after.userRequests()));
    return figures;
  }

  /**
   * Seconds from the spike's end to the start of the first whole second from which goodput stays at 95% of the
   * offered load for {@value #RECOVERED_SECONDS} seconds; NaN if it never does before {@code to}.
   */
  private static double recovery(ModeRun run, Duration from, Duration to) {
    List<IntervalStats> seconds = run.user().series();
    int first = (int) Math.ceil(from.toMillis() / 1000.0);
    int last = (int) Math.min(seconds.size(), to.toSeconds());
    int streak = 0;
    for (int second = first; second < last; second++) {
      IntervalStats stats = seconds.get(second);
      boolean good = stats.offered() > 0 && stats.goodputCount() >= RECOVERED * stats.offered();
      streak = good ? streak + 1 : 0;
      if (streak == RECOVERED_SECONDS || (good && second == last - 1)) {
        return second - streak + 1 - from.toMillis() / 1000.0;
      }
    }
    return Double.NaN;
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    ModeResult naive = results.get(Mode.NAIVE);
    if (naive != null) {
      checks.add(new Check("naive", "post_spike_goodput_ratio", "< 0.5",
          "~0: every attempt waits longer than the timeout, 4 attempts per request keep the backend at 2x its "
              + "capacity, so the queue never drains",
          naive.figure("post_spike_goodput_ratio"), naive.figure("post_spike_goodput_ratio") < 0.5));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (blastwall != null) {
      checks.add(Check.atMost("blastwall", "recovery_s", 10,
          "~1 s: a bounded queue of " + 4 * WORKERS + " drains in well under a second (" + 4 * SERVICE_TIME.toMillis()
              + " ms times the contention), and expired or abandoned work is dropped",
          blastwall.figure("recovery_s")));
    }
    return checks;
  }
}
