package dev.blastwall.registry;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.context.Idempotency;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Untrusted;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.ratelimit.TokenBucketRateLimiter;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RatioRetryBudget;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.time.Scheduler;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of one upstream, the entries {@code upstreams.<name>.<setting>=<value>}, and the pipeline it
 * describes. Every message about a bad entry names its full key, quotes its value as given, and says what was
 * expected, in the shape of {@link Checks}: {@code upstreams.inventory.timeout: "300" (expected: ...)}.
 *
 * <p>A group of settings switches its policy on: any {@code retry.*} key (other than {@code retry.budget.*}) a
 * retry policy, any {@code hedge.*} key hedging, any {@code breaker.*} key a circuit breaker, any
 * {@code bulkhead.*} key a bulkhead, {@code rate-limit.per-second} a rate limiter. Settings left out keep the
 * defaults of the policy they belong to.
 */
final class UpstreamConfig {

  static final String PREFIX = "upstreams.";

  /** Every setting of an upstream, in the order of docs/configuration.md. */
  static final List<String> SETTINGS = List.of(
      "timeout", "attempt-timeout", "idempotent",
      "retry.max-attempts", "retry.backoff", "retry.base", "retry.cap",
      "retry.budget.percent", "retry.budget.min-per-second", "retry.budget.window",
      "hedge.delay", "hedge.percentile", "hedge.min-delay", "hedge.max-extra",
      "breaker.failure-rate", "breaker.minimum-calls", "breaker.window", "breaker.open", "breaker.half-open-probes",
      "bulkhead.max-concurrent", "bulkhead.max-waiting", "bulkhead.max-wait",
      "rate-limit.per-second", "rate-limit.burst", "rate-limit.max-wait");

  /** A time window of the breaker is kept in this many buckets, so outcomes expire a tenth at a time. */
  static final int BREAKER_WINDOW_BUCKETS = 10;

  private static final String UNITS = "with a unit of ns, us, ms, s or m, like 300ms";
  private static final String POSITIVE_DURATION = "a duration > 0 " + UNITS;
  private static final String DURATION = "a duration >= 0 " + UNITS;
  private static final String BACKOFFS = "one of full-jitter, equal-jitter, decorrelated, constant, none";
  private static final Pattern DURATION_TEXT = Pattern.compile("([0-9]+)(ns|us|ms|s|m)");
  private static final Pattern INTEGER_TEXT = Pattern.compile("[0-9]+");
  private static final Pattern NUMBER_TEXT = Pattern.compile("[0-9]+(\\.[0-9]+)?");

  private final String name;
  private final SortedMap<String, String> settings;

  private UpstreamConfig(String name, SortedMap<String, String> settings) {
    this.name = name;
    this.settings = settings;
  }

  /**
   * Groups {@code config} by upstream, sorted by name. Keys are checked in sorted order, so the same mistakes
   * always produce the same message.
   *
   * @throws IllegalArgumentException for a key that is not {@code upstreams.<name>.<setting>} with a known setting
   */
  static List<UpstreamConfig> parse(Map<String, String> config) {
    SortedMap<String, SortedMap<String, String>> byUpstream = new TreeMap<>();
    for (Map.Entry<String, String> entry : new TreeMap<>(config).entrySet()) {
      String key = entry.getKey();
      String value = entry.getValue();
      int dot = key.startsWith(PREFIX) ? key.indexOf('.', PREFIX.length()) : -1;
      String upstream = dot < 0 ? "" : key.substring(PREFIX.length(), dot);
      if (upstream.isBlank()) {
        throw Checks.invalidArgument(key, Untrusted.quote(value), "a key upstreams.<name>.<setting>");
      }
      String setting = key.substring(dot + 1);
      if (!SETTINGS.contains(setting)) {
        throw Checks.invalidArgument(key, Untrusted.quote(value),
            "a setting of upstream \"" + upstream + "\": one of " + String.join(", ", SETTINGS));
      }
      byUpstream.computeIfAbsent(upstream, unused -> new TreeMap<>()).put(setting, value);
    }
    List<UpstreamConfig> upstreams = new ArrayList<>();
    byUpstream.forEach((upstream, settings) -> upstreams.add(new UpstreamConfig(upstream, settings)));
    return upstreams;
  }

  String name() {
    return name;
  }

