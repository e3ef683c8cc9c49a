package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The upstream hazard of docs/grpc.md ("A grpc-timeout that kills the connection"): grpc-java's Netty server turns
 * a malformed {@code grpc-timeout} into an HTTP/2 stream error whose message is the parse error's, used as a
 * format string; a value with a conversion such as {@code %d} makes that throw, and Netty answers with GOAWAY,
 * ending every call on the connection. It happens before any server interceptor runs, so Blastwall's cannot stop
 * it. These tests pin today's behaviour, so that the grpc-java upgrade that fixes it is noticed.
 */
@Timeout(30)
class GrpcTimeoutHazardTest {

  private static final String ECHO = "/blastwall.test.Echo/Echo";
  private static final byte[] HELLO = EchoRequest.newBuilder().setText("hello").build().toByteArray();
  private static final long INTERNAL_ERROR = 2;
  private static final String WHEN_FIXED = "grpc-java no longer kills the connection for a grpc-timeout with a format"
      + " specifier: the upgrade fixed the hazard. Say from which version in docs/grpc.md (\"A grpc-timeout that"
      + " kills the connection\") and turn this test around: only the bad stream is reset, the innocent call lives.";

  private final Servers servers = new Servers();
  private final EchoServer echo = new EchoServer("echo").hangFirst(1);
  private final AtomicInteger intercepted = new AtomicInteger();

  /** Counts the calls that reached the interceptors at all. */
  private final ServerInterceptor counter = new ServerInterceptor() {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
        ServerCallHandler<ReqT, RespT> next) {
      intercepted.incrementAndGet();
      return next.startCall(call, headers);
    }
  };

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
  }

  private Server server() {
    return servers.start(echo, BlastwallServerInterceptor.create(), counter);
  }

  @Test
  void grpcTimeoutWithAFormatSpecifier_killsTheWholeConnection_beforeAnyInterceptorRuns() throws Exception {
    Server server = server();
    try (RawHttp2Client client = new RawHttp2Client(server.getPort())) {
      RawHttp2Client.Pending innocent = client.start(ECHO, List.of(), HELLO);
      assertThat(echo.reached.await(10, TimeUnit.SECONDS)).isTrue();

      RawHttp2Client.Outcome bad = client.call(ECHO, List.of(Map.entry("grpc-timeout", "%dS")), HELLO, 10_000);
      RawHttp2Client.Outcome innocentOutcome = innocent.await(10_000);

      assertThat(bad.goAway()).as(WHEN_FIXED).isTrue();
      assertThat(client.goneAway()).as(WHEN_FIXED).isTrue();
      assertThat(innocentOutcome.hasStatus()).as(WHEN_FIXED).isFalse();
      assertThat(echo.cancelled.await(10, TimeUnit.SECONDS)).as("the innocent call ended on the server").isTrue();
      // Only the innocent call reached the interceptors: the bad one failed in grpc-java's Netty handler.
      assertThat(intercepted.get()).isEqualTo(1);
    }
  }

  @Test
  void plainGrpcJavaClient_sendingSuchAValueInItsMetadata_losesTheConnection() throws InterruptedException {
    Server server = server();
    ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    try {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER), "%dS");
      // No deadline on the call: with none, grpc-java sends the application's grpc-timeout as it is.
      StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
          () -> EchoGrpc.newBlockingStub(plain).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
              .echo(EchoRequest.newBuilder().setText("hello").build()));

      assertThat(failure).as(WHEN_FIXED).isNotNull();
      assertThat(failure.getStatus().getCode()).as(WHEN_FIXED).isEqualTo(Status.Code.INTERNAL);
      assertThat(failure.getStatus().getDescription()).as(WHEN_FIXED).contains("GOAWAY");
      assertThat(intercepted.get()).isZero();
    } finally {
      plain.shutdownNow();
      plain.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void otherMalformedGrpcTimeouts_resetOnlyTheirOwnStream() throws Exception {
    Server server = server();
    try (RawHttp2Client client = new RawHttp2Client(server.getPort())) {
      RawHttp2Client.Pending innocent = client.start(ECHO, List.of(), HELLO);
      assertThat(echo.reached.await(10, TimeUnit.SECONDS)).isTrue();

      for (String value : List.of("abc", "%%S", "1\u0007S", "", "99999999999S", "1x")) {
        RawHttp2Client.Outcome bad = client.call(ECHO, List.of(Map.entry("grpc-timeout", value)), HELLO, 10_000);
        assertThat(bad.resetCode()).as("grpc-timeout %s", value).isEqualTo(INTERNAL_ERROR);
      }
      RawHttp2Client.Outcome good = client.call(ECHO, List.of(Map.entry("grpc-timeout", "5S")), HELLO, 10_000);

      assertThat(good.grpcStatus()).isZero();
      assertThat(client.goneAway()).isFalse();
      assertThat(innocent.isDone()).isFalse();
      assertThat(intercepted.get()).isEqualTo(2);
    }
  }
}
