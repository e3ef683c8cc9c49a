package dev.blastwall.grpc.balance;

import static dev.blastwall.grpc.balance.Cluster.HELLO;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.grpc.BlastwallChannels;
import dev.blastwall.grpc.GrpcClientPolicy;
import dev.blastwall.grpc.balance.Cluster.Backend;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hung replica cut only by the gRPC policy's attempt timeout (the attempt's gRPC deadline, not the pipeline's
 * cancellation) counts against its endpoint and is ejected, while the retries serve from the others.
 */
@Timeout(60)
class AttemptDeadlineEjectionTest {

  private final Cluster cluster = new Cluster();

  @AfterEach
  void stop() throws InterruptedException {
    cluster.close();
  }

  @Test
  void policyAttemptTimeouts_ejectABackendThatNeverAnswers_whileRetriesServeFromTheOthers() {
    Backend a = cluster.start("a");
    Backend b = cluster.start("b");
    Backend hung = cluster.start("hung");
    // Warm the process first on a channel without attempt timeouts: a cold JVM's first calls can be slow, and on the
    // channel under test a slow answer counts against a healthy backend. Ejecting one would use up the one ejection
    // three backends allow and keep the hung backend in rotation; hence also the generous attempt timeout.
    EchoGrpc.EchoBlockingStub plain = EchoGrpc.newBlockingStub(cluster.track(
        Cluster.builder(Cluster.staticTarget(a, b, hung), BlastwallBalancing.ROUND_ROBIN, Map.of()).build()));
    for (int i = 0; i < 30; i++) {
      plain.withDeadlineAfter(Duration.ofSeconds(10)).get(HELLO);
    }
    Pipeline pipeline = Pipeline.builder("balanced")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    GrpcClientPolicy policy = GrpcClientPolicy.builder(pipeline)
        .attemptTimeout("blastwall.test.Echo", Duration.ofMillis(500))
        .build();
    Map<String, ?> config = Map.of("outlierDetection",
        Map.of("consecutiveFailures", 3.0, "baseEjectionTime", "30s", "interval", "0.1s"));
    ManagedChannel channel = cluster.track(BlastwallChannels.configure(
            Cluster.builder(Cluster.staticTarget(a, b, hung), BlastwallBalancing.ROUND_ROBIN, config), policy)
        .build());
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200 && seen.size() < 3; i++) {
      seen.add(stub.withDeadlineAfter(Duration.ofSeconds(10)).get(HELLO).getServer());
    }
    assertThat(seen).as("every backend ready").hasSize(3);
    hung.calls.set(0);
    // Accepts calls and never answers within any attempt's time: what a blackholed or hung replica looks like.
    hung.delayMillis = 60_000;

    // Every call succeeds (a retry lands on a sibling); the third timed-out attempt at the hung backend ejects it.
    for (int i = 0; i < 12; i++) {
      assertThat(stub.withDeadlineAfter(Duration.ofSeconds(10)).get(HELLO).getServer()).isIn("a", "b");
    }
    // 3, or 4 if a pick raced the ejection (it is applied on the channel's synchronization context).
    int beforeEjection = hung.calls.get();
    assertThat(beforeEjection).as("attempts the hung backend got before its ejection").isBetween(3, 4);

    for (int i = 0; i < 30; i++) {
      assertThat(stub.withDeadlineAfter(Duration.ofSeconds(10)).get(HELLO).getServer()).isIn("a", "b");
    }
    assertThat(hung.calls.get()).as("attempts after the ejection").isEqualTo(beforeEjection);
  }
}
