package dev.blastwall.lab.plan;

import dev.blastwall.lab.internal.Args;
import dev.blastwall.lab.topology.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The library's recommended setup, as the {@code blastwall} mode runs it. The user's SLO goes out as the call's
 * deadline and every hop passes what is left of it on; each caller has one Blastwall pipeline per upstream
 * (retries with full-jitter backoff under a ratio retry budget, a circuit breaker, and, where listed, an attempt
 * timeout, a bulkhead and hedging after the learned p95); every service puts a deadline-aware bounded queue in front
 * of its workers and sheds by criticality when full. Retries happen at the hop that calls the failing service only:
 * a failure passed upstream carries the do-not-retry mark.
 *
 * @param maxAttempts attempts per call, first included
 * @param backoffBase full-jitter backoff base
 * @param backoffMax full-jitter backoff cap
 * @param retryBudgetRatio retries allowed per request (0.1: at most 10% extra load)
 * @param retryBudgetMinPerSecond retries always allowed per second, whatever the ratio
 * @param breakerFailureRate failure share that opens a breaker, in (0, 1]
 * @param breakerMinimumCalls calls in the breaker's window before it judges
 * @param breakerOpenFor how long a breaker stays open first (it grows on repeated failed probes)
 * @param breakerMaxOpenFor the cap of that growth
 * @param attemptTimeouts per called service, each attempt's timeout (under the deadline)
 * @param hedged called services whose idempotent calls are hedged after the learned p95
 * @param bulkheads per called service, the most calls in flight from one caller
 * @param shedByCriticality whether full services shed the least critical work first (reserved capacity)
 * @param ejectionTime how long a replica that failed {@value #EJECTION_FAILURES} calls in a row (UNAVAILABLE,
 *     INTERNAL, UNKNOWN or DATA_LOSS) is left out by its callers' balancers before it is taken back (longer on a
 *     repeat ejection); one replica of a service is ejected at a time
 * @param callTimeouts per called service, the whole call's timeout, retries included (under the deadline): the
 *     caller keeps the rest of its deadline to answer without that part
 * @param hedgeBudgetRatio hedges allowed per request, for the hedged services (0.05: at most 5% extra calls)
 */
