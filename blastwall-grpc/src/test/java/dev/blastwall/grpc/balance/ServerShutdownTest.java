package dev.blastwall.grpc.balance;

import static dev.blastwall.grpc.balance.Cluster.HELLO;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.grpc.BlastwallChannels;
import dev.blastwall.grpc.GrpcClientPolicy;
import dev.blastwall.grpc.balance.Cluster.Backend;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A replica stopped with {@code shutdownNow()} resets its calls in flight: the client sees CANCELLED although it
 * cancelled nothing. Blastwall reads that as the server going away, so repeatable calls (idempotent, or declared
 * keyed) go to the sibling and none fails.
 */
@Timeout(60)
class ServerShutdownTest {

  private static final int CALLS = 600;
  private static final int CONCURRENCY = 8;

  private final Cluster cluster = new Cluster();
  private final ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY);
  private final Queue<String> failures = new ConcurrentLinkedQueue<>();

  @AfterEach
  void stop() throws InterruptedException {
    clients.shutdownNow();
    clients.awaitTermination(5, TimeUnit.SECONDS);
    cluster.close();
  }

  /** Two replicas behind the Blastwall balancer, answering in 5 ms; the channel's Echo is declared keyed. */
  private EchoGrpc.EchoBlockingStub stubOver(Backend a, Backend b) {
    Pipeline pipeline = Pipeline.builder("replicas")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(5))).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    ManagedChannel channel = cluster.track(BlastwallChannels.configure(
            Cluster.builder(Cluster.staticTarget(a, b), BlastwallBalancing.ROUND_ROBIN, Map.of()),
            GrpcClientPolicy.builder(pipeline).keyed("blastwall.test.Echo/Echo").build())
        .build());
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100 && seen.size() < 2; i++) {
      seen.add(stub.withDeadlineAfter(Duration.ofSeconds(10)).get(HELLO).getServer());
    }
    assertThat(seen).as("both replicas ready").hasSize(2);
    a.delayMillis = 5;
    b.delayMillis = 5;
    return stub;
  }

  /** {@link #CALLS} calls, {@link #CONCURRENCY} at a time, stopping {@code victim} at once halfway; failures. */
  private int runStoppingHalfway(Backend victim, BiConsumer<EchoGrpc.EchoBlockingStub, EchoRequest> call,
      EchoGrpc.EchoBlockingStub stub) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < CONCURRENCY; w++) {
      workers.add(clients.submit(() -> {
        for (int i = next.getAndIncrement(); i < CALLS; i = next.getAndIncrement()) {
          if (i == CALLS / 2) {
            victim.stopNow();
          }
          try {
            call.accept(stub.withDeadlineAfter(Duration.ofSeconds(10)), HELLO);
          } catch (StatusRuntimeException e) {
            failed.incrementAndGet();
            failures.add(e.getStatus().toString());
          }
        }
      }));
    }
    for (Future<?> worker : workers) {
      worker.get(45, TimeUnit.SECONDS);
    }
    return failed.get();
  }

  @Test
  void shutdownNowOfOneReplica_idempotentCalls_noneFails() throws Exception {
    Backend a = cluster.start("a");
    Backend victim = cluster.start("victim");
    EchoGrpc.EchoBlockingStub stub = stubOver(a, victim);

    int failed = runStoppingHalfway(victim, EchoGrpc.EchoBlockingStub::get, stub);

    assertThat(failed).as("failed calls: %s", failures).isZero();
    assertThat(a.calls.get()).as("the sibling served the rest").isGreaterThanOrEqualTo(CALLS / 2);
  }

  @Test
  void shutdownNowOfOneReplica_keyedCalls_noneFails() throws Exception {
    Backend a = cluster.start("a");
    Backend victim = cluster.start("victim");
    EchoGrpc.EchoBlockingStub stub = stubOver(a, victim);

    int failed = runStoppingHalfway(victim, EchoGrpc.EchoBlockingStub::echo, stub);

    assertThat(failed).as("failed calls: %s", failures).isZero();
  }
}
