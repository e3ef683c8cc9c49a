package dev.blastwall.lab.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.load.IntervalStats;
import dev.blastwall.lab.load.Outcome;
import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Real runs of a gateway and its backends on loopback: accounting, amplification, degradation, hangs. */
class LabRunnerTest {

  private static final long SEED = 42;

  @Test
  void withoutFaultsEveryUserRequestReachesTheBackendOnceAndTheCountsAddUp() {
    Duration duration = Duration.ofSeconds(2);
    LabPlan plan = Plans.plan(Plans.gatewayToBackend(), duration, List.of(), BlastwallSetup.defaults());
    AtomicInteger seconds = new AtomicInteger();

    ModeRun run = LabRunner.run(plan, Mode.BLASTWALL, SEED, (second, total, entry, inflight) -> {
      assertThat(total).isEqualTo(2);
      seconds.incrementAndGet();
    });

    IntervalStats user = run.user().overall();
    assertThat(user.userRequests()).isBetween(150L, 250L);
    assertThat(user.successRate()).isGreaterThan(0.99);
    assertThat(amplification(run, "backend")).isBetween(0.98, 1.02);
    assertThat(count(run, "gateway.arrivals")).isEqualTo(user.userRequests());
    assertAddsUp(run, "gateway");
    assertAddsUp(run, "backend");
    assertThat(points(run, "backend")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(seconds.get()).isEqualTo(points(run, "gateway").size());
    assertThat(run.userInflight()).hasSize(points(run, "gateway").size());
    assertThat(count(run, "backend.committed")).isEqualTo(count(run, "backend.completed"));
    assertThat(run.health().offered()).isEqualTo(user.offered());
  }

  @Test
  void halfTheCallsFailingMultipliesNaiveRequestsButNotBlastwallOnes() {
    Duration duration = Duration.ofSeconds(2);
    List<ScheduledFault> faults =
        Plans.throughout("backend", duration, new FaultSpec.Errors(0.5, "UNAVAILABLE"));
    // The default budget's floor (5 retries/s over its 10 s window: 50 retries up front) would dominate a 2 s run,
    // and a breaker opening at 50% failures would hide the retries: the ratio alone, and a breaker that stays shut.
    BlastwallSetup setup = new BlastwallSetup(3, Duration.ofMillis(10), Duration.ofMillis(200), 0.1, 0, 0.9, 20,
        Duration.ofSeconds(1), Duration.ofSeconds(4), Map.of(), Set.of(), Map.of(), true);
    LabPlan plan = Plans.plan(Plans.gatewayToBackend(), duration, faults, setup);

    ModeRun naive = LabRunner.run(plan, Mode.NAIVE, SEED, RunProgress.NONE);
    ModeRun blastwall = LabRunner.run(plan, Mode.BLASTWALL, SEED, RunProgress.NONE);

    // Naive: 3 immediate retries of each failure, 1 + 0.5 + 0.25 + 0.125 = 1.875 requests per user request.
    assertThat(amplification(naive, "backend")).isBetween(1.7, 2.05);
    assertThat(count(naive, "gateway.retries")).isPositive();
    // Blastwall: retries are at most 10% of the requests in the budget's window (warm-up and run, ~400 here).
    assertThat(amplification(blastwall, "backend")).isBetween(1.05, 1.25);
    assertThat(blastwall.breakerChanges()).isEmpty();
    assertThat(sum(blastwall, "gateway", ServicePoint::retries)).isEqualTo(count(blastwall, "gateway.retries"));
    assertAddsUp(naive, "backend");
    assertAddsUp(blastwall, "backend");
    assertAddsUp(blastwall, "gateway");
  }

  @Test
  void aFailingOptionalCallDegradesTheAnswerAndAFailingRequiredOneFailsIt() {
    Topology topology = Topology.of(
        Plans.service("gateway").call(Dependency.optional("extras")).call(Dependency.required("backend")).build(),
        Plans.service("extras").build(),
        Plans.service("backend").build());
    Duration duration = Duration.ofSeconds(2);
    List<ScheduledFault> faults = new ArrayList<>();
    faults.add(new ScheduledFault("extras", Duration.ZERO, Duration.ofSeconds(1),
        new FaultSpec.Errors(1, "UNAVAILABLE")));
    faults.add(new ScheduledFault("backend", Duration.ofSeconds(1), Duration.ofSeconds(5),
        new FaultSpec.Errors(1, "INTERNAL")));
    LabPlan plan = Plans.plan(topology, duration, faults, BlastwallSetup.defaults());

    ModeRun run = LabRunner.run(plan, Mode.BLASTWALL, SEED, RunProgress.NONE);

    IntervalStats user = run.user().overall();
    assertThat(user.count(Outcome.Kind.DEGRADED)).isGreaterThan(user.userRequests() / 4);
    assertThat(user.count(Outcome.Kind.ERROR)).isGreaterThan(user.userRequests() / 4);
    assertThat(user.errorsByKind()).containsKey("INTERNAL");
    // The backend's failure is not retried by the gateway (INTERNAL may have run), and never above it.
    assertThat(count(run, "backend.arrivals")).isLessThanOrEqualTo(count(run, "gateway.arrivals"));
    assertAddsUp(run, "gateway");
    assertAddsUp(run, "extras");
  }

  @Test
  void aHangingOptionalBackendIsCutByTheAttemptTimeoutAndAnsweredDegradedInTime() {
    // Enough workers that the gateway is not overloaded by the hung calls it waits out before its breaker opens.
    Topology topology = Topology.of(
        Plans.service("gateway").capacity(32, 64).call(Dependency.optional("backend")).build(),
        Plans.service("backend").build());
    Duration duration = Duration.ofSeconds(2);
    BlastwallSetup setup = BlastwallSetup.defaults()
        .withAttemptTimeout("backend", Duration.ofMillis(50))
        .withBreaker(0.5, 10, Duration.ofSeconds(1), Duration.ofSeconds(4));
    LabPlan plan = Plans.plan(topology, duration, Plans.throughout("backend", duration, new FaultSpec.Hang()), setup);

    ModeRun run = LabRunner.run(plan, Mode.BLASTWALL, SEED, RunProgress.NONE);

    IntervalStats user = run.user().overall();
    assertThat(user.successRate()).isGreaterThan(0.95);
    assertThat(user.degradedRate()).isGreaterThan(0.95);
    assertThat(user.maxMillis()).isLessThan((double) Plans.SLO.toMillis());
    // The backend held every call until its caller gave up on it, then dropped it.
    assertThat(count(run, "backend.completed")).isZero();
    assertThat(count(run, "backend.inflight_at_end")).isZero();
    assertThat(run.breakerChanges()).extracting(BreakerChange::to).contains("OPEN");
    assertAddsUp(run, "backend");
    assertAddsUp(run, "gateway");
  }

  private static double amplification(ModeRun run, String service) {
    return (double) count(run, service + ".arrivals") / (double) run.user().overall().userRequests();
  }

  private static long count(ModeRun run, String name) {
    Long count = run.counters().get(name);
    assertThat(count).as("counter %s", name).isNotNull();
    return count == null ? -1 : count;
  }

  private static List<ServicePoint> points(ModeRun run, String service) {
    List<ServicePoint> points = run.services().get(service);
    assertThat(points).as("points of %s", service).isNotNull();
    return points == null ? List.of() : points;
  }

  /** Every request that arrived left exactly once, or is still inside. */
  private static void assertAddsUp(ModeRun run, String service) {
    long in = count(run, service + ".arrivals") + count(run, service + ".inflight_at_start");
    long out = count(run, service + ".completed") + count(run, service + ".failed")
        + count(run, service + ".shed") + count(run, service + ".inflight_at_end");
    assertThat(out).as("%s: completed + failed + shed + in flight at the end", service).isEqualTo(in);
    List<ServicePoint> points = points(run, service);
    assertThat(sum(run, service, ServicePoint::arrivals)).isEqualTo(count(run, service + ".arrivals"));
    assertThat(points.stream().mapToLong(p -> p.completed() + p.failed() + p.shed()).sum())
        .isEqualTo(count(run, service + ".completed") + count(run, service + ".failed")
            + count(run, service + ".shed"));
  }

  private static long sum(ModeRun run, String service, java.util.function.ToLongFunction<ServicePoint> figure) {
    return points(run, service).stream().mapToLong(figure).sum();
  }
}
