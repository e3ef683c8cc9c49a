package dev.blastwall.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.limit.ConcurrencyLimiter;
import dev.blastwall.limit.Limit;
import dev.blastwall.limit.PartitionedLimiter;
import dev.blastwall.overload.AdmissionController;
import dev.blastwall.overload.BoundedWorkQueue;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.registry.UpstreamRegistry;
import dev.blastwall.server.ServerCallGuard;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import dev.blastwall.time.Environment;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Binding and unbinding: closing takes the listeners off and the meters out; one binding per name and registry. */
class BindingTest {

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final Remote remote = new Remote(scheduler);
  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private Pipeline.Builder pipeline(String upstream) {
    return Pipeline.builder(upstream).ticker(ticker).scheduler(scheduler);
  }

  private Pipeline breakerPipeline(String upstream) {
    return pipeline(upstream).circuitBreaker(CircuitBreaker.builder(upstream).ticker(ticker).countWindow(1)
        .minimumCalls(1).build()).build();
  }

  private static List<String> blastwallMeters(MeterRegistry registry) {
    return registry.getMeters().stream().map(Meter::getId).map(Meter.Id::getName)
        .filter(name -> name.startsWith("blastwall.")).toList();
  }

  private static FunctionCounter counter(MeterRegistry registry, String name, String tag, String value) {
    return registry.get(name).tag(tag, value).functionCounter();
  }

  @Test
  void closingRemovesEveryMeterAndTheListenersStopCounting() throws Exception {
    UpstreamRegistry upstreams = new UpstreamRegistry(Environment.system().withTicker(ticker)).register("payments", breakerPipeline("payments"));
    Pipeline payments = upstreams.pipeline("payments");
    MetricsBinding binding = BlastwallMetrics.bind(upstreams, prometheus);
    remote.answers(10).answers(10).fails(10, FailureKind.UNAVAILABLE);
    payments.call(remote::call);
    FunctionCounter successes = counter(prometheus, MeterNames.CALLS, MeterNames.OUTCOME, "success");
    Counter opened = prometheus.get(MeterNames.BREAKER_TRANSITIONS).tag(MeterNames.STATE, "open").counter();
    assertThat(blastwallMeters(prometheus)).isNotEmpty();

    binding.close();
    payments.call(remote::call);
    assertThatThrownBy(() -> payments.call(remote::call)).isInstanceOf(RemoteFailure.class);
    upstreams.register("search", pipeline("search").build());

    assertThat(blastwallMeters(prometheus)).isEmpty();
    assertThat(prometheus.scrape()).doesNotContain("blastwall_");
    assertThat(successes.count()).as("the pipeline's observer is off").isEqualTo(1);
    assertThat(payments.circuitBreaker()).extracting(CircuitBreaker::state).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(opened.count()).as("the breaker's listener is off").isZero();
    assertThat(binding.isClosed()).isTrue();
    binding.close();
  }

  @Test
  void anUpstreamBoundAgainAfterClosingStartsFromZero() throws Exception {
    Pipeline inventory = pipeline("inventory").build();
    remote.answers(10).answers(10);
    BlastwallMetrics.bind(inventory, prometheus).close();

    MetricsBinding again = BlastwallMetrics.bind(inventory, prometheus);
    inventory.call(remote::call);

    assertThat(counter(prometheus, MeterNames.CALLS, MeterNames.OUTCOME, "success").count()).isEqualTo(1);
    assertThat(again).hasToString("MetricsBinding[inventory]");
  }

  @Test
  void anUpstreamCannotBeBoundTwiceToOneRegistryAndAFailedBindLeavesNothingBound() {
    BlastwallMetrics.bind(pipeline("payments").build(), prometheus);
    UpstreamRegistry upstreams = new UpstreamRegistry(Environment.system().withTicker(ticker)).register("inventory", pipeline("inventory").build())
        .register("payments", pipeline("payments").build());

    assertThatThrownBy(() -> BlastwallMetrics.bind(upstreams, prometheus))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("upstream: \"payments\" (expected: not bound to this meter registry yet; close the binding that "
            + "has it first)");
    assertThat(prometheus.find(MeterNames.CALLS).tag(MeterNames.UPSTREAM, "inventory").meters())
        .as("inventory, bound before payments was refused, is unbound again").isEmpty();
  }

  @Test
  void anUpstreamRegisteredLaterThatIsBoundAlreadyFailsItsRegistration() {
    UpstreamRegistry upstreams = new UpstreamRegistry(Environment.system().withTicker(ticker));
    BlastwallMetrics.bind(upstreams, prometheus);
    BlastwallMetrics.bind(pipeline("ads").build(), prometheus);

    assertThatThrownBy(() -> upstreams.register("ads", pipeline("ads").build()))
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("upstream: \"ads\"");
  }