public record BlastwallSetup(
    int maxAttempts,
    Duration backoffBase,
    Duration backoffMax,
    double retryBudgetRatio,
    int retryBudgetMinPerSecond,
    double breakerFailureRate,
    int breakerMinimumCalls,
    Duration breakerOpenFor,
    Duration breakerMaxOpenFor,
    Map<String, Duration> attemptTimeouts,
    Set<String> hedged,
    Map<String, Integer> bulkheads,
    boolean shedByCriticality,
    Duration ejectionTime,
    Map<String, Duration> callTimeouts,
    double hedgeBudgetRatio) {

  /** Consecutive failures of one replica that eject it. */
  public static final int EJECTION_FAILURES = 5;

  /** The hedge budget of {@link #defaults()}: the pipeline's own default, 5% of requests. */
  public static final double DEFAULT_HEDGE_BUDGET = 0.05;

  /** The ejection time of {@link #defaults()}. */
  public static final Duration DEFAULT_EJECTION_TIME = Duration.ofSeconds(5);

  /** Checks values and copies the collections. */
  public BlastwallSetup {
    Args.atLeast("maxAttempts", maxAttempts, 1);
    Args.positive("backoffBase", backoffBase);
    if (backoffMax.compareTo(backoffBase) < 0) {
      throw Args.invalid("backoffMax", backoffMax, "at least backoffBase " + backoffBase);
    }
    Args.inRange("retryBudgetRatio", retryBudgetRatio, 0, 1000);
    Args.atLeast("retryBudgetMinPerSecond", retryBudgetMinPerSecond, 0);
    Args.inRange("breakerFailureRate", breakerFailureRate, 0.001, 1);
    Args.atLeast("breakerMinimumCalls", breakerMinimumCalls, 1);
    Args.positive("breakerOpenFor", breakerOpenFor);
    if (breakerMaxOpenFor.compareTo(breakerOpenFor) < 0) {
      throw Args.invalid("breakerMaxOpenFor", breakerMaxOpenFor, "at least breakerOpenFor " + breakerOpenFor);
    }
    for (Map.Entry<String, Duration> entry : attemptTimeouts.entrySet()) {
      Args.labName("attemptTimeouts", entry.getKey());
      Args.positive("attemptTimeouts." + entry.getKey(), entry.getValue());
    }
    for (String service : hedged) {
      Args.labName("hedged", service);
    }
    for (Map.Entry<String, Integer> entry : bulkheads.entrySet()) {
      Args.labName("bulkheads", entry.getKey());
      Args.atLeast("bulkheads." + entry.getKey(), entry.getValue(), 1);
    }
    attemptTimeouts = Map.copyOf(attemptTimeouts);
    hedged = Set.copyOf(hedged);
    bulkheads = Map.copyOf(bulkheads);
    Args.positive("ejectionTime", ejectionTime);
    for (Map.Entry<String, Duration> entry : callTimeouts.entrySet()) {
      Args.labName("callTimeouts", entry.getKey());
      Args.positive("callTimeouts." + entry.getKey(), entry.getValue());
    }
    callTimeouts = Map.copyOf(callTimeouts);
    Args.inRange("hedgeBudgetRatio", hedgeBudgetRatio, 0, 1);
  }

  /** A setup without call timeouts and with the default hedge budget. */
  public BlastwallSetup(int maxAttempts, Duration backoffBase, Duration backoffMax, double retryBudgetRatio,
      int retryBudgetMinPerSecond, double breakerFailureRate, int breakerMinimumCalls, Duration breakerOpenFor,
      Duration breakerMaxOpenFor, Map<String, Duration> attemptTimeouts, Set<String> hedged,
      Map<String, Integer> bulkheads, boolean shedByCriticality, Duration ejectionTime) {
    this(maxAttempts, backoffBase, backoffMax, retryBudgetRatio, retryBudgetMinPerSecond, breakerFailureRate,
        breakerMinimumCalls, breakerOpenFor, breakerMaxOpenFor, attemptTimeouts, hedged, bulkheads, shedByCriticality,
        ejectionTime, Map.of(), DEFAULT_HEDGE_BUDGET);
  }

  /** A setup with the {@linkplain #DEFAULT_EJECTION_TIME default ejection time}. */
  public BlastwallSetup(int maxAttempts, Duration backoffBase, Duration backoffMax, double retryBudgetRatio,
      int retryBudgetMinPerSecond, double breakerFailureRate, int breakerMinimumCalls, Duration breakerOpenFor,
      Duration breakerMaxOpenFor, Map<String, Duration> attemptTimeouts, Set<String> hedged,
      Map<String, Integer> bulkheads, boolean shedByCriticality) {
    this(maxAttempts, backoffBase, backoffMax, retryBudgetRatio, retryBudgetMinPerSecond, breakerFailureRate,
        breakerMinimumCalls, breakerOpenFor, breakerMaxOpenFor, attemptTimeouts, hedged, bulkheads, shedByCriticality,
        DEFAULT_EJECTION_TIME);
  }

  /**
   * 3 attempts, full jitter 10 ms to 200 ms, retry budget 10% with 5 retries/s floor, breakers opening at 50%
   * failures over at least 20 calls for 1 s (growing to 4 s), queues bounded and shedding by criticality; no attempt
   * timeouts, hedging or bulkheads unless a scenario adds them; a replica failing 5 calls in a row is ejected for 5 s.
   */
  public static BlastwallSetup defaults() {
    return new BlastwallSetup(
        3, Duration.ofMillis(10), Duration.ofMillis(200), 0.1, 5, 0.5, 20, Duration.ofSeconds(1),
        Duration.ofSeconds(4), Map.of(), Set.of(), Map.of(), true);
  }

  /** A copy where calls to {@code service} time out per attempt after {@code timeout}. */
  public BlastwallSetup withAttemptTimeout(String service, Duration timeout) {
    Map<String, Duration> copy = new LinkedHashMap<>(attemptTimeouts);
    copy.put(service, timeout);
    return new BlastwallSetup(maxAttempts, backoffBase, backoffMax, retryBudgetRatio, retryBudgetMinPerSecond,
        breakerFailureRate, breakerMinimumCalls, breakerOpenFor, breakerMaxOpenFor, copy, hedged, bulkheads,
        shedByCriticality, ejectionTime, callTimeouts, hedgeBudgetRatio);
  }

  /** A copy where idempotent calls to {@code service} are hedged after the learned p95. */
  public BlastwallSetup withHedging(String service) {
    Set<String> copy = new TreeSet<>(hedged);
    copy.add(service);
    return new BlastwallSetup(maxAttempts, backoffBase, backoffMax, retryBudgetRatio, retryBudgetMinPerSecond,
        breakerFailureRate, breakerMinimumCalls, breakerOpenFor, breakerMaxOpenFor, attemptTimeouts, copy, bulkheads,
        shedByCriticality, ejectionTime, callTimeouts, hedgeBudgetRatio);
  }

  /** A copy where each caller has at most {@code limit} calls in flight to {@code service}. */
  public BlastwallSetup withBulkhead(String service, int limit) {
    Map<String, Integer> copy = new LinkedHashMap<>(bulkheads);
    copy.put(service, limit);
    return new BlastwallSetup(maxAttempts, backoffBase, backoffMax, retryBudgetRatio, retryBudgetMinPerSecond,
        breakerFailureRate, breakerMinimumCalls, breakerOpenFor, breakerMaxOpenFor, attemptTimeouts, hedged, copy,
        shedByCriticality, ejectionTime, callTimeouts, hedgeBudgetRatio);
  }

  /** A copy with another breaker. */
  public BlastwallSetup withBreaker(double failureRate, int minimumCalls, Duration openFor, Duration maxOpenFor) {
    return new BlastwallSetup(maxAttempts, backoffBase, backoffMax, retryBudgetRatio, retryBudgetMinPerSecond,
        failureRate, minimumCalls, openFor, maxOpenFor, attemptTimeouts, hedged, bulkheads, shedByCriticality,
        ejectionTime, callTimeouts, hedgeBudgetRatio);
  }

  /** A copy where callers' balancers leave a failing replica out for {@code time}. */
  public BlastwallSetup withEjectionTime(Duration time) {
    return new BlastwallSetup(maxAttempts, backoffBase, backoffMax, retryBudgetRatio, retryBudgetMinPerSecond,
        breakerFailureRate, breakerMinimumCalls, breakerOpenFor, breakerMaxOpenFor, attemptTimeouts, hedged, bulkheads,
        shedByCriticality, time, callTimeouts, hedgeBudgetRatio);
  }

  /** A copy where a whole call to {@code service}, retries included, times out after {@code timeout}. */
  public BlastwallSetup withCallTimeout(String service, Duration timeout) {
    Map<String, Duration> copy = new LinkedHashMap<>(callTimeouts);
    copy.put(service, timeout);
    return new BlastwallSetup(maxAttempts, backoffBase, backoffMax, retryBudgetRatio, retryBudgetMinPerSecond,
        breakerFailureRate, breakerMinimumCalls, breakerOpenFor, breakerMaxOpenFor, attemptTimeouts, hedged, bulkheads,
        shedByCriticality, ejectionTime, copy, hedgeBudgetRatio);
  }

  /** A copy whose retry budget lets retries add {@code ratio} of the requests (the floor per second unchanged). */
  public BlastwallSetup withRetryBudget(double ratio) {
    return new BlastwallSetup(maxAttempts, backoffBase, backoffMax, ratio, retryBudgetMinPerSecond,
        breakerFailureRate, breakerMinimumCalls, breakerOpenFor, breakerMaxOpenFor, attemptTimeouts, hedged, bulkheads,
        shedByCriticality, ejectionTime, callTimeouts, hedgeBudgetRatio);
  }

  /** A copy whose hedged services may receive {@code ratio} hedges per request at most. */
  public BlastwallSetup withHedgeBudget(double ratio) {
    return new BlastwallSetup(maxAttempts, backoffBase, backoffMax, retryBudgetRatio, retryBudgetMinPerSecond,
        breakerFailureRate, breakerMinimumCalls, breakerOpenFor, breakerMaxOpenFor, attemptTimeouts, hedged, bulkheads,
        shedByCriticality, ejectionTime, callTimeouts, ratio);
  }

  /** One line per setting, for reports. */
  public String describe() {
    StringBuilder text = new StringBuilder()
        .append("user SLO sent as the deadline, propagated at every hop; ")
        .append(maxAttempts).append(" attempts with full-jitter backoff ")
        .append(Durations.text(backoffBase)).append("..").append(Durations.text(backoffMax))
        .append(" under a ").append(Math.round(retryBudgetRatio * 100)).append("% retry budget (floor ")
        .append(retryBudgetMinPerSecond).append("/s), retried at the failing hop only; breaker per upstream opens at ")
        .append(Math.round(breakerFailureRate * 100)).append("% of >= ").append(breakerMinimumCalls)
        .append(" calls for ").append(Durations.text(breakerOpenFor)).append("..")
        .append(Durations.text(breakerMaxOpenFor))
        .append("; bounded deadline-aware queues")
        .append(shedByCriticality ? ", shedding by criticality" : "")
        .append("; round robin ejecting a replica after ").append(EJECTION_FAILURES)
        .append(" failures in a row for ").append(Durations.text(ejectionTime));
    attemptTimeouts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> text
        .append("; attempt timeout to ").append(entry.getKey()).append(' ').append(Durations.text(entry.getValue())));
    callTimeouts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> text
        .append("; call timeout to ").append(entry.getKey()).append(' ').append(Durations.text(entry.getValue())));
    hedged.stream().sorted().forEach(service -> text.append("; hedging ").append(service).append(" after p95"));
    if (!hedged.isEmpty()) {
      text.append(" under a ").append(Math.round(hedgeBudgetRatio * 100)).append("% hedge budget");
    }
    bulkheads.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> text
        .append("; bulkhead to ").append(entry.getKey()).append(' ').append(entry.getValue()));
    return text.toString();
  }
}
