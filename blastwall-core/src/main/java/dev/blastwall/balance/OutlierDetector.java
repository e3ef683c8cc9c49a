package dev.blastwall.balance;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passive outlier detection over a set of hosts, from counts and time only, for any protocol's balancer: a host is
 * ejected after {@link Settings#consecutiveFailures} failures in a row, or at an interval's evaluation when its
 * success rate is more than {@link Settings#successRateStdevFactor} standard deviations below the mean of the
 * hosts with enough requests, or its failure percentage is above {@link Settings#failurePercentageThreshold}. An
 * ejection lasts {@code baseEjectionTime * n}, capped at {@code maxEjectionTime}, where {@code n} grows by one per
 * ejection and shrinks by one per interval the host spends unejected, so a host that keeps failing stays out longer
 * and a recovered one is soon forgiven. At most {@code maxEjectionPercent} of the hosts are ejected at once, but
 * always one while that percentage is above zero: with few hosts a percentage would round to none.
 *
 * <p>What counts as a failure is the caller's rule; this class only counts. {@link Host#record} is thread-safe
 * (call threads report results); everything else (adding, removing, ejecting, evaluating) must be called by one
 * thread at a time, such as a balancer's synchronization context.
 */
public final class OutlierDetector {

  private final Ticker ticker;
  private final List<Host> hosts = new ArrayList<>();
  // Volatile: Host.record reads the consecutive-failure threshold on call threads.
  private volatile Settings settings;

  /** A detector applying {@code settings}, timing ejections on {@code ticker}. */
  public OutlierDetector(Settings settings, Ticker ticker) {
    this.settings = settings;
    this.ticker = ticker;
  }

  /** The settings in force. */
  public Settings settings() {
    return settings;
  }

  /** Applies {@code newSettings} from now on; ejections in progress keep their end. */
  public void settings(Settings newSettings) {
    settings = newSettings;
  }

  /** Adds a host called {@code id}, unejected, with no results. */
  public Host add(String id) {
    Host host = new Host(id);
    hosts.add(host);
    return host;
  }

  /** Forgets {@code host}; it no longer counts towards the ejection cap. */
  public void remove(Host host) {
    hosts.remove(host);
  }

  /** The hosts, in the order added. */
  public List<Host> hosts() {
    return List.copyOf(hosts);
  }

  /**
   * Ejects {@code host} if it is still reported failing in a row {@link Settings#consecutiveFailures} times (the
   * report may be stale by the time the owning thread acts on it) and the cap allows.
   *
   * @return the ejection's length in nanoseconds, or -1 if not ejected
   */
  public long ejectForConsecutiveFailures(Host host) {
    int threshold = settings.consecutiveFailures();
    if (!hosts.contains(host) || host.ejected || threshold <= 0 || host.consecutiveFailures.get() < threshold) {
      return -1;
    }
    return eject(host);
  }

  /**
   * Ejects {@code host} if the cap allows: at most {@code maxEjectionPercent} of the hosts, but always one.
   *
   * @return the ejection's length in nanoseconds, or -1 if not ejected (the cap, or already ejected)
   */
  public long eject(Host host) {
    if (host.ejected || !mayEject()) {
      return -1;
    }
    Settings current = settings;
    host.ejected = true;
    host.ejections++;
    host.consecutiveFailures.set(0);
    long base = current.baseEjectionTime().toNanos();
    long max = current.maxEjectionTime().toNanos();
    long nanos = base > max / host.ejections ? max : base * host.ejections;
    host.returnAtNanos = ticker.nanos() + nanos;
    return nanos;
  }

  /** Takes {@code host} back now, whatever its ejection's end; its ejection count stays until clean intervals. */
  public void restore(Host host) {
    host.ejected = false;
  }

  /** Takes {@code host} back if its ejection has ended on the ticker; whether it is (now) unejected. */
  public boolean restoreIfDue(Host host) {
    if (host.ejected && ticker.nanos() - host.returnAtNanos >= 0) {
      restore(host);
    }
    return !host.ejected;
  }

  private boolean mayEject() {
    int percent = settings.maxEjectionPercent();
    int ejected = 0;
    for (Host host : hosts) {
      if (host.ejected) {
        ejected++;
      }
    }
    return percent > 0 && ejected < Math.max(1, hosts.size() * percent / 100);
  }

  /**
   * Ends an interval: takes every host's counts of the interval (resetting them), shortens the next ejection of each
   * unejected host, and ejects by success rate and then by failure percentage.
   *
   * @return the hosts ejected, each with its ejection's length in nanoseconds, in the order of {@link #hosts()}
   */
  public List<Ejection> evaluate() {
    Settings current = settings;
    List<Host> all = new ArrayList<>(hosts);
    long[] ok = new long[all.size()];
    long[] failed = new long[all.size()];
    for (int i = 0; i < all.size(); i++) {
      Host host = all.get(i);
      ok[i] = host.successes.getAndSet(0);
      failed[i] = host.failures.getAndSet(0);
      if (!host.ejected && host.ejections > 0) {
        host.ejections--; // a clean interval shortens the next ejection, as in gRPC's outlier detection
      }
    }
    List<Ejection> ejected = new ArrayList<>();
    // Success rate: eject below mean - stdevFactor * stdev, among hosts with enough requests.
    List<Integer> candidates = withVolume(ok, failed, current.successRateRequestVolume());
    if (candidates.size() >= current.successRateMinimumHosts()) {
      double sum = 0;
      for (int i : candidates) {
        sum += rate(ok[i], failed[i]);
      }
      double mean = sum / candidates.size();
      double squares = 0;
      for (int i : candidates) {
        double d = rate(ok[i], failed[i]) - mean;
        squares += d * d;
      }
      double threshold = mean - current.successRateStdevFactor() * Math.sqrt(squares / candidates.size());
      for (int i : candidates) {
        if (rate(ok[i], failed[i]) < threshold) {
          ejectInto(ejected, all.get(i));
        }
      }
    }
    // Failure percentage: eject above the threshold, among hosts with enough requests.
    candidates = withVolume(ok, failed, current.failurePercentageRequestVolume());
    if (candidates.size() >= current.failurePercentageMinimumHosts()) {
      for (int i : candidates) {
        if (100.0 * failed[i] / (ok[i] + failed[i]) > current.failurePercentageThreshold()) {
          ejectInto(ejected, all.get(i));
        }
      }
    }
    return ejected;
  }

  private void ejectInto(List<Ejection> ejected, Host host) {
    long nanos = eject(host);
    if (nanos >= 0) {
      ejected.add(new Ejection(host, nanos));
    }
  }

  private static List<Integer> withVolume(long[] ok, long[] failed, int volume) {
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < ok.length; i++) {
      if (ok[i] + failed[i] >= volume) {
        candidates.add(i);
      }
    }
    return candidates;
  }

  private static double rate(long ok, long failed) {
    return (double) ok / (ok + failed);
  }

  @Override
  public String toString() {
    return "OutlierDetector[" + hosts + "]";
  }

  /**
   * An ejection made by {@link #evaluate()}.
   *
   * @param host the host ejected
   * @param nanos how long it stays out
   */
  public record Ejection(Host host, long nanos) {}

  /**
   * The detection's thresholds; the names and meanings of gRPC's outlier detection (gRFC A50).
   *
   * @param baseEjectionTime the first ejection's length, multiplied by the ejection count
   * @param maxEjectionTime the longest an ejection lasts
   * @param maxEjectionPercent the most hosts ejected at once, in percent (always at least one unless 0)
   * @param consecutiveFailures failures in a row that eject at once; 0 turns this off
   * @param successRateStdevFactor how many standard deviations below the mean success rate ejects
   * @param successRateMinimumHosts hosts with enough requests needed to judge by success rate
   * @param successRateRequestVolume requests in an interval a host needs to be judged by success rate
   * @param failurePercentageThreshold the failure percentage above which a host is ejected
   * @param failurePercentageMinimumHosts hosts with enough requests needed to judge by failure percentage
   * @param failurePercentageRequestVolume requests in an interval a host needs to be judged by failure percentage
   */
  public record Settings(Duration baseEjectionTime, Duration maxEjectionTime, int maxEjectionPercent,
      int consecutiveFailures, double successRateStdevFactor, int successRateMinimumHosts,
      int successRateRequestVolume, int failurePercentageThreshold, int failurePercentageMinimumHosts,
      int failurePercentageRequestVolume) {

    /** Checks the values: durations positive, counts not negative, percentages in [0, 100]. */
    public Settings {
      Checks.checkPositive("baseEjectionTime", baseEjectionTime);
      Checks.checkPositive("maxEjectionTime", maxEjectionTime);
      Checks.checkRange("maxEjectionPercent", maxEjectionPercent, 0, 100);
      Checks.checkRange("consecutiveFailures", consecutiveFailures, 0, Integer.MAX_VALUE);
      if (!(successRateStdevFactor >= 0) || Double.isInfinite(successRateStdevFactor)) {
        throw Checks.invalidArgument("successRateStdevFactor", successRateStdevFactor, "a finite number >= 0");
      }
      Checks.checkRange("successRateMinimumHosts", successRateMinimumHosts, 0, Integer.MAX_VALUE);
      Checks.checkRange("successRateRequestVolume", successRateRequestVolume, 0, Integer.MAX_VALUE);
      Checks.checkRange("failurePercentageThreshold", failurePercentageThreshold, 0, 100);
      Checks.checkRange("failurePercentageMinimumHosts", failurePercentageMinimumHosts, 0, Integer.MAX_VALUE);
      Checks.checkRange("failurePercentageRequestVolume", failurePercentageRequestVolume, 0, Integer.MAX_VALUE);
    }
  }

  /** One host's counts and ejection state. */
  public final class Host {
    private final String id;
    // Written by call threads; read and reset by the owning thread's evaluation.
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile boolean ejected;
    private int ejections;
    private long returnAtNanos;

    private Host(String id) {
      this.id = id;
    }

    /** The id given to {@link #add}. */
    public String id() {
      return id;
    }

    /**
     * Counts one result; thread-safe.
     *
     * @return whether this failure reached the consecutive-failure threshold, so the owning thread should call
     *     {@link #ejectForConsecutiveFailures}
     */
    public boolean record(boolean failure) {
      if (!failure) {
        successes.incrementAndGet();
        consecutiveFailures.set(0);
        return false;
      }
      failures.incrementAndGet();
      int consecutive = consecutiveFailures.incrementAndGet();
      int threshold = settings.consecutiveFailures();
      return threshold > 0 && consecutive >= threshold;
    }

    /** Whether it is ejected now. */
    public boolean ejected() {
      return ejected;
    }

    /** The ejection count that sets the next ejection's length; shrinks by one per clean interval. */
    public int ejections() {
      return ejections;
    }

    @Override
    public String toString() {
      return id + (ejected ? " (ejected)" : "");
    }
  }
}
