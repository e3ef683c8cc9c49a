package dev.blastwall.bench;

import dev.blastwall.micrometer.BlastwallMetrics;
import dev.blastwall.micrometer.MetricsBinding;
import dev.blastwall.pipeline.Pipeline;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What metrics cost: the full chain (retry + budget, breaker, rate limiter, bulkhead) on the success path, side by
 * side unbound ({@code blastwall}), bound with {@code blastwall-micrometer} to a {@link SimpleMeterRegistry}
 * ({@code blastwallMicrometer}) and to a {@link PrometheusMeterRegistry} ({@code blastwallPrometheus}), both
 * timing the default sample of calls, bound to a Prometheus registry timing every call
 * ({@code blastwallPrometheusTimedAll}), and bound once and unbound again ({@code blastwallUnbound}), which must
 * cost what {@code blastwall} does, allocation included. {@code blastwallListened} has an event listener that does
 * nothing: what core's events cost (the general path that builds them, and the events), which a binder, being a
 * call observer, does not pay. Each variant has a pipeline of its own, so a binding never reaches another
 * variant's calls.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MetricsBench {

  final Pipeline unbound = Policies.chain().build();
  final Pipeline simple = Policies.chain().build();
  final Pipeline prometheus = Policies.chain().build();
  final Pipeline prometheusTimedAll = Policies.chain().build();
  final Pipeline unboundAgain = Policies.chain().build();
  final Pipeline listened = Policies.chain().listener(event -> {}).build();
  private final SimpleMeterRegistry simpleRegistry = new SimpleMeterRegistry();
  private final PrometheusMeterRegistry prometheusRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final PrometheusMeterRegistry timedAllRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private List<MetricsBinding> bindings = List.of();

  /** Binds the two bound variants, binds and unbinds the last, and checks every variant returns the payload. */
  @Setup(Level.Trial)
  public void bind() {
    bindings = List.of(BlastwallMetrics.bind(simple, simpleRegistry),
        BlastwallMetrics.bind(prometheus, prometheusRegistry),
        BlastwallMetrics.bind(prometheusTimedAll, timedAllRegistry, /* timedEvery= */ 1));
    BlastwallMetrics.bind(unboundAgain, new SimpleMeterRegistry()).close();
    Check.returnsValue(this::blastwall, this::blastwallMicrometer, this::blastwallPrometheus,
        this::blastwallPrometheusTimedAll, this::blastwallUnbound, this::blastwallListened);
  }

  @TearDown(Level.Trial)
  public void unbind() {
    bindings.forEach(MetricsBinding::close);
    prometheusRegistry.close();
    timedAllRegistry.close();
  }

  @Benchmark
  public String blastwall() throws Exception {
    return unbound.call(Payload.TASK);
  }

  @Benchmark
  public String blastwallMicrometer() throws Exception {
    return simple.call(Payload.TASK);
  }

  @Benchmark
  public String blastwallPrometheus() throws Exception {
    return prometheus.call(Payload.TASK);
  }

  @Benchmark
  public String blastwallPrometheusTimedAll() throws Exception {
    return prometheusTimedAll.call(Payload.TASK);
  }

  @Benchmark
  public String blastwallUnbound() throws Exception {
    return unboundAgain.call(Payload.TASK);
  }

  @Benchmark
  public String blastwallListened() throws Exception {
    return listened.call(Payload.TASK);
  }
}