  /**
   * The pipeline these settings describe, on {@code ticker} and {@code scheduler}.
   *
   * @throws IllegalArgumentException for a value that does not parse or does not fit the others
   */
  Pipeline build(Ticker ticker, Scheduler scheduler) {
    try {
      return configure(Pipeline.builder(name).ticker(ticker).scheduler(scheduler), ticker).build();
    } catch (InvalidSetting invalid) {
      throw invalid;
    } catch (IllegalArgumentException | IllegalStateException refused) {
      // A combination the policies' builders refuse that the checks here did not foresee: still say which
      // upstream it is about.
      throw new IllegalArgumentException(PREFIX + name + ": " + refused.getMessage(), refused);
    }
  }

  private Pipeline.Builder configure(Pipeline.Builder pipeline, Ticker ticker) {
    if (has("timeout")) {
      pipeline.timeout(duration("timeout", true));
    }
    if (has("attempt-timeout")) {
      pipeline.attemptTimeout(duration("attempt-timeout", true));
    }
    if (has("idempotent")) {
      pipeline.idempotency(bool("idempotent") ? Idempotency.IDEMPOTENT : Idempotency.NON_IDEMPOTENT);
    }
    boolean hedging = hasAny("hedge.");
    RetryPolicy retry = retryPolicy(hedging);
    if (retry != null) {
      pipeline.retry(retry);
    }
    if (hasAny("retry.budget.")) {
      pipeline.retryBudget(retryBudget(ticker));
    }
    if (hedging) {
      pipeline.hedge(hedgePolicy(ticker));
    }
    if (hasAny("breaker.")) {
      pipeline.circuitBreaker(breaker(ticker));
    }
    if (hasAny("bulkhead.")) {
      pipeline.bulkhead(bulkhead());
    }
    if (has("rate-limit.per-second")) {
      int perSecond = integer("rate-limit.per-second", 1, 1_000_000_000, "an integer 1..1000000000");
      int burst = has("rate-limit.burst")
          ? integer("rate-limit.burst", 1, Integer.MAX_VALUE, "an integer >= 1") : perSecond;
      Duration maxWait = has("rate-limit.max-wait") ? duration("rate-limit.max-wait", false) : Duration.ZERO;
      pipeline.rateLimiter(
          TokenBucketRateLimiter.builder(burst, perSecond, Duration.ofSeconds(1)).ticker(ticker).build(), maxWait);
    } else {
      for (String alone : List.of("rate-limit.burst", "rate-limit.max-wait")) {
        if (has(alone)) {
          throw invalid(alone, "set together with rate-limit.per-second");
        }
      }
    }
    return pipeline;
  }

  private @Nullable RetryPolicy retryPolicy(boolean hedging) {
    List<String> retryKeys = settings.keySet().stream()
        .filter(key -> key.startsWith("retry.") && !key.startsWith("retry.budget.")).toList();
    if (retryKeys.isEmpty()) {
      return null;
    }
    if (hedging) {
      throw invalid(retryKeys.get(0),
          "no retry setting when hedging: a hedge already repeats the call (set retry.* or hedge.*, not both)");
    }
    RetryPolicy.Builder retry = RetryPolicy.builder();
    if (has("retry.max-attempts")) {
      retry.maxAttempts(integer("retry.max-attempts", 1, RetryPolicy.MAX_ATTEMPTS_LIMIT,
          "an integer 1.." + RetryPolicy.MAX_ATTEMPTS_LIMIT));
    }
    String kind = has("retry.backoff") ? value("retry.backoff").toLowerCase(Locale.ROOT) : "full-jitter";
    Backoff backoff = switch (kind) {
      case "full-jitter", "equal-jitter", "decorrelated" -> {
        Duration base = has("retry.base") ? duration("retry.base", true) : Backoff.DEFAULT_BASE;
        Duration cap = has("retry.cap") ? duration("retry.cap", true) : Backoff.DEFAULT_CAP;
        if (cap.compareTo(base) < 0) {
          throw has("retry.cap")
              ? invalid("retry.cap", ">= retry.base (" + text(base) + ")")
              : invalid("retry.base", "<= retry.cap (" + text(cap) + ", the default)");
        }
        yield switch (kind) {
          case "full-jitter" -> Backoff.exponentialFullJitter(base, cap);
          case "equal-jitter" -> Backoff.exponentialEqualJitter(base, cap);
          default -> Backoff.decorrelatedJitter(base, cap);
        };
      }
      case "constant" -> {
        refuseWithBackoff("retry.cap", kind);
        yield Backoff.constant(has("retry.base") ? duration("retry.base", true) : Backoff.DEFAULT_BASE);
      }
      case "none" -> {
        refuseWithBackoff("retry.base", kind);
        refuseWithBackoff("retry.cap", kind);
        yield Backoff.none();
      }
      default -> throw invalid("retry.backoff", BACKOFFS);
    };
    return retry.backoff(backoff).build();
  }

