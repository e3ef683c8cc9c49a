package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.propagation.ContextCodec;
import dev.blastwall.propagation.W3cTrace;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code blastwall-attempt} on the wire: a Blastwall client sends it from the second attempt on, and a Blastwall
 * server reads its absence as attempt 1, so first attempts (nearly every call) carry one header less.
 */
@Timeout(30)
class AttemptHeaderTest {

  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();

  private final Servers servers = new Servers();
  private final EchoServer echo = new EchoServer("echo");
  private final HeaderRecorder recorder = new HeaderRecorder();
  private final List<CallContext> handlerContexts = new CopyOnWriteArrayList<>();
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

  /** What Blastwall's server interceptor made of the request: the context its handler runs in. */
  private final ServerInterceptor contextProbe = new ServerInterceptor() {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
        ServerCallHandler<ReqT, RespT> next) {
      handlerContexts.add(CallContext.current());
      return next.startCall(call, headers);
    }
  };

  /** Listed last, so it runs first and sees the headers as they came off the wire. */
  private Server server() {
    return servers.start(echo, contextProbe, BlastwallServerInterceptor.create(), recorder);
  }

  @Test
  void blastwallClient_sendsTheAttemptNumberOnRetriesOnly() {
    Server server = server();
    Pipeline pipeline = Pipeline.builder("echo")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(1))).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(
        servers.channel(server, GrpcClientPolicy.builder(pipeline).build())).withDeadlineAfter(Duration.ofSeconds(10));
    echo.script.add(Status.UNAVAILABLE.withDescription("warming up").asRuntimeException());
    echo.script.add(Status.UNAVAILABLE.withDescription("warming up").asRuntimeException());

    EchoReply reply = stub.get(HELLO);

    assertThat(reply.getText()).isEqualTo("hello");
    assertThat(recorder.attempts).containsExactly(Optional.empty(), Optional.of("2"), Optional.of("3"));
    assertThat(echo.seen("Get")).extracting(EchoServer.Seen::attempt).containsExactly(1, 2, 3);
    assertThat(handlerContexts).extracting(CallContext::attemptKind)
        .containsExactly(AttemptKind.ORIGINAL, AttemptKind.RETRY, AttemptKind.RETRY);
  }

  @Test
  void server_readsAMissingAttemptNumberAsTheFirstAttempt_andAPresentOneAsItIs() {
    Server server = server();
    plain = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(plain).withDeadlineAfter(Duration.ofSeconds(10));
    Metadata third = new Metadata();
    third.put(BlastwallMetadata.ATTEMPT, "3");

    stub.get(HELLO);
    stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(third)).get(HELLO);

    assertThat(recorder.attempts).containsExactly(Optional.empty(), Optional.of("3"));
    assertThat(handlerContexts).extracting(CallContext::attempt, CallContext::attemptKind)
        .containsExactly(tuple(1, AttemptKind.ORIGINAL), tuple(3, AttemptKind.RETRY));
  }

  @Test
  void server_readsTheHedgeKindTenantAndTrace_andIgnoresMalformedOnes() {
    Server server = server();
    plain = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(plain).withDeadlineAfter(Duration.ofSeconds(10));
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    Metadata good = new Metadata();
    good.put(BlastwallMetadata.ATTEMPT, "2");
    good.put(BlastwallMetadata.ATTEMPT_KIND, "hedge");
    good.put(BlastwallMetadata.TENANT, "acme");
    good.put(BlastwallMetadata.TRACEPARENT, traceparent);
    Metadata bad = new Metadata();
    bad.put(BlastwallMetadata.ATTEMPT, "2");
    bad.put(BlastwallMetadata.ATTEMPT_KIND, "sideways");
    bad.put(BlastwallMetadata.TENANT, "two words");
    bad.put(BlastwallMetadata.TRACEPARENT, "00-not-a-trace");

    stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(good)).get(HELLO);
    stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bad)).get(HELLO);

    assertThat(handlerContexts).extracting(CallContext::attemptKind, c -> c.get(ContextCodec.TENANT),
        c -> c.get(W3cTrace.KEY)).containsExactly(
            tuple(AttemptKind.HEDGE, "acme", new W3cTrace(traceparent, null)),
            tuple(AttemptKind.RETRY, null, null));
  }

  /** Records each request's {@code blastwall-attempt} header, or its absence. */
  private static final class HeaderRecorder implements ServerInterceptor {
    final List<Optional<String>> attempts = new CopyOnWriteArrayList<>();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
        ServerCallHandler<ReqT, RespT> next) {
      attempts.add(Optional.ofNullable(headers.get(BlastwallMetadata.ATTEMPT)));
      return next.startCall(call, headers);
    }
  }
}
