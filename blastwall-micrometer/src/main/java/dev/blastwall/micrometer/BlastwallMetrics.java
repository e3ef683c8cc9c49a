package dev.blastwall.micrometer;

import dev.blastwall.event.Subscription;
import dev.blastwall.limit.ConcurrencyLimiter;
import dev.blastwall.limit.PartitionedLimiter;
import dev.blastwall.micrometer.internal.OwnedMeters;
import dev.blastwall.micrometer.internal.ServerMeters;
import dev.blastwall.micrometer.internal.UpstreamMeters;
import dev.blastwall.overload.AdmissionController;
import dev.blastwall.overload.BoundedWorkQueue;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.registry.UpstreamRegistry;
import dev.blastwall.server.Admission;
import dev.blastwall.server.ServerCallGuard;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Binds Blastwall's policies to a Micrometer {@link MeterRegistry}: per upstream, its calls by outcome and their
 * latency, attempts by kind, budgets, breaker, bulkhead and rate limiter; on the server side, admission, adaptive
 * limits and work queues. Every meter is listed in {@code docs/observability.md}; its names are {@link MeterNames}.
 *
 * <pre>{@code
 * UpstreamRegistry upstreams = UpstreamRegistry.fromConfig(properties, Environment.system());
 * MetricsBinding metrics = BlastwallMetrics.bind(upstreams, meterRegistry);   // every upstream, now and later
 * MetricsBinding admission = BlastwallMetrics.bind(admissionController, meterRegistry);
 * ...
 * metrics.close();   // observers and listeners off, meters removed
 * }</pre>
 *
 * <p>Binding costs nothing on a call's path until bound. Bound, a pipeline keeps its fast path (the binder is a
 * {@link dev.blastwall.event.CallObserver}, not an event listener): a call adds to a {@code LongAdder}, which
 * the counters read when scraped, and one call in {@link #DEFAULT_TIMED_EVERY} (or as bound) is timed into the
 * duration timer and its percentiles. Calls already running when a pipeline is bound are not counted (a call
 * looks as it starts whether anyone observes it). One upstream, and one server-side
 * policy, can be bound to a meter registry once at a time: two bindings would count into the same meters, and
 * closing one would remove the other's.
 */
public final class BlastwallMetrics {

  /**
   * One call in how many is timed by default: the calls are all counted, but timing one costs a clock reading
   * and two records, several times what counting it does, so the duration timer and its percentiles are fed from
   * a random sample (at 100 calls a second, about 190 a minute for the p99).
   */
  public static final int DEFAULT_TIMED_EVERY = 32;

  /** The sparsest sampling {@code timedEvery} may ask for. */
  public static final int MAX_TIMED_EVERY = 1024;

  // Serializes the "bound already?" check with the registration that follows it.
  private static final ReentrantLock BINDING = new ReentrantLock();

  private BlastwallMetrics() {}

  /**
   * Binds every pipeline of {@code upstreams}: those registered now and those registered later, until closed.
   *
   * @throws IllegalStateException if one of its upstreams is bound to {@code registry} already (nothing stays
   *     bound); for an upstream registered later, its registration throws it
   */
  public static MetricsBinding bind(UpstreamRegistry upstreams, MeterRegistry registry) {
    return bind(upstreams, registry, DEFAULT_TIMED_EVERY);
  }

  /**
   * Like {@link #bind(UpstreamRegistry, MeterRegistry)}, timing one call in {@code timedEvery} (1 times every
   * call: exact latencies, at the cost of a clock reading and two records per call).
   *
   * @throws IllegalArgumentException if {@code timedEvery} is not a power of two from 1 to
   *     {@value #MAX_TIMED_EVERY}
   */
  public static MetricsBinding bind(UpstreamRegistry upstreams, MeterRegistry registry, int timedEvery) {
    checkTimedEvery(timedEvery);
    OwnedMeters meters = new OwnedMeters(registry);
    List<Subscription> pipelines = new CopyOnWriteArrayList<>();
    Subscription watching;
    try {
      watching = upstreams.forEachPipeline(pipeline -> pipelines.add(bindPipeline(pipeline, meters, timedEvery)));
    } catch (RuntimeException refused) {
      unbind(pipelines, meters);
      throw refused;
    }
    return new MetricsBinding(upstreams.toString(), () -> {
      watching.close();
      unbind(pipelines, meters);
    });
  }

  /**
   * Binds one pipeline (and its circuit breaker).
   *
   * @throws IllegalStateException if its upstream is bound to {@code registry} already
   */
  public static MetricsBinding bind(Pipeline pipeline, MeterRegistry registry) {
    return bind(pipeline, registry, DEFAULT_TIMED_EVERY);
  }

  /**
   * Like {@link #bind(Pipeline, MeterRegistry)}, timing one call in {@code timedEvery}.
   *
   * @throws IllegalArgumentException if {@code timedEvery} is not a power of two from 1 to
   *     {@value #MAX_TIMED_EVERY}
   */
  public static MetricsBinding bind(Pipeline pipeline, MeterRegistry registry, int timedEvery) {
    checkTimedEvery(timedEvery);
    OwnedMeters meters = new OwnedMeters(registry);
    Subscription calls = bindPipeline(pipeline, meters, timedEvery);
    return new MetricsBinding(pipeline.upstream(), () -> {
      calls.close();
      meters.removeAll();
    });
  }

  /**
   * Binds a server's admission controller: requests in flight, capacity, admitted and shed per criticality.
   *
   * @throws IllegalStateException if an admission controller of that name is bound to {@code registry} already
   */
  public static MetricsBinding bind(AdmissionController admission, MeterRegistry registry) {
    return bindServer(admission.name(), MeterNames.ADMISSION_CAPACITY, registry,
        meters -> ServerMeters.admission(admission, meters));
  }

  /**
   * Binds the admission a server's {@link ServerCallGuard} asks: an {@link AdmissionController} as
   * {@link #bind(AdmissionController, MeterRegistry)} does, a {@link ConcurrencyLimiter} or a
   * {@link PartitionedLimiter} as a concurrency limiter (its limit and requests in flight).
   *
   * @throws IllegalArgumentException if the guard admits everything, or asks an admission of another kind (an
   *     application's own: it has no numbers this binder knows how to read)
   * @throws IllegalStateException if an admission of that name is bound to {@code registry} already
   */
  public static MetricsBinding bind(ServerCallGuard guard, MeterRegistry registry) {
    Admission admission = guard.admission();
    return switch (admission) {
      case AdmissionController controller -> bind(controller, registry);
      case ConcurrencyLimiter limiter -> bind(limiter, registry);
      case PartitionedLimiter<?> partitioned -> bindServer(partitioned.name(), MeterNames.CONCURRENCY_LIMIT,
          registry, meters -> ServerMeters.partitioned(partitioned, meters));
      default -> throw new IllegalArgumentException("guard: " + guard + " (expected: a guard asking an "
          + "AdmissionController, a ConcurrencyLimiter or a PartitionedLimiter)");
    };
  }

  /**
   * Binds a concurrency limiter: its current (adaptive) limit and the requests in flight.
   *
   * @throws IllegalStateException if a concurrency limiter of that name is bound to {@code registry} already
   */
  public static MetricsBinding bind(ConcurrencyLimiter limiter, MeterRegistry registry) {
    return bindServer(limiter.name(), MeterNames.CONCURRENCY_LIMIT, registry,
        meters -> ServerMeters.concurrency(limiter, meters));
  }

  /**
   * Binds a work queue: size, capacity, requests accepted and served, and refused or dropped by reason.
   *
   * @throws IllegalStateException if a queue of that name is bound to {@code registry} already
   */
  public static MetricsBinding bind(BoundedWorkQueue<?> queue, MeterRegistry registry) {
    return bindServer(queue.name(), MeterNames.QUEUE_CAPACITY, registry, meters -> ServerMeters.queue(queue, meters));
  }

  private static void checkTimedEvery(int timedEvery) {
    if (timedEvery < 1 || timedEvery > MAX_TIMED_EVERY || Integer.bitCount(timedEvery) != 1) {
      throw new IllegalArgumentException("timedEvery: " + timedEvery + " (expected: a power of two from 1 to "
          + MAX_TIMED_EVERY + ")");
    }
  }

  private static Subscription bindPipeline(Pipeline pipeline, OwnedMeters meters, int timedEvery) {
    BINDING.lock();
    try {
      checkUnbound(meters.registry(), MeterNames.CALLS, MeterNames.UPSTREAM, pipeline.upstream(), "upstream");
      return UpstreamMeters.bind(pipeline, meters, timedEvery);
    } finally {
      BINDING.unlock();
    }
  }

  private static MetricsBinding bindServer(String name, String marker, MeterRegistry registry,
      Consumer<OwnedMeters> register) {
    OwnedMeters meters = new OwnedMeters(registry);
    BINDING.lock();
    try {
      checkUnbound(registry, marker, MeterNames.NAME, name, "name");
      register.accept(meters);
    } finally {
      BINDING.unlock();
    }
    return new MetricsBinding(name, meters::removeAll);
  }

  /** Refuses a second binding: it would count into the first one's meters, and closing either remove both's. */
  private static void checkUnbound(MeterRegistry registry, String marker, String tag, String value, String what) {
    if (registry.find(marker).tag(tag, value).meter() != null) {
      throw new IllegalStateException(what + ": \"" + value + "\" (expected: not bound to this meter registry yet; "
          + "close the binding that has it first)");
    }
  }

  private static void unbind(List<Subscription> pipelines, OwnedMeters meters) {
    for (Subscription pipeline : pipelines) {
      pipeline.close();
    }
    meters.removeAll();
  }
}
