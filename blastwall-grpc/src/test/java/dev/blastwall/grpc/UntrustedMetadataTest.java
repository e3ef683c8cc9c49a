package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Malformed metadata from a plain grpc-java client (no Blastwall interceptor) to a Blastwall server: the answer
 * quotes a bounded, escaped prefix of the value, so it fits in the client's trailers and no control byte reaches a
 * description raw.
 */
@Timeout(30)
class UntrustedMetadataTest {

  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();
  private static final String EXPECTED = " (expected: 1 to 255 visible ASCII characters)";

  private final Servers servers = new Servers();
  private final EchoServer echo = new EchoServer("echo");
  private @Nullable ManagedChannel plain;

  @AfterEach
  void stop() throws InterruptedException {
    ManagedChannel channel = plain;
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    servers.close();
  }

  private EchoGrpc.EchoBlockingStub plainClientWithKey(String key) {
    Server server = servers.start(echo, BlastwallServerInterceptor.create());
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    plain = channel;
    Metadata headers = new Metadata();
    headers.put(BlastwallMetadata.IDEMPOTENCY_KEY, key);
    return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(10))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void hugeIdempotencyKeyOfPercentSigns_isInvalidArgumentWithAShortDescription_notAnHttp2Failure() {
    // gRPC percent-encodes '%' in grpc-message: echoed whole, 2,800 of them made 8,470 bytes of trailers, over the
    // client's 8 KiB limit, and the client saw "INTERNAL: http2 exception" (which a client may even retry).
    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> plainClientWithKey("%".repeat(2800)).echo(HELLO));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(failure.getStatus().getDescription())
        .isEqualTo("idempotency-key: \"" + "%".repeat(64) + "\"... (2800 chars)" + EXPECTED);
    assertThat(echo.handled.get()).isZero();
  }

  @Test
  void idempotencyKeyWithControlBytes_isEscapedInTheDescription() throws Exception {
    // grpc-java's own client drops such a value before sending it; a raw HTTP/2 peer does not.
    Server server = servers.start(echo, BlastwallServerInterceptor.create());
    try (RawHttp2Client client = new RawHttp2Client(server.getPort())) {
      RawHttp2Client.Outcome outcome = client.call("/blastwall.test.Echo/Echo",
          List.of(Map.entry("idempotency-key", "k\u0007\u001b[2J\u007f\"x\\\r\nforged: yes")),
          HELLO.toByteArray(), 10_000);

      assertThat(outcome.grpcStatus()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
      assertThat(outcome.grpcMessage())
          .isEqualTo("idempotency-key: \"k\\x07\\x1b[2J\\x7f\\\"x\\\\\\x0d\\x0aforged: yes\"" + EXPECTED);
    }
    assertThat(echo.handled.get()).isZero();
  }
}
