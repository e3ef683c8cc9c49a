package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.grpc.test.echo.CountRequest;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.grpc.test.echo.SumReply;
import dev.blastwall.grpc.test.echo.SumRequest;
import dev.blastwall.pipeline.Pipeline;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * All four call types through both interceptors: the caller's deadline and criticality reach every handler
 * callback, each call gets an idempotency key (the service is declared keyed) and attempt 1.
 */
@Timeout(30)
class CallTypesTest {

  private static final Duration DEADLINE = Duration.ofSeconds(5);

  private final Servers servers = new Servers();
  private final EchoServer echo = new EchoServer("echo");
  private ManagedChannel channel;
  private CallContext caller;

  @BeforeEach
  void start() {
    Server server = servers.start(echo, BlastwallServerInterceptor.create());
    channel = servers.channel(server,
        GrpcClientPolicy.builder(Pipeline.builder("echo").build()).keyed("blastwall.test.Echo").build());
    caller = CallContext.ROOT.withDeadline(Deadline.after(DEADLINE)).withCriticality(Criticality.SHEDDABLE_PLUS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
  }

  /** Every callback of {@code method} ran with the caller's context, as its server side sees it. */
  private void assertPropagated(String method, String... callbacks) {
    List<EchoServer.Seen> seen = echo.seen(method);
    assertThat(seen).extracting(EchoServer.Seen::callback).containsExactly(callbacks);
    for (EchoServer.Seen callback : seen) {
      assertThat(callback.criticality()).isEqualTo(Criticality.SHEDDABLE_PLUS);
      assertThat(callback.attempt()).isEqualTo(1);
      assertThat(callback.remainingNanos()).isPositive().isLessThanOrEqualTo(DEADLINE.toNanos());
      assertThat(callback.grpcRemainingNanos()).isPositive().isLessThanOrEqualTo(DEADLINE.toNanos());
    }
    assertThat(seen.get(0).key()).isNotNull();
    assertThat(seen).extracting(EchoServer.Seen::key).containsOnly(seen.get(0).key());
  }

  @Test
  void unary() throws Exception {
    EchoReply reply = caller.call(() -> EchoGrpc.newBlockingStub(channel)
        .echo(EchoRequest.newBuilder().setText("one").build()));

    assertThat(reply.getText()).isEqualTo("one");
    assertPropagated("Echo", "invoke");
  }

  @Test
  void serverStreaming() throws Exception {
    List<String> texts = caller.call(() -> {
      List<String> received = new ArrayList<>();
      Iterator<EchoReply> replies = EchoGrpc.newBlockingStub(channel)
          .count(CountRequest.newBuilder().setCount(3).build());
      replies.forEachRemaining(reply -> received.add(reply.getText()));
      return received;
    });

    assertThat(texts).containsExactly("0", "1", "2");
    assertPropagated("Count", "invoke");
  }

  @Test
  void clientStreaming() throws Exception {
    CompletableFuture<Long> sum = new CompletableFuture<>();
    StreamObserver<SumRequest> requests = caller.call(() -> EchoGrpc.newStub(channel).sum(new StreamObserver<>() {
      @Override
      public void onNext(SumReply value) {
        sum.complete(value.getSum());
      }

      @Override
      public void onError(Throwable t) {
        sum.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    }));
    for (long value = 1; value <= 3; value++) {
      requests.onNext(SumRequest.newBuilder().setValue(value).build());
    }
    requests.onCompleted();

    assertThat(sum.get(5, TimeUnit.SECONDS)).isEqualTo(6);
    assertPropagated("Sum", "invoke", "onNext", "onNext", "onNext", "onCompleted");
  }

  @Test
  void bidiStreaming() throws Exception {
    List<String> echoed = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<EchoRequest> requests = caller.call(() -> EchoGrpc.newStub(channel).chat(new StreamObserver<>() {
      @Override
      public void onNext(EchoReply value) {
        echoed.add(value.getText());
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    }));
    requests.onNext(EchoRequest.newBuilder().setText("a").build());
    requests.onNext(EchoRequest.newBuilder().setText("b").build());
    requests.onCompleted();

    done.get(5, TimeUnit.SECONDS);
    assertThat(echoed).containsExactly("a", "b");
    assertPropagated("Chat", "invoke", "onNext", "onNext", "onCompleted");
  }

  @Test
  void bidiStreaming_cancellingTheCallersContext_cancelsTheServersContext() throws Exception {
    CallContext cancellable = caller.withChildCancellation();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    StreamObserver<EchoRequest> requests = cancellable.call(() -> EchoGrpc.newStub(channel)
        .chat(new StreamObserver<>() {
          @Override
          public void onNext(EchoReply value) {}

          @Override
          public void onError(Throwable t) {
            closed.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            closed.complete(Status.OK);
          }
        }));
    requests.onNext(EchoRequest.newBuilder().setText("a").build());
    assertThat(echo.reached.await(5, TimeUnit.SECONDS)).isTrue();

    cancellable.cancellation().cancel(new IllegalStateException("caller gave up"));

    assertThat(echo.cancelled.await(5, TimeUnit.SECONDS)).as("server's CallContext cancelled").isTrue();
    assertThat(closed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
  }
}
