package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.util.concurrent.ListenableFuture;
import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three services in a row, client -> A -> B -> C, each a real server whose handler calls the next one through a
 * Blastwall channel: deadlines shrink hop by hop, cancellation reaches the end, and only one layer retries.
 */
@Timeout(30)
class RelayTest {

  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();
  private static final Duration SLACK = GrpcClientPolicy.DEFAULT_MAX_SLACK;

  private final Servers servers = new Servers();
  private final EchoServer a = new EchoServer("A");
  private final EchoServer b = new EchoServer("B");
  private final EchoServer c = new EchoServer("C");

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
  }

  private static Pipeline oneAttempt(String upstream) {
    return Pipeline.builder(upstream).build();
  }

  private static Pipeline threeAttempts(String upstream) {
    return Pipeline.builder(upstream)
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(2))).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
  }

  /** Starts C, then B relaying to C, then A relaying to B; returns the client's channel to A. */
  private io.grpc.Channel chain(Pipeline aToB, Pipeline bToC, Pipeline clientToA) {
    Server serverC = servers.start(c, BlastwallServerInterceptor.create());
    b.relayTo(EchoGrpc.newBlockingStub(servers.channel(serverC, GrpcClientPolicy.builder(bToC).build())));
    Server serverB = servers.start(b, BlastwallServerInterceptor.create());
    a.relayTo(EchoGrpc.newBlockingStub(servers.channel(serverB, GrpcClientPolicy.builder(aToB).build())));
    Server serverA = servers.start(a, BlastwallServerInterceptor.create());
    return servers.channel(serverA, GrpcClientPolicy.builder(clientToA).build());
  }

  @Test
  void deadline_shrinksAtEveryHop_byAtLeastEachCallersSlack() throws Exception {
    io.grpc.Channel channel = chain(oneAttempt("b"), oneAttempt("c"), oneAttempt("a"));
    EchoGrpc.EchoBlockingStub client = EchoGrpc.newBlockingStub(channel);

    EchoReply reply = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofSeconds(1)))
        .call(() -> client.get(HELLO));

    assertThat(reply.getServer()).isEqualTo("A>B>C");
    long atA = a.seen.get(0).remainingNanos();
    long atB = b.seen.get(0).remainingNanos();
    long atC = c.seen.get(0).remainingNanos();
    assertThat(atA).isLessThanOrEqualTo(Duration.ofSeconds(1).minus(SLACK).toNanos());
    assertThat(atB).isLessThan(atA);
    assertThat(atC).isLessThan(atB);
    // Every hop in between kept its slack (all deadlines here are long enough for the 50 ms cap to apply).
    assertThat(atB).isLessThanOrEqualTo(atA - SLACK.toNanos());
    assertThat(atC).isLessThanOrEqualTo(atA - 2 * SLACK.toNanos());
    // gRPC's own deadline at C is the one Blastwall's context carries.
    assertThat(c.seen.get(0).grpcRemainingNanos()).isLessThanOrEqualTo(atB - SLACK.toNanos());
  }

  @Test
  void clientCancels_theLastHopsContextIsCancelled() throws Exception {
    c.hang();
    io.grpc.Channel channel = chain(oneAttempt("b"), oneAttempt("c"), oneAttempt("a"));
    EchoGrpc.EchoFutureStub client = EchoGrpc.newFutureStub(channel);

    ListenableFuture<EchoReply> call = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofSeconds(10)))
        .call(() -> client.get(HELLO));
    assertThat(c.reached.await(5, TimeUnit.SECONDS)).as("C's handler started").isTrue();
    call.cancel(/* mayInterruptIfRunning= */ true);

    assertThat(c.cancelled.await(5, TimeUnit.SECONDS)).as("C's CallContext cancelled").isTrue();
  }

  @Test
  void clientDeadlinePasses_theLastHopsContextIsCancelled_andTheClientSeesDeadlineExceeded() throws Exception {
    c.hang();
    io.grpc.Channel channel = chain(oneAttempt("b"), oneAttempt("c"), oneAttempt("a"));
    EchoGrpc.EchoFutureStub client = EchoGrpc.newFutureStub(channel);

    ListenableFuture<EchoReply> call = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofMillis(300)))
        .call(() -> client.get(HELLO));

    assertThat(c.cancelled.await(5, TimeUnit.SECONDS)).as("C's CallContext cancelled").isTrue();
    ExecutionException failure = catchThrowableOfType(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
    assertThat(Status.fromThrowable(failure).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
  }

  @Test
  void retryStorm_onlyTheLayerAboveTheFailureRetries_3AttemptsAtC_not9() {
    c.failAlways(Status.UNAVAILABLE.withDescription("C is down"));
    io.grpc.Channel channel = chain(threeAttempts("b"), threeAttempts("c"), oneAttempt("a"));

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(10)).get(HELLO));

    assertThat(c.handled.get()).as("attempts at C").isEqualTo(3);
    assertThat(b.handled.get()).as("attempts at B").isEqualTo(1);
    assertThat(a.handled.get()).as("attempts at A").isEqualTo(1);
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(BlastwallMetadata.hasDoNotRetry(failure.getTrailers())).isTrue();
  }

  @Test
  void retryStorm_control_withoutTheMarkBothLayersRetry_9AttemptsAtC() {
    c.failAlways(Status.UNAVAILABLE.withDescription("C is down"));
    b.stripMarkWhenRelaying();
    io.grpc.Channel channel = chain(threeAttempts("b"), threeAttempts("c"), oneAttempt("a"));

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(10)).get(HELLO));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(b.handled.get()).as("attempts at B").isEqualTo(3);
    assertThat(c.handled.get()).as("attempts at C").isEqualTo(9);
  }

  @Test
  void callerForbidsRetries_noLayerBelowRetries_andEveryHopIsTold() throws Exception {
    c.failAlways(Status.UNAVAILABLE);
    io.grpc.Channel channel = chain(threeAttempts("b"), threeAttempts("c"), threeAttempts("a"));
    EchoGrpc.EchoBlockingStub client = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(10));

    StatusRuntimeException failure = CallContext.ROOT.withDoNotRetry(true)
        .call(() -> catchThrowableOfType(StatusRuntimeException.class, () -> client.get(HELLO)));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(c.handled.get()).isEqualTo(1);
    assertThat(a.seen.get(0).doNotRetry()).isTrue();
    assertThat(c.seen.get(0).doNotRetry()).isTrue();
  }
}
