package dev.blastwall.grpc.balance;

import static dev.blastwall.grpc.balance.Cluster.HELLO;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.Idempotency;
import dev.blastwall.grpc.BlastwallChannels;
import dev.blastwall.grpc.GrpcClientPolicy;
import dev.blastwall.grpc.balance.Cluster.Backend;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.LoadBalancerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Blastwall load balancers, resolvers and health checks, on real Netty servers on 127.0.0.1. */
@Timeout(60)
class LoadBalancingTest {

  private final Cluster cluster = new Cluster();
  private final ExecutorService clients = Executors.newFixedThreadPool(8);
  private final java.util.Queue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();

  @AfterEach
  void stop() throws InterruptedException {
    clients.shutdownNow();
    clients.awaitTermination(5, TimeUnit.SECONDS);
    cluster.close();
  }

  private ManagedChannel channel(String target, String policy, Map<String, ?> config) {
    return cluster.track(Cluster.builder(target, policy, config).build());
  }

  private static EchoGrpc.EchoBlockingStub stub(ManagedChannel channel) {
    return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(10));
  }

  /** Calls until every backend answered at least once (all subchannels READY), at most {@code 200} calls. */
  private static void warmUp(EchoGrpc.EchoBlockingStub stub, Backend... backends) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200 && seen.size() < backends.length; i++) {
      seen.add(stub.get(HELLO).getServer());
    }
    assertThat(seen).hasSize(backends.length);
    for (Backend backend : backends) {
      backend.calls.set(0);
    }
  }

  /** {@code calls} Get calls, {@code concurrency} at a time; returns how many failed. */
  private int run(EchoGrpc.EchoBlockingStub stub, int calls, int concurrency, Runnable atHalf) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      workers.add(clients.submit(() -> {
        for (int i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
          if (i == calls / 2) {
            atHalf.run();
          }
          try {
            stub.withDeadlineAfter(Duration.ofSeconds(10)).get(HELLO);
          } catch (StatusRuntimeException e) {
            failed.incrementAndGet();
            failures.add(e.getStatus().toString());
          }
        }
      }));
    }
    for (Future<?> worker : workers) {
      worker.get(30, TimeUnit.SECONDS);
    }
    return failed.get();
  }

  @Test
  void everyPolicyIsRegisteredUnderItsBlastwallName() {
    for (String name : List.of(BlastwallBalancing.ROUND_ROBIN, BlastwallBalancing.WEIGHTED_ROUND_ROBIN,
        BlastwallBalancing.LEAST_REQUEST, BlastwallBalancing.P2C, BlastwallBalancing.PEAK_EWMA,
        BlastwallBalancing.RING_HASH)) {
      assertThat(LoadBalancerRegistry.getDefaultRegistry().getProvider(name)).as(name).isNotNull();
    }
    ConfigOrError bad = new BlastwallLoadBalancerProvider.P2c()
        .parseLoadBalancingPolicyConfig(Map.of("outlierDetection", Map.of("interval", "ten seconds")));
    assertThat(bad.getError()).isNotNull().extracting(Status::getCode).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  private void awayFromTheSlowBackend(String policy) throws Exception {
    Backend fast1 = cluster.start("fast1");
    Backend fast2 = cluster.start("fast2");
    Backend slow = cluster.start("slow");
    fast1.delayMillis = 3;
    fast2.delayMillis = 3;
    slow.delayMillis = 30;
    EchoGrpc.EchoBlockingStub stub = stub(channel(Cluster.staticTarget(fast1, fast2, slow), policy, Map.of()));
    warmUp(stub, fast1, fast2, slow);

    int failed = run(stub, 300, 8, () -> {});

    assertThat(failed).isZero();
    int total = fast1.calls.get() + fast2.calls.get() + slow.calls.get();
    assertThat(total).isEqualTo(300);
    assertThat(slow.calls.get()).as("calls to the slow backend").isLessThanOrEqualTo(60);
  }

  @Test
  void p2c_sendsAtLeast80PercentAwayFromA10xSlowerBackend() throws Exception {
    awayFromTheSlowBackend(BlastwallBalancing.P2C);
  }

  @Test
  void peakEwma_sendsAtLeast80PercentAwayFromA10xSlowerBackend() throws Exception {
    awayFromTheSlowBackend(BlastwallBalancing.PEAK_EWMA);
  }

  @Test
  void roundRobin_spreadsEvenly() {
    Backend a = cluster.start("a");
    Backend b = cluster.start("b");
    Backend c = cluster.start("c");
    EchoGrpc.EchoBlockingStub stub =
        stub(channel(Cluster.staticTarget(a, b, c), BlastwallBalancing.ROUND_ROBIN, Map.of()));
    warmUp(stub, a, b, c);

    for (int i = 0; i < 300; i++) {
      stub.get(HELLO);
    }

    assertThat(List.of(a.calls.get(), b.calls.get(), c.calls.get())).allSatisfy(n -> assertThat(n).isBetween(99, 101));
  }

  @Test
  void leastRequestAndWeightedRoundRobin_serveFromEveryBackend() {
    Backend a = cluster.start("a");
    Backend b = cluster.start("b");
    for (String policy : List.of(BlastwallBalancing.LEAST_REQUEST, BlastwallBalancing.WEIGHTED_ROUND_ROBIN)) {
      EchoGrpc.EchoBlockingStub stub = stub(channel(Cluster.staticTarget(a, b), policy, Map.of()));
      warmUp(stub, a, b);
    }
  }

  @Test
  void ringHash_keepsAKeyOnOneBackend_fromTheCallOptionOrTheHeader() {
    Backend a = cluster.start("a");
    Backend b = cluster.start("b");
    Backend c = cluster.start("c");
    ManagedChannel channel = channel(Cluster.staticTarget(a, b, c), BlastwallBalancing.RING_HASH, Map.of());
    warmUp(stub(channel), a, b, c);

    Map<String, Set<String>> serversByKey = new HashMap<>();
    for (int k = 0; k < 30; k++) {
      String key = "user-" + k;
      for (int i = 0; i < 10; i++) {
        EchoReply reply = stub(channel).withOption(BlastwallBalancing.REQUEST_KEY, key).get(HELLO);
        serversByKey.computeIfAbsent(key, x -> new HashSet<>()).add(reply.getServer());
      }
    }
    assertThat(serversByKey.values()).allSatisfy(servers -> assertThat(servers).hasSize(1));
    Set<String> used = new HashSet<>();
    serversByKey.values().forEach(used::addAll);
    assertThat(used).as("30 keys spread over more than one backend").hasSizeGreaterThan(1);

    Metadata headers = new Metadata();
    headers.put(BlastwallBalancing.REQUEST_KEY_HEADER, "user-7");
    EchoGrpc.EchoBlockingStub byHeader =
        stub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    for (int i = 0; i < 10; i++) {
      assertThat(serversByKey.get("user-7")).containsExactly(byHeader.get(HELLO).getServer());
    }
  }

  @Test
  void killedBackend_withRetryingInterceptor_noCallFails_andSiblingsServeTheRest() throws Exception {
    Backend a = cluster.start("a");
    Backend b = cluster.start("b");
    Backend victim = cluster.start("victim");
    Pipeline pipeline = Pipeline.builder("balanced")
        .retry(RetryPolicy.builder().maxAttempts(4).backoff(Backoff.constant(Duration.ofMillis(5))).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    ManagedChannel channel = cluster.track(BlastwallChannels.configure(
            Cluster.builder(Cluster.staticTarget(a, b, victim), BlastwallBalancing.P2C, Map.of()),
            GrpcClientPolicy.builder(pipeline).build())
        .build());
    EchoGrpc.EchoBlockingStub stub = stub(channel);
    warmUp(stub, a, b, victim);
    a.delayMillis = 2;
    b.delayMillis = 2;
    victim.delayMillis = 2;
    CompletableFuture<Integer> victimCallsAtKill = new CompletableFuture<>();

    int failed = run(stub, 300, 4, () -> {
      victim.kill();
      victimCallsAtKill.complete(victim.calls.get());
    });

    assertThat(failed).as("failed calls: %s", failures).isZero();
    assertThat(victimCallsAtKill.get(1, TimeUnit.SECONDS)).isPositive();
    int before = a.calls.get() + b.calls.get();
    for (int i = 0; i < 50; i++) {
      stub.get(HELLO);
    }
    assertThat(a.calls.get() + b.calls.get()).isEqualTo(before + 50);
  }

  @Test
  void consecutiveFailures_ejectTheBackend_whichReturnsAfterItsEjectionTime() {
    Backend a = cluster.start("a");
    Backend b = cluster.start("b");
    Backend bad = cluster.start("bad");
    Map<String, ?> config = Map.of("outlierDetection",
        Map.of("consecutiveFailures", 5.0, "baseEjectionTime", "1s", "interval", "0.1s"));
    EchoGrpc.EchoBlockingStub stub =
        stub(channel(Cluster.staticTarget(a, b, bad), BlastwallBalancing.ROUND_ROBIN, config));
    warmUp(stub, a, b, bad);
    bad.failure = Status.INTERNAL.withDescription("broken");

    int failures = 0;
    for (int i = 0; i < 100 && failures < 5; i++) {
      try {
        stub.get(HELLO);
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        failures++;
      }
    }
    long ejectedAt = System.nanoTime();
    assertThat(failures).isEqualTo(5);
    bad.failure = null;
    int badCalls = bad.calls.get();

    // Ejected: the next calls all go to the others (30 fast calls take far less than the 1 s ejection).
    for (int i = 0; i < 30; i++) {
      stub.get(HELLO);
    }
    long ejectedFor = System.nanoTime() - ejectedAt;
    if (ejectedFor < TimeUnit.MILLISECONDS.toNanos(900)) {
      assertThat(bad.calls.get()).as("calls to the ejected backend").isEqualTo(badCalls);
    }

    // Back after its ejection time: calls reach it again, within a bounded number of calls and seconds.
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (bad.calls.get() == badCalls && System.nanoTime() - limit < 0) {
      stub.get(HELLO);
    }
    assertThat(bad.calls.get()).as("calls to the returned backend").isGreaterThan(badCalls);
    assertThat(System.nanoTime() - ejectedAt).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(900));
  }

  @Test
  void attemptTimeouts_ejectABackendThatNeverAnswers_whileRetriesServeFromTheOthers() {
    Backend a = cluster.start("a");
    Backend b = cluster.start("b");
    Backend hung = cluster.start("hung");
    Pipeline pipeline = Pipeline.builder("balanced").idempotency(Idempotency.IDEMPOTENT)
        .attemptTimeout(Duration.ofMillis(100))
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    Map<String, ?> config = Map.of("outlierDetection",
        Map.of("consecutiveFailures", 3.0, "baseEjectionTime", "30s", "interval", "0.1s"));
    ManagedChannel channel = cluster.track(BlastwallChannels.configure(
            Cluster.builder(Cluster.staticTarget(a, b, hung), BlastwallBalancing.ROUND_ROBIN, config),
            GrpcClientPolicy.builder(pipeline).build())
        .build());
    EchoGrpc.EchoBlockingStub stub = stub(channel);
    warmUp(stub, a, b, hung);
    // Accepts calls and never answers within any attempt's time: what a blackholed or hung replica looks like.
    hung.delayMillis = 60_000;

    // Every call succeeds (a retry lands on a sibling); the third timed-out attempt at the hung backend ejects it.
    for (int i = 0; i < 12; i++) {
      assertThat(stub.get(HELLO).getServer()).isIn("a", "b");
    }
    // 3, or 4 if a pick raced the ejection (it is applied on the channel's synchronization context).
    int beforeEjection = hung.calls.get();
    assertThat(beforeEjection).as("attempts the hung backend got before its ejection").isBetween(3, 4);

    for (int i = 0; i < 30; i++) {
      assertThat(stub.get(HELLO).getServer()).isIn("a", "b");
    }
    assertThat(hung.calls.get()).as("attempts after the ejection").isEqualTo(beforeEjection);
  }

  @Test
  void healthChecks_takeANotServingBackendOutOfPicks_andBackWhenServing() {
    Backend a = cluster.start("a");
    Backend b = cluster.start("b");
    Map<String, ?> config = Map.of("healthCheck", Map.of("serviceName", "", "interval", "0.05s"));
    EchoGrpc.EchoBlockingStub stub =
        stub(channel(Cluster.staticTarget(a, b), BlastwallBalancing.ROUND_ROBIN, config));
    warmUp(stub, a, b);

    b.health.setStatus("", ServingStatus.NOT_SERVING);
    assertThat(callsUntil(stub, () -> streakWithout(stub, b, 20))).isTrue();

    b.health.setStatus("", ServingStatus.SERVING);
    int before = b.calls.get();
    assertThat(callsUntil(stub, () -> b.calls.get() > before)).isTrue();
  }

  /** Whether the next {@code n} calls all avoid {@code backend}. */
  private static boolean streakWithout(EchoGrpc.EchoBlockingStub stub, Backend backend, int n) {
    int before = backend.calls.get();
    for (int i = 0; i < n; i++) {
      stub.get(HELLO);
    }
    return backend.calls.get() == before;
  }

  /** Makes calls until {@code condition} holds, for at most 10 s. */
  private static boolean callsUntil(EchoGrpc.EchoBlockingStub stub, java.util.function.BooleanSupplier condition) {
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() - limit < 0) {
      if (condition.getAsBoolean()) {
        return true;
      }
      stub.get(HELLO);
    }
    return false;
  }

  @Test
  void fileResolver_picksUpAMovedEndpoint(@TempDir Path dir) throws Exception {
    Backend old = cluster.start("old");
    Backend moved = cluster.start("moved");
    Path file = dir.resolve("endpoints.txt");
    Files.writeString(file, "# the orders service\n" + old.address() + "\n", StandardCharsets.UTF_8);
    EchoGrpc.EchoBlockingStub stub = stub(channel(
        "blastwall-file://" + file.toUri().getRawPath() + "?poll_ms=50", BlastwallBalancing.ROUND_ROBIN, Map.of()));
    assertThat(stub.get(HELLO).getServer()).isEqualTo("old");

    Files.writeString(file, moved.address() + "\n", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));

    assertThat(callsUntil(stub, () -> moved.calls.get() > 0)).isTrue();
    int oldCalls = old.calls.get();
    for (int i = 0; i < 20; i++) {
      assertThat(stub.get(HELLO).getServer()).isEqualTo("moved");
    }
    assertThat(old.calls.get()).isEqualTo(oldCalls);
  }
}
