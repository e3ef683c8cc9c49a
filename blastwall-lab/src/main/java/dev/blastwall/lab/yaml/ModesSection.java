package dev.blastwall.lab.yaml;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.topology.Durations;
import dev.blastwall.retry.RetryPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code modes} key of a lab file: {@code naive} and {@code blastwall}, each overriding some settings of
 * {@link NaiveSetup#defaults()} and {@link BlastwallSetup#defaults()}.
 */
final class ModesSection {

  private static final Set<String> KEYS = Set.of("naive", "blastwall");
  private static final Set<String> NAIVE_KEYS = Set.of("timeout", "retries", "retry_on", "user_timeout", "outbound_pool");
  private static final Set<String> BLASTWALL_KEYS =
      Set.of("max_attempts", "backoff", "retry_budget", "breaker", "attempt_timeouts", "hedge", "bulkheads",
          "shed_by_criticality", "ejection_time", "call_timeouts", "hedge_budget");

  // Naive retries multiply at every layer; the pool's threads are real threads. Blastwall's own bounds are the
  // library's (RetryPolicy, CircuitBreaker), so a file is refused here rather than when its run starts.
  static final int MAX_RETRIES = 10;
  static final int MAX_OUTBOUND_POOL = 10_000;

  private final NaiveSetup naive;
  private final BlastwallSetup blastwall;

  private ModesSection(NaiveSetup naive, BlastwallSetup blastwall) {
    this.naive = naive;
    this.blastwall = blastwall;
  }

  NaiveSetup naive() {
    return naive;
  }

  BlastwallSetup blastwall() {
    return blastwall;
  }

  static ModesSection read(@Nullable Value value, Set<String> services) {
    if (value == null) {
      return new ModesSection(NaiveSetup.defaults(), BlastwallSetup.defaults());
    }
    Fields fields = value.fields(KEYS);
    Value naive = fields.get("naive");
    Value blastwall = fields.get("blastwall");
    return new ModesSection(
        naive == null ? NaiveSetup.defaults() : naive(naive.fields(NAIVE_KEYS)),
        blastwall == null ? BlastwallSetup.defaults() : blastwall(blastwall.fields(BLASTWALL_KEYS), services));
  }

  private static NaiveSetup naive(Fields fields) {
    NaiveSetup defaults = NaiveSetup.defaults();
    Duration timeout = durationOr(fields, "timeout", defaults.timeout());
    Value retriesValue = fields.get("retries");
    int retries = retriesValue == null ? defaults.retries() : retriesValue.integer(0, MAX_RETRIES);
    Set<String> retryOn = defaults.retryOn();
    Value retryOnValue = fields.get("retry_on");
    if (retryOnValue != null) {
      retryOn = new LinkedHashSet<>();
      for (Value status : retryOnValue.items("gRPC status names such as UNAVAILABLE")) {
        retryOn.add(status.status());
      }
    }
    Duration userTimeout = durationOr(fields, "user_timeout", defaults.userTimeout());
    Value pool = fields.get("outbound_pool");
    return new NaiveSetup(timeout, retries, retryOn, userTimeout,
        pool == null ? defaults.outboundPool() : pool.integer(NaiveSetup.UNBOUNDED_POOL, MAX_OUTBOUND_POOL));
  }

  private static BlastwallSetup blastwall(Fields fields, Set<String> services) {
    BlastwallSetup defaults = BlastwallSetup.defaults();
    Value attemptsValue = fields.get("max_attempts");
    int maxAttempts = attemptsValue == null ? defaults.maxAttempts() : attemptsValue.integer(1, RetryPolicy.MAX_ATTEMPTS_LIMIT);

    Fields backoff = group(fields, "backoff", Set.of("base", "max"));
    Duration backoffBase = durationOr(backoff, "base", defaults.backoffBase());
    Duration backoffMax = durationOr(backoff, "max", defaults.backoffMax());
    ordered(backoff, "base", backoffBase, "max", backoffMax);

    Fields budget = group(fields, "retry_budget", Set.of("ratio", "min_per_second"));
    Value ratio = budget.get("ratio");
    Value floor = budget.get("min_per_second");

    Fields breaker = group(fields, "breaker", Set.of("failure_rate", "minimum_calls", "open_for", "max_open_for"));
    Value failureRate = breaker.get("failure_rate");
    Value minimumCalls = breaker.get("minimum_calls");
    Duration openFor = durationOr(breaker, "open_for", defaults.breakerOpenFor());
    Duration maxOpenFor = durationOr(breaker, "max_open_for", defaults.breakerMaxOpenFor());
    ordered(breaker, "open_for", openFor, "max_open_for", maxOpenFor);

    Map<String, Duration> attemptTimeouts = new LinkedHashMap<>();
    Value timeouts = fields.get("attempt_timeouts");
    if (timeouts != null) {
      for (Value timeout : timeouts.entries("service names")) {
        TopologySection.serviceName(new Value(timeout.path(), timeout.key()), services);
        attemptTimeouts.put(timeout.key(), timeout.positiveDuration());
      }
    }
    Map<String, Duration> callTimeouts = new LinkedHashMap<>();
    Value callTimeoutsValue = fields.get("call_timeouts");
    if (callTimeoutsValue != null) {
      for (Value timeout : callTimeoutsValue.entries("service names")) {
        TopologySection.serviceName(new Value(timeout.path(), timeout.key()), services);
        callTimeouts.put(timeout.key(), timeout.positiveDuration());
      }
    }
    Value hedgeBudget = fields.get("hedge_budget");
    Set<String> hedged = new LinkedHashSet<>();
    Value hedge = fields.get("hedge");
    if (hedge != null) {
      for (Value service : hedge.items("service names")) {
        hedged.add(TopologySection.serviceName(service, services));
      }
    }
    Map<String, Integer> bulkheads = new LinkedHashMap<>();
    Value bulkheadsValue = fields.get("bulkheads");
    if (bulkheadsValue != null) {
      for (Value limit : bulkheadsValue.entries("service names")) {
        TopologySection.serviceName(new Value(limit.path(), limit.key()), services);
        bulkheads.put(limit.key(), limit.integer(1));
      }
    }
    Value shed = fields.get("shed_by_criticality");
    return new BlastwallSetup(
        maxAttempts,
        backoffBase,
        backoffMax,
        ratio == null ? defaults.retryBudgetRatio() : ratio.number(0, 1000),
        floor == null ? defaults.retryBudgetMinPerSecond() : floor.integer(0),
        failureRate == null ? defaults.breakerFailureRate() : failureRate.number(0.001, 1),
        minimumCalls == null ? defaults.breakerMinimumCalls() : minimumCalls.integer(1, CircuitBreaker.MAX_WINDOW_CALLS),
        openFor,
        maxOpenFor,
        attemptTimeouts,
        hedged,
        bulkheads,
        shed == null ? defaults.shedByCriticality() : shed.bool(),
        durationOr(fields, "ejection_time", defaults.ejectionTime()),
        callTimeouts,
        hedgeBudget == null ? defaults.hedgeBudgetRatio() : hedgeBudget.number(0, 1));
  }

  /** The keys of the group {@code key} (none when it is absent). */
  private static Fields group(Fields fields, String key, Set<String> keys) {
    Value group = fields.get(key);
    return group == null ? Fields.of(fields.path().key(key), Map.of(), keys) : group.fields(keys);
  }

  private static Duration durationOr(Fields fields, String key, Duration fallback) {
    Value value = fields.get(key);
    return value == null ? fallback : value.positiveDuration();
  }

  /** Fails on whichever of the two was written when {@code low} exceeds {@code high}. */
  private static void ordered(Fields fields, String lowKey, Duration low, String highKey, Duration high) {
    if (high.compareTo(low) >= 0) {
      return;
    }
    Value highValue = fields.get(highKey);
    if (highValue != null) {
      throw InvalidValue.of(highValue.path(), highValue.raw(), "at least " + lowKey + " " + Durations.text(low));
    }
    Value lowValue = fields.required(lowKey, lowKey);
    throw InvalidValue.of(
        lowValue.path(), lowValue.raw(), "at most " + highKey + " " + Durations.text(high) + ", its default");
  }
}