  private void refuseWithBackoff(String setting, String kind) {
    if (has(setting)) {
      throw invalid(setting, "no " + setting + " with retry.backoff=" + kind);
    }
  }

  private RatioRetryBudget retryBudget(Ticker ticker) {
    RatioRetryBudget.Builder budget = RetryBudget.ratio().ticker(ticker);
    if (has("retry.budget.percent")) {
      budget.percentCanRetry(number("retry.budget.percent", 0, 1000, false, "a number 0..1000 (percent)") / 100);
    }
    if (has("retry.budget.min-per-second")) {
      budget.minRetriesPerSecond(integer("retry.budget.min-per-second", 0, Integer.MAX_VALUE, "an integer >= 0"));
    }
    if (has("retry.budget.window")) {
      Duration window = parseDuration(value("retry.budget.window"));
      String expected = "a duration 1s..60s " + UNITS;
      if (window == null || window.compareTo(Duration.ofSeconds(1)) < 0
          || window.compareTo(Duration.ofSeconds(60)) > 0) {
        throw invalid("retry.budget.window", expected);
      }
      budget.window(window);
    }
    return budget.build();
  }

  private HedgePolicy hedgePolicy(Ticker ticker) {
    HedgePolicy.Builder hedge = HedgePolicy.builder();
    if (has("hedge.delay")) {
      for (String learned : List.of("hedge.min-delay", "hedge.percentile")) {
        if (has(learned)) {
          throw invalid(learned, "not with hedge.delay (a fixed delay or a learned percentile, not both)");
        }
      }
      hedge.fixedDelay(duration("hedge.delay", false));
    } else {
      hedge.ticker(ticker);
      if (has("hedge.percentile")) {
        hedge.percentile(number("hedge.percentile", 50, 99.99, false, "a number 50..99.99"));
      }
      if (has("hedge.min-delay")) {
        hedge.minDelay(duration("hedge.min-delay", false));
      }
    }
    if (has("hedge.max-extra")) {
      hedge.maxExtraAttempts(integer("hedge.max-extra", 1, HedgePolicy.MAX_EXTRA_ATTEMPTS_LIMIT,
          "an integer 1.." + HedgePolicy.MAX_EXTRA_ATTEMPTS_LIMIT));
    }
    return hedge.build();
  }

  private CircuitBreaker breaker(Ticker ticker) {
    CircuitBreaker.Builder breaker = CircuitBreaker.builder(name).ticker(ticker);
    if (has("breaker.failure-rate")) {
      breaker.failureRateThreshold(number("breaker.failure-rate", 0, 100, true, "a number > 0 and <= 100"));
    }
    int windowCalls = CircuitBreaker.DEFAULT_WINDOW_CALLS;
    if (has("breaker.window")) {
      String window = value("breaker.window");
      String expected = "a number of calls 1.." + CircuitBreaker.MAX_WINDOW_CALLS + ", or a duration > 0 " + UNITS;
      if (INTEGER_TEXT.matcher(window).matches()) {
        windowCalls = integer("breaker.window", 1, CircuitBreaker.MAX_WINDOW_CALLS, expected);
        breaker.countWindow(windowCalls);
      } else {
        Duration length = parseDuration(window);
        if (length == null || Checks.saturatedNanos(length) < BREAKER_WINDOW_BUCKETS) {
          throw invalid("breaker.window", expected);
        }
        windowCalls = -1;
        breaker.timeWindow(length, BREAKER_WINDOW_BUCKETS);
      }
    }
    if (has("breaker.minimum-calls")) {
      int minimum = integer("breaker.minimum-calls", 1, CircuitBreaker.MAX_WINDOW_CALLS,
          "an integer 1.." + CircuitBreaker.MAX_WINDOW_CALLS);
      if (windowCalls > 0 && minimum > windowCalls) {
        throw invalid("breaker.minimum-calls", "<= breaker.window (" + windowCalls + " calls)");
      }
      breaker.minimumCalls(minimum);
    }
    if (has("breaker.open")) {
      breaker.openDuration(duration("breaker.open", true));
    }
    if (has("breaker.half-open-probes")) {
      breaker.halfOpenProbes(integer("breaker.half-open-probes", 1, CircuitBreaker.MAX_HALF_OPEN_PROBES,
          "an integer 1.." + CircuitBreaker.MAX_HALF_OPEN_PROBES));
    }
    return breaker.build();
  }

