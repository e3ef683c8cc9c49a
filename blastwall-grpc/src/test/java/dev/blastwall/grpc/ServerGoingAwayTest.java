package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.util.concurrent.ListenableFuture;
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
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A CANCELLED that this client did not ask for is the server going away (UNAVAILABLE to the retry policy); one the
 * application or Blastwall asked for stays CANCELLED and final.
 */
@Timeout(30)
class ServerGoingAwayTest {

  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();

  private final Servers servers = new Servers();
  private final EchoServer echo = new EchoServer("echo");
  private Server server;
  private Pipeline pipeline;

  @BeforeEach
  void start() {
    server = servers.start(echo, BlastwallServerInterceptor.create());
    pipeline = Pipeline.builder("echo")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(5))).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
  }

  private EchoGrpc.EchoBlockingStub stub(GrpcClientPolicy policy) {
    return EchoGrpc.newBlockingStub(servers.channel(server, policy)).withDeadlineAfter(Duration.ofSeconds(10));
  }

  private void serverCancelsOnce() {
    echo.script.add(Status.CANCELLED.withDescription("server going away").asRuntimeException());
  }

  @Test
  void cancelledByTheServer_idempotentMethod_isRetried() {
    serverCancelsOnce();

    EchoReply reply = stub(GrpcClientPolicy.builder(pipeline).build()).get(HELLO);

    assertThat(reply.getText()).isEqualTo("hello");
    assertThat(echo.seen("Get")).extracting(EchoServer.Seen::attempt).containsExactly(1, 2);
  }

  @Test
  void cancelledByTheServer_keyedMethod_isRetried() {
    serverCancelsOnce();

    stub(GrpcClientPolicy.builder(pipeline).keyed(EchoGrpc.getEchoMethod()).build()).echo(HELLO);

    assertThat(echo.seen("Echo")).extracting(EchoServer.Seen::attempt).containsExactly(1, 2);
  }

  @Test
  void cancelledByTheServer_methodThatMayNotRepeat_isNotRetried_andReachesTheApplicationAsUnavailable() {
    serverCancelsOnce();

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub(GrpcClientPolicy.builder(pipeline).build()).echo(HELLO));

    // Not CANCELLED: the application cancelled nothing, and must not take this for its own cancellation.
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(failure.getStatus().getDescription()).contains("did not ask for").contains("server going away");
    assertThat(echo.seen("Echo")).hasSize(1);
  }

  @Test
  void cancelledByTheApplication_staysCancelled_andIsNotRetried() throws Exception {
    echo.hang();
    EchoGrpc.EchoFutureStub stub = EchoGrpc.newFutureStub(servers.channel(server,
        GrpcClientPolicy.builder(pipeline).build()));

    ListenableFuture<EchoReply> reply = stub.get(HELLO);
    assertThat(echo.reached.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(reply.cancel(/* mayInterruptIfRunning= */ true)).isTrue();

    assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
    assertThat(echo.cancelled.await(5, TimeUnit.SECONDS)).as("cancelled on the server").isTrue();
    assertThat(echo.seen("Get")).hasSize(1);
  }
}