  @Test
  void serverSidePoliciesUnbindAndRefuseASecondBindingOfTheirName() {
    AdmissionController admission = AdmissionController.builder("api", 4).build();
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder("api", Limit.fixed(2)).ticker(ticker).build();
    BoundedWorkQueue<String> queue = BoundedWorkQueue.<String>builder("api", 2, (item, refusal) -> {})
        .ticker(ticker).build();
    List<MetricsBinding> bindings = List.of(BlastwallMetrics.bind(admission, prometheus),
        BlastwallMetrics.bind(limiter, prometheus), BlastwallMetrics.bind(queue, prometheus));
    assertThat(admission.tryAdmit(Criticality.CRITICAL)).isTrue();
    assertThat(prometheus.get(MeterNames.ADMISSION_IN_FLIGHT).gauge().value()).isEqualTo(1);

    assertThatThrownBy(() -> BlastwallMetrics.bind(AdmissionController.builder("api", 1).build(), prometheus))
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("name: \"api\"");
    bindings.forEach(MetricsBinding::close);

    assertThat(blastwallMeters(prometheus)).isEmpty();
  }

  @Test
  void thePercentileGaugesAreThereOnAnyRegistryOncePerPercentile() throws Exception {
    SimpleMeterRegistry simple = new SimpleMeterRegistry();
    Pipeline inventory = pipeline("inventory").build();
    MetricsBinding binding = BlastwallMetrics.bind(inventory, simple, /* timedEvery= */ 1);
    remote.answers(40);

    inventory.call(remote::call);

    List<Gauge> percentiles = List.copyOf(simple.find(MeterNames.CALL_DURATION_PERCENTILE).gauges());
    assertThat(percentiles).extracting(gauge -> gauge.getId().getTag(MeterNames.PHI))
        .containsExactlyInAnyOrder("0.5", "0.99");
    assertThat(percentiles).allSatisfy(gauge -> assertThat(gauge.value()).isBetween(0.040, 0.0407));
    binding.close();
    assertThat(blastwallMeters(simple)).isEmpty();
  }

  @Test
  void aCallStillRunningWhenTheBindingClosesIsNotCountedAndAddsNoMeter() {
    Pipeline search = pipeline("search").build();
    MetricsBinding binding = BlastwallMetrics.bind(search, prometheus);
    remote.answers(100);
    var answer = search.callAsync(remote::callAsync);

    binding.close();
    scheduler.advance(Duration.ofMillis(100));

    assertThat(answer).isCompletedWithValue("ok");
    assertThat(blastwallMeters(prometheus)).isEmpty();
  }

  @Test
  void everyCallIsCountedAndASampleOfThemTimed() throws Exception {
    Pipeline inventory = pipeline("inventory").build();
    var unused = BlastwallMetrics.bind(inventory, prometheus, /* timedEvery= */ 4);
    for (int i = 0; i < 4000; i++) {
      remote.answers(1);
      inventory.call(remote::call);
    }

    assertThat(counter(prometheus, MeterNames.CALLS, MeterNames.OUTCOME, "success").count()).isEqualTo(4000);
    assertThat(counter(prometheus, MeterNames.ATTEMPTS, MeterNames.KIND, "original").count()).isEqualTo(4000);
    // A random quarter: 1000 expected, and 800 or 1200 over 12 standard deviations away.
    assertThat(prometheus.get(MeterNames.CALL_DURATION).timer().count()).isBetween(800L, 1200L);
  }

  @Test
  void aTimingSampleThatIsNotAPowerOfTwoIsRefused() {
    Pipeline inventory = pipeline("inventory").build();

    assertThatThrownBy(() -> BlastwallMetrics.bind(inventory, prometheus, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timedEvery: 3 (expected: a power of two from 1 to 1024)");
    assertThatThrownBy(() -> BlastwallMetrics.bind(inventory, prometheus, 2048))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("timedEvery: 2048 ");
    assertThat(blastwallMeters(prometheus)).isEmpty();
  }

  @Test
  void aServerCallGuardIsBoundByTheAdmissionItAsks() {
    AdmissionController admission = AdmissionController.builder("api", 4).build();
    PartitionedLimiter<String> partitioned = PartitionedLimiter.<String>builder("tenants", Limit.fixed(3))
        .share("gold", 50).ticker(ticker).build();
    List<MetricsBinding> bindings = List.of(BlastwallMetrics.bind(ServerCallGuard.of(admission), prometheus),
        BlastwallMetrics.bind(ServerCallGuard.of(partitioned), prometheus));

    assertThat(ServerCallGuard.of(admission).enter(CallContext.ROOT).admitted()).isTrue();
    assertThat(prometheus.get(MeterNames.ADMISSION_IN_FLIGHT).tag(MeterNames.NAME, "api").gauge().value())
        .isEqualTo(1);
    assertThat(prometheus.get(MeterNames.CONCURRENCY_LIMIT).tag(MeterNames.NAME, "tenants").gauge().value())
        .isEqualTo(3);
    assertThatThrownBy(() -> BlastwallMetrics.bind(ServerCallGuard.expiryOnly(), prometheus))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("guard: ServerCallGuard[")
        .hasMessageEndingWith("(expected: a guard asking an AdmissionController, a ConcurrencyLimiter or a "
            + "PartitionedLimiter)");
    bindings.forEach(MetricsBinding::close);

    assertThat(blastwallMeters(prometheus)).isEmpty();
  }
}