  private SemaphoreBulkhead bulkhead() {
    SemaphoreBulkhead.Builder bulkhead = SemaphoreBulkhead.builder(name);
    if (has("bulkhead.max-concurrent")) {
      bulkhead.maxConcurrentCalls(integer("bulkhead.max-concurrent", 1, Integer.MAX_VALUE, "an integer >= 1"));
    }
    int waiting = has("bulkhead.max-waiting")
        ? integer("bulkhead.max-waiting", 0, Integer.MAX_VALUE, "an integer >= 0") : 0;
    Duration wait = has("bulkhead.max-wait") ? duration("bulkhead.max-wait", false) : Duration.ZERO;
    // Either alone would refuse every caller that finds the slots taken, silently: say which one is missing.
    if (waiting > 0 && wait.isZero()) {
      throw has("bulkhead.max-wait")
          ? invalid("bulkhead.max-wait", "> 0 when bulkhead.max-waiting is " + waiting)
          : invalid("bulkhead.max-waiting", "0 unless bulkhead.max-wait is set above 0");
    }
    if (waiting == 0 && !wait.isZero()) {
      throw invalid("bulkhead.max-wait", "0 unless bulkhead.max-waiting is set above 0");
    }
    return bulkhead.maxWaiting(waiting).maxWait(wait).build();
  }

  // --- values -------------------------------------------------------------------------------------------------

  private boolean has(String setting) {
    return settings.containsKey(setting);
  }

  private boolean hasAny(String group) {
    return settings.keySet().stream().anyMatch(key -> key.startsWith(group));
  }

  /** The value as given, without surrounding blanks (property files keep trailing spaces). */
  private String value(String setting) {
    String value = settings.get(setting);
    return value == null ? "" : value.strip();
  }

  private Duration duration(String setting, boolean positive) {
    Duration duration = parseDuration(value(setting));
    if (duration == null || (positive && duration.isZero())) {
      throw invalid(setting, positive ? POSITIVE_DURATION : DURATION);
    }
    return duration;
  }

  private int integer(String setting, int min, int max, String expected) {
    String text = value(setting);
    if (INTEGER_TEXT.matcher(text).matches()) {
      try {
        int parsed = Integer.parseInt(text);
        if (parsed >= min && parsed <= max) {
          return parsed;
        }
      } catch (NumberFormatException tooLarge) {
        // Falls through to the same message as any other value out of range.
      }
    }
    throw invalid(setting, expected);
  }

  private double number(String setting, double min, double max, boolean minExcluded, String expected) {
    String text = value(setting);
    if (NUMBER_TEXT.matcher(text).matches()) {
      double parsed = Double.parseDouble(text);
      if ((minExcluded ? parsed > min : parsed >= min) && parsed <= max) {
        return parsed;
      }
    }
    throw invalid(setting, expected);
  }

  private boolean bool(String setting) {
    String text = value(setting).toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(setting, "true or false");
    };
  }

  /** A duration like {@code 300ms}, {@code 2s}, {@code 1m}, {@code 500us} or {@code 100ns}; null if it is not one. */
  static @Nullable Duration parseDuration(String text) {
    Matcher matcher = DURATION_TEXT.matcher(text);
    if (!matcher.matches()) {
      return null;
    }
    try {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ns" -> Duration.ofNanos(amount);
        case "us" -> Duration.ofNanos(Math.multiplyExact(amount, 1_000L));
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        default -> Duration.ofMinutes(amount);
      };
    } catch (ArithmeticException | NumberFormatException tooLarge) {
      return null;
    }
  }

  /** A duration the way this configuration writes it, for messages: {@code 100ms}, {@code 10s}. */
  static String text(Duration duration) {
    if (duration.toNanosPart() == 0) {
      return duration.toSeconds() + "s";
    }
    long nanos = Checks.saturatedNanos(duration);
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    return nanos % 1_000L == 0 ? nanos / 1_000L + "us" : nanos + "ns";
  }

  private InvalidSetting invalid(String setting, String expected) {
    return new InvalidSetting(Checks.invalid(PREFIX + name + "." + setting, Untrusted.quote(settings.get(setting)), expected));
  }

  /** A bad entry, already described with its full key: passed on as it is. */
  private static final class InvalidSetting extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidSetting(String message) {
      super(message);
    }
  }
}
