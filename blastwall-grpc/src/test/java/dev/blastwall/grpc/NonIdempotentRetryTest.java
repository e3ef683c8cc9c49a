package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.blastwall.context.CallContext;
import dev.blastwall.event.BlastwallEvent;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.server.Admission;
import dev.blastwall.server.Permit;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A method that is not idempotent, with the defaults (not declared keyed): never retried once the request may have
 * been sent, since nothing says its server deduplicates; retried when the request certainly did not run. Declared
 * keyed, the same failures are retried.
 */
@Timeout(30)
class NonIdempotentRetryTest {

  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();

  private final Servers servers = new Servers();
  private final EchoServer echo = new EchoServer("echo");
  private @Nullable Server ownServer;

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
    Server server = ownServer;
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Pipeline.Builder pipeline(Duration backoff) {
    return Pipeline.builder("echo")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(backoff)).build())
        .retryBudget(RetryBudget.unlimited());
  }

  private static GrpcClientPolicy defaults() {
    return GrpcClientPolicy.builder(pipeline(Duration.ofMillis(5)).build()).build();
  }

  private static GrpcClientPolicy keyed() {
    return GrpcClientPolicy.builder(pipeline(Duration.ofMillis(5)).build()).keyed(EchoGrpc.getEchoMethod()).build();
  }

  /** One Echo call through a forwarder that resets the connection once the server has run the handler. */
  private @Nullable StatusRuntimeException echoResetAfterRunning(GrpcClientPolicy policy) throws Exception {
    Server server = servers.start(echo, BlastwallServerInterceptor.create());
    echo.hangFirst(1); // the handler runs (and is counted), then holds its answer
    try (TcpForwarder forwarder = new TcpForwarder(server.getPort())) {
      EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(servers.channel(forwarder.target(), policy))
          .withDeadlineAfter(Duration.ofSeconds(10));
      CompletableFuture<@Nullable StatusRuntimeException> outcome = CompletableFuture.supplyAsync(() -> {
        try {
          stub.echo(HELLO);
          return null;
        } catch (StatusRuntimeException e) {
          return e;
        }
      });
      assertThat(echo.reached.await(10, TimeUnit.SECONDS)).as("the server ran it").isTrue();
      forwarder.resetAll();
      return outcome.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void connectionResetAfterTheServerRanIt_defaults_isNotRetried_andRunsExactlyOnce() throws Exception {
    StatusRuntimeException failure = Objects.requireNonNull(echoResetAfterRunning(defaults()), "call failed");

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(echo.seen("Echo")).as("executions").hasSize(1);
    assertThat(echo.seen("Echo").get(0).key()).as("no key: nothing promises dedup").isNull();
  }

  @Test
  void connectionResetAfterTheServerRanIt_declaredKeyed_isRetriedWithTheSameKey() throws Exception {
    StatusRuntimeException failure = echoResetAfterRunning(keyed());

    assertThat(failure).isNull();
    List<EchoServer.Seen> seen = echo.seen("Echo");
    assertThat(seen).extracting(EchoServer.Seen::attempt).containsExactly(1, 2);
    assertThat(seen.get(0).key()).isNotNull();
    assertThat(seen).extracting(EchoServer.Seen::key).containsOnly(seen.get(0).key());
  }

  @Test
  void unavailableAfterTheServerRanIt_defaults_isNotRetried_andRunsExactlyOnce() {
    Server server = servers.start(echo, BlastwallServerInterceptor.create());
    echo.script.add(Status.UNAVAILABLE.withDescription("ran, then failed").asRuntimeException());
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(servers.channel(server, defaults()))
        .withDeadlineAfter(Duration.ofSeconds(10));

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, () -> stub.echo(HELLO));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(failure.getStatus().getDescription()).isEqualTo("ran, then failed");
    assertThat(echo.seen("Echo")).as("executions").hasSize(1);
  }

  @Test
  void noServerListening_theRequestNeverLeft_soItIsRetried_andRunsOnceTheServerIsUp() throws Exception {
    int port = freePort();
    CompletableFuture<Void> firstAttemptFailed = new CompletableFuture<>();
    // Longer than grpc-java's first reconnect backoff (1 s, jittered by 20%), so attempt 2 finds the server.
    Pipeline pipeline = pipeline(Duration.ofMillis(2500)).listener(event -> {
      if (event instanceof BlastwallEvent.AttemptFailed failed && failed.attempt() == 1) {
        firstAttemptFailed.complete(null);
      }
    }).build();
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(servers.channel("127.0.0.1:" + port,
        GrpcClientPolicy.builder(pipeline).build())).withDeadlineAfter(Duration.ofSeconds(15));

    CompletableFuture<EchoReply> reply = CompletableFuture.supplyAsync(() -> stub.echo(HELLO));
    firstAttemptFailed.get(10, TimeUnit.SECONDS);
    ownServer = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
            InsecureServerCredentials.create())
        .addService(ServerInterceptors.intercept(echo, BlastwallServerInterceptor.create()))
        .build()
        .start();

    assertThat(reply.get(15, TimeUnit.SECONDS).getText()).isEqualTo("hello");
    assertThat(echo.seen("Echo")).extracting(EchoServer.Seen::attempt).containsExactly(2);
  }

  @Test
  void overloadRejectionBeforeTheHandlerRan_isRetriedAfterThePushback_andRunsOnce() {
    AtomicInteger admissions = new AtomicInteger();
    Admission shedFirst = new Admission() {
      @Override
      public @Nullable Permit tryAdmit(CallContext context) {
        return admissions.getAndIncrement() == 0 ? null : Admission.ALWAYS.tryAdmit(context);
      }

      @Override
      public OverloadedException rejection(CallContext context) {
        return new OverloadedException("echo", "admission", "shed for the test", Duration.ofMillis(20).toNanos(),
            "shed");
      }
    };
    Server server = servers.start(echo, BlastwallServerInterceptor.builder().admission(shedFirst).build());
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(servers.channel(server, defaults()))
        .withDeadlineAfter(Duration.ofSeconds(10));

    assertThat(stub.echo(HELLO).getText()).isEqualTo("hello");
    assertThat(admissions.get()).isEqualTo(2);
    assertThat(echo.seen("Echo")).extracting(EchoServer.Seen::attempt).containsExactly(2);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
