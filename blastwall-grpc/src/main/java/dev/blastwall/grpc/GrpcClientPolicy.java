package dev.blastwall.grpc;

import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import dev.blastwall.config.GrpcClientConfig;
import dev.blastwall.config.MethodConfig;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.deadline.DeadlineSlack;
import dev.blastwall.internal.Checks;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.registry.UpstreamRegistry;
import dev.blastwall.time.Environment;
import dev.blastwall.time.Ticker;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What {@link BlastwallClientInterceptor} does for each method of a channel: which {@link Pipeline} guards it, whether
 * it is idempotent, how long one attempt may take, and how much of the caller's deadline to keep back.
 *
 * <p>Settings are looked up per full method name ({@code pkg.Service/Method}), then per service
 * ({@code pkg.Service}), then the defaults apply. Idempotency is decided, first match wins, by:
 * <ol>
 *   <li>the method's own declaration: protobuf's {@code option idempotency_level = NO_SIDE_EFFECTS} or
 *       {@code IDEMPOTENT}, or the descriptor's {@code isSafe()} / {@code isIdempotent()} (which grpc-java's
 *       generator sets from that option, and {@code MethodDescriptor.Builder.setSafe / setIdempotent} set by hand);
 *   <li>this policy, for the method, then for its service: {@link Builder#idempotency} or {@link Builder#keyed};
 *   <li>otherwise the method is not idempotent.
 * </ol>
 *
 * <p><b>Keyed methods.</b> A method declared {@linkplain Builder#keyed keyed} is one whose server deduplicates on
 * the idempotency key: each logical call gets a fresh key, sent with every attempt, and is retried on the failures
 * that mean "try again" (UNAVAILABLE, RESOURCE_EXHAUSTED) even when the request may have run; never on failures
 * that mean "may have half run" (INTERNAL, attempt timeouts). A key the caller supplies
 * ({@link BlastwallClientInterceptor#IDEMPOTENCY_KEY}) is the same promise for one call. A key is only as safe as
 * the server's deduplication: declare a method keyed only when its server keeps the keys.
 *
 * <p><b>Other non-idempotent methods</b> get no key and are retried only when the request certainly did not run:
 * its stream was never created (no ready connection, the attempt's time ran out while waiting for one), or a
 * Blastwall server refused it before running it (an overload rejection with a pushback). A failure after the
 * request may have been sent (a connection reset, UNAVAILABLE or CANCELLED from a server going away) ends the call:
 * the server may have run it.
 *
 * <p><b>Deadlines.</b> Each attempt's gRPC deadline is
 * {@code min(call deadline - slack, now + attempt timeout)}, where the call deadline is the earliest of the caller's
 * {@code CallContext} deadline, gRPC's {@code Context} deadline (a server handler's incoming deadline), the stub's
 * {@code withDeadline} and the pipeline's own timeout, and the slack is {@code min(10% of the time left, 50 ms)} by
 * default: the caller keeps a little time to receive and act on the answer (or the failure), so a child never
 * uses up the whole budget of its parent. A call without any deadline has no slack. The rule is core's
 * {@link DeadlineSlack}, applied by {@link Deadline#forChild}, the same for every adapter.
 *
 * <p>The attempt timeout goes to the server as the attempt's gRPC deadline, so the server stops working on an
 * attempt the client gave up on. When it ends an attempt while the call's own deadline has time left, that is an
 * attempt timeout ({@code FailureKind.TIMEOUT}: retried for idempotent methods, and counted against the endpoint
 * by Blastwall's balancers), not the call's DEADLINE_EXCEEDED. It applies to unary calls only; a stream's deadline
 * is the call's.
 *
 * <p><b>Time.</b> The policy runs on its default pipeline's {@link Environment}, and every other pipeline it is
 * given must run on the same ticker ({@link Builder#build} refuses one that does not): the caller's deadline, the
 * pipeline's timeouts and each attempt's deadline are then all on one ticker and always compare. Give the server
 * interceptor the same environment, so a handler's incoming deadline is on it too.
 *
 * <p>Immutable and thread-safe; built by a {@link Builder}, which is not.
 */
public final class GrpcClientPolicy {

  /** The share of the time left that a caller keeps back by default. */
  // DeadlineSlack.DEFAULT's fraction, repeated as a compile-time constant so the docs can show its {@value}.
  public static final double DEFAULT_SLACK_FRACTION = 0.10;

  /** The most a caller keeps back by default: enough to receive and handle an answer, small next to a deadline. */
  public static final Duration DEFAULT_MAX_SLACK = DeadlineSlack.DEFAULT.max();

  private final Pipeline defaultPipeline;
  private final Map<String, Pipeline> pipelines;
  private final Map<String, Declared> idempotency;
  private final Map<String, Long> attemptTimeouts;
  private final DeadlineSlack slack;
  private final Environment environment;
  private final Ticker ticker;
  private final ConcurrentHashMap<String, MethodPlan> plans = new ConcurrentHashMap<>();

  private GrpcClientPolicy(Builder builder) {
    this.defaultPipeline = builder.defaultPipeline;
    this.pipelines = Map.copyOf(builder.pipelines);
    this.idempotency = Map.copyOf(builder.idempotency);
    this.attemptTimeouts = Map.copyOf(builder.attemptTimeouts);
    this.slack = builder.slack;
    this.environment = builder.defaultPipeline.environment();
    this.ticker = environment.ticker();
  }

  /**
   * The policy {@code config} describes (the {@code grpc.client} section of a YAML or flat configuration), its
   * pipelines looked up in {@code upstreams} by the names the configuration gives: every method runs on the
   * registry's one environment, and shares its upstream's breaker, budgets and limits with every other caller of
   * that upstream. A method that names no upstream is guarded by the default upstream's pipeline.
   *
   * @throws IllegalArgumentException if an upstream the configuration names is not registered, naming the ones
   *     that are
   */
  public static GrpcClientPolicy from(GrpcClientConfig config, UpstreamRegistry upstreams) {
    Builder builder = builder(upstreams.pipeline(config.defaultUpstream()))
        .deadlineSlack(config.slackFraction(), config.maxSlack());
    config.methods().forEach((target, method) -> {
      if (method.upstream() != null) {
        builder.pipeline(target, upstreams.pipeline(method.upstream()));
      }
      MethodConfig.MethodIdempotency declared = method.idempotency();
      if (declared != null) {
        switch (declared) {
          case IDEMPOTENT -> builder.idempotency(target, Idempotency.IDEMPOTENT);
          case NON_IDEMPOTENT -> builder.idempotency(target, Idempotency.NON_IDEMPOTENT);
          case KEYED -> builder.keyed(target);
        }
      }
      if (method.attemptTimeout() != null) {
        builder.attemptTimeout(target, method.attemptTimeout());
      }
    });
    return builder.build();
  }

  /** A builder whose methods without a pipeline of their own are guarded by {@code defaultPipeline}. */
  public static Builder builder(Pipeline defaultPipeline) {
    return new Builder(defaultPipeline);
  }

  /** The pipeline guarding {@code fullMethodName}. */
  public Pipeline pipeline(String fullMethodName) {
    return lookup(pipelines, fullMethodName, defaultPipeline);
  }

  /** The environment of the default pipeline, on whose ticker every pipeline of this policy runs. */
  public Environment environment() {
    return environment;
  }

  /** The ticker on which deadlines are read: the {@linkplain #environment() environment}'s. */
  public Ticker ticker() {
    return ticker;
  }

  /**
   * The slack to keep back from a deadline {@code remainingNanos} away: {@code min(fraction * remaining, max)},
   * zero when the deadline has passed.
   */
  public long slackNanos(long remainingNanos) {
    return slack.slackNanos(remainingNanos);
  }

  /**
   * Whether an attempt starting now is bound by its own attempt timeout rather than by {@code callDeadline} less
   * the slack: its deadline passing then ends that attempt only (a retryable attempt timeout), not the call.
   */
  boolean attemptTimeoutBinds(@Nullable Deadline callDeadline, MethodPlan plan) {
    long timeout = plan.attemptTimeoutNanos();
    if (timeout < 0) {
      return false;
    }
    if (callDeadline == null) {
      return true;
    }
    long remaining = callDeadline.remainingNanos();
    return timeout < remaining - slackNanos(remaining);
  }

  /** The deadline for one attempt, given the logical call's {@code callDeadline} (may be null) and its plan. */
  @Nullable Deadline attemptDeadline(@Nullable Deadline callDeadline, MethodPlan plan) {
    long timeout = plan.attemptTimeoutNanos();
    return Deadline.forChild(callDeadline, slack, timeout < 0 ? null : Duration.ofNanos(timeout), ticker);
  }

  /** What to do for {@code method}, resolved once per method name. */
  MethodPlan plan(MethodDescriptor<?, ?> method) {
    MethodPlan plan = plans.get(method.getFullMethodName());
    if (plan == null) {
      plan = plans.computeIfAbsent(method.getFullMethodName(), name -> resolve(method));
    }
    return plan;
  }

  private MethodPlan resolve(MethodDescriptor<?, ?> method) {
    String name = method.getFullMethodName();
    Declared declared = lookup(idempotency, name, Declared.NON_IDEMPOTENT);
    boolean isIdempotent = declaredIdempotent(method) || declared == Declared.IDEMPOTENT;
    long timeout = lookup(attemptTimeouts, name, -1L);
    return new MethodPlan(pipeline(name), isIdempotent ? Idempotency.IDEMPOTENT : Idempotency.NON_IDEMPOTENT,
        declared == Declared.KEYED, timeout);
  }

  /** The protobuf idempotency option, as the generated descriptor carries it. */
  static boolean declaredIdempotent(MethodDescriptor<?, ?> method) {
    if (method.isSafe() || method.isIdempotent()) {
      return true;
    }
    if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier) {
      var descriptor = supplier.getMethodDescriptor();
      if (descriptor != null) {
        IdempotencyLevel level = descriptor.getOptions().getIdempotencyLevel();
        return level == IdempotencyLevel.NO_SIDE_EFFECTS || level == IdempotencyLevel.IDEMPOTENT;
      }
    }
    return false;
  }

  private static <V> V lookup(Map<String, V> settings, String fullMethodName, V fallback) {
    V forMethod = settings.get(fullMethodName);
    if (forMethod != null) {
      return forMethod;
    }
    String service = MethodDescriptor.extractFullServiceName(fullMethodName);
    V forService = service == null ? null : settings.get(service);
    return forService != null ? forService : fallback;
  }

  @Override
  public String toString() {
    return "GrpcClientPolicy[default=" + defaultPipeline.upstream() + ", pipelines=" + pipelines.keySet()
        + ", idempotency=" + idempotency + ", attemptTimeouts=" + attemptTimeouts.keySet()
        + ", slack=" + slack.fraction() + " max " + slack.max() + "]";
  }

  /** What the policy says of a target's idempotency. */
  private enum Declared {
    IDEMPOTENT,
    NON_IDEMPOTENT,
    KEYED
  }

  /**
   * How one method is called.
   *
   * @param idempotency the method's idempotency, without a key
   * @param keyed whether the method is declared keyed: each logical call gets a fresh idempotency key
   * @param attemptTimeoutNanos the per-attempt timeout, or -1
   * @param outsideAnyCall the context of a call made outside any call, without a deadline or key: {@link
   *     CallContext#ROOT} with the method's idempotency, made once so such calls do not each derive it
   */
  record MethodPlan(Pipeline pipeline, Idempotency idempotency, boolean keyed, long attemptTimeoutNanos,
      CallContext outsideAnyCall) {

    MethodPlan(Pipeline pipeline, Idempotency idempotency, boolean keyed, long attemptTimeoutNanos) {
      this(pipeline, idempotency, keyed, attemptTimeoutNanos, CallContext.ROOT.withIdempotency(idempotency));
    }
  }

  /**
   * Builds a {@link GrpcClientPolicy}. A target is a service name ({@code pkg.Service}) or a full method name
   * ({@code pkg.Service/Method}); each setting may be given once per target, and each global option once.
   * Not thread-safe.
   */
  public static final class Builder {
    private final Pipeline defaultPipeline;
    private final Map<String, Pipeline> pipelines = new HashMap<>();
    private final Map<String, Declared> idempotency = new HashMap<>();
    private final Map<String, Long> attemptTimeouts = new HashMap<>();
    private DeadlineSlack slack = DeadlineSlack.DEFAULT;
    private boolean slackSet;

    private Builder(Pipeline defaultPipeline) {
      this.defaultPipeline = defaultPipeline;
    }

    /** Guards calls to {@code target} with {@code pipeline}. */
    public Builder pipeline(String target, Pipeline pipeline) {
      put(pipelines, "pipeline", target, pipeline);
      return this;
    }

    /** Guards calls to {@code method} with {@code pipeline}. */
    public Builder pipeline(MethodDescriptor<?, ?> method, Pipeline pipeline) {
      return pipeline(method.getFullMethodName(), pipeline);
    }

    /**
     * Declares {@code target} idempotent ({@link Idempotency#IDEMPOTENT}) or not ({@link Idempotency#NON_IDEMPOTENT})
     * where the proto does not say. Keys are per call, so an idempotency carrying a key is rejected: declare the
     * target {@link #keyed} instead. A target's idempotency is declared once, by this or by {@code keyed}.
     */
    public Builder idempotency(String target, Idempotency declared) {
      if (declared.key() != null) {
        throw Checks.invalidArgument("idempotency", declared,
            "IDEMPOTENT or NON_IDEMPOTENT without a key (for keys, declare the target keyed)");
      }
      put(idempotency, "idempotency", target, declared.idempotent() ? Declared.IDEMPOTENT : Declared.NON_IDEMPOTENT);
      return this;
    }

    /** Like {@link #idempotency(String, Idempotency)}, for {@code method}. */
    public Builder idempotency(MethodDescriptor<?, ?> method, Idempotency idempotency) {
      return idempotency(method.getFullMethodName(), idempotency);
    }

    /**
     * Bounds each attempt of unary calls to {@code target} to {@code timeout}, sent to the server as its gRPC
     * deadline (never later than the call's deadline minus the slack); an attempt it ends is retried like the
     * pipeline's own attempt timeout. Must be positive.
     */
    public Builder attemptTimeout(String target, Duration timeout) {
      put(attemptTimeouts, "attemptTimeout", target, Checks.saturatedNanos(Checks.checkPositive("timeout", timeout)));
      return this;
    }

    /** Like {@link #attemptTimeout(String, Duration)}, for {@code method}. */
    public Builder attemptTimeout(MethodDescriptor<?, ?> method, Duration timeout) {
      return attemptTimeout(method.getFullMethodName(), timeout);
    }

    /**
     * The share of a call's remaining time kept back from each attempt's deadline, at most {@code max}; default
     * {@value #DEFAULT_SLACK_FRACTION} and {@link #DEFAULT_MAX_SLACK}. {@code (0, ZERO)} hands the whole deadline
     * down.
     */
    public Builder deadlineSlack(double fraction, Duration max) {
      Checks.checkNotSet("deadlineSlack", slackSet);
      if (!(fraction >= 0 && fraction < 1)) {
        throw Checks.invalidArgument("fraction", fraction, "0 <= fraction < 1");
      }
      this.slack = DeadlineSlack.of(fraction, Checks.checkNotNegative("max", max));
      this.slackSet = true;
      return this;
    }

    /**
     * Declares that the server of {@code target} deduplicates on the idempotency key: each logical call then gets
     * a fresh key (the same on every attempt) and is retried on UNAVAILABLE and RESOURCE_EXHAUSTED even when the
     * request may have run, since the server answers a repeat from its record instead of running it again. Only
     * true when the server keeps the keys; without that, a retried mutation runs twice. A target's idempotency is
     * declared once, by this or by {@link #idempotency}.
     */
    public Builder keyed(String target) {
      put(idempotency, "idempotency", target, Declared.KEYED);
      return this;
    }

    /** Like {@link #keyed(String)}, for {@code method}. */
    public Builder keyed(MethodDescriptor<?, ?> method) {
      return keyed(method.getFullMethodName());
    }

    /**
     * The policy, on the default pipeline's environment.
     *
     * @throws IllegalArgumentException if a target's pipeline runs on another ticker than the default pipeline
     *     (deadlines on two tickers cannot be compared, so its calls would fail)
     */
    public GrpcClientPolicy build() {
      Ticker ticker = defaultPipeline.environment().ticker();
      for (Map.Entry<String, Pipeline> target : new TreeMap<>(pipelines).entrySet()) {
        Ticker other = target.getValue().environment().ticker();
        if (other != ticker) {
          throw Checks.invalidArgument("pipeline", "for " + target.getKey() + " on " + other,
              "a pipeline on the default pipeline's ticker (" + ticker + "): build every pipeline on one Environment");
        }
      }
      return new GrpcClientPolicy(this);
    }

    private static <V> void put(Map<String, V> settings, String option, String target, V value) {
      Args.checkTarget(target);
      if (settings.putIfAbsent(target, value) != null) {
        throw new IllegalStateException(option + " for " + target + " was already set (expected: once per target)");
      }
    }
  }
}
