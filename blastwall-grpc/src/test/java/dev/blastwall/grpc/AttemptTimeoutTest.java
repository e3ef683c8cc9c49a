package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The policy's per-method attempt timeout ({@link GrpcClientPolicy.Builder#attemptTimeout}) ends one attempt, not the
 * call: while the call's deadline has time left, the attempt's DEADLINE_EXCEEDED is a retryable attempt timeout.
 */
@Timeout(30)
class AttemptTimeoutTest {

  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(200);

  private final Servers servers = new Servers();
  private final EchoServer echo = new EchoServer("echo");
  private Server server;

  @BeforeEach
  void start() {
    server = servers.start(echo, BlastwallServerInterceptor.create());
  }

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
  }

  /** 3 attempts at once after a failure, and {@link #ATTEMPT_TIMEOUT} for each attempt of the Echo service. */
  private static GrpcClientPolicy.Builder policy() {
    Pipeline pipeline = Pipeline.builder("echo")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    return GrpcClientPolicy.builder(pipeline).attemptTimeout("blastwall.test.Echo", ATTEMPT_TIMEOUT);
  }

  @Test
  void firstAttemptHangs_theAttemptTimeoutRetries_andAttempt2Answers() throws Exception {
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(servers.channel(server, policy().build()))
        .withDeadlineAfter(Duration.ofSeconds(5));
    stub.get(HELLO); // connected, so the attempt timeout measures the server alone
    echo.seen.clear();
    echo.hangFirst(1);
    long start = System.nanoTime();

    EchoReply reply = stub.withDeadlineAfter(Duration.ofSeconds(5)).get(HELLO);

    assertThat(reply.getText()).isEqualTo("hello");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(ATTEMPT_TIMEOUT).isLessThan(Duration.ofSeconds(3));
    assertThat(echo.seen("Get")).extracting(EchoServer.Seen::attempt).containsExactly(1, 2);
    assertThat(echo.cancelled.await(5, TimeUnit.SECONDS)).as("the timed-out attempt ends on the server").isTrue();
    // Each attempt's gRPC deadline is its own timeout, not the call's 5 s.
    assertThat(echo.seen("Get")).allSatisfy(seen -> assertThat(Duration.ofNanos(seen.grpcRemainingNanos()))
        .isLessThanOrEqualTo(ATTEMPT_TIMEOUT));
  }

  @Test
  void coldChannel_firstCallsFirstAttemptHangs_theCallIsRetried_andAnswers() {
    echo.hangFirst(1);
    // A new channel: its first call also resolves the name and connects, which may take attempt 1's whole time.
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(servers.channel(server, policy().build()))
        .withDeadlineAfter(Duration.ofSeconds(5));

    EchoReply reply = stub.get(HELLO);

    assertThat(reply.getText()).isEqualTo("hello");
    assertThat(echo.seen("Get")).as("the hung attempt, then the one that answered").hasSizeBetween(2, 3);
  }

  @Test
  void everyAttemptHangs_theCallFailsAfterThreeAttempts_asADeadlineExceeded() {
    echo.hang();
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(servers.channel(server, policy().build()))
        .withDeadlineAfter(Duration.ofSeconds(5));

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, () -> stub.get(HELLO));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(failure.getStatus().getDescription()).contains("gave up after 3 attempts");
    assertThat(echo.seen("Get")).hasSize(3);
  }

  @Test
  void theCallsOwnDeadlinePassing_staysDeadlineExceeded_andIsNotRetried() {
    // The call's deadline (300 ms) comes before the attempt timeout (2 s): the call is over when it passes.
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(servers.channel(server,
            GrpcClientPolicy.builder(Pipeline.builder("echo")
                    .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
                    .retryBudget(RetryBudget.unlimited()).build())
                .attemptTimeout("blastwall.test.Echo", Duration.ofSeconds(2)).build()))
        .withDeadlineAfter(Duration.ofSeconds(5));
    stub.get(HELLO); // connected first: a cold connect could take the whole 300 ms
    echo.seen.clear();
    echo.hang();

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.withDeadlineAfter(Duration.ofMillis(300)).get(HELLO));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(failure.getStatus().getDescription()).doesNotContain("gave up after");
    assertThat(echo.seen("Get")).hasSize(1);
  }
}
