package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.CallContext;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.grpc.test.echo.SumReply;
import dev.blastwall.grpc.test.echo.SumRequest;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Client-streaming and bidirectional calls retried before the first response, and committed on buffer overflow. */
@Timeout(30)
class ClientStreamRetryTest {

  private final Servers servers = new Servers();
  private final FlakyStreams service = new FlakyStreams();
  private EchoGrpc.EchoStub stub;

  @BeforeEach
  void start() {
    Server server = servers.start(service, BlastwallServerInterceptor.create());
    Pipeline pipeline = Pipeline.builder("streams")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(5))).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    // Sum and Chat are not idempotent: declared keyed (the server dedups), they are retried before the commit.
    stub = EchoGrpc.newStub(servers.channel(server,
            GrpcClientPolicy.builder(pipeline).keyed("blastwall.test.Echo").build()))
        .withDeadlineAfter(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
  }

  @Test
  void clientStreaming_failsBeforeAnswering_isRetriedWithTheBufferedMessagesAndHalfClose() throws Exception {
    service.failFirstSums.set(1);
    Collector<SumReply> reply = new Collector<>();
    StreamObserver<SumRequest> requests = stub.sum(reply);
    for (int i = 1; i <= 10; i++) {
      requests.onNext(SumRequest.newBuilder().setValue(i).build());
    }
    requests.onCompleted();

    assertThat(reply.done.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(reply.messages).extracting(SumReply::getSum).containsExactly(55L);
    assertThat(service.sumAttempts).as("attempt number and messages seen per attempt")
        .containsExactly("1:10", "2:10");
  }

  @Test
  void clientStreaming_moreThanTheBuffer_commitsTheCall_andTheFailureIsNotRetried() throws Exception {
    service.failFirstSums.set(1);
    Collector<SumReply> reply = new Collector<>();
    StreamObserver<SumRequest> requests = stub.sum(reply);
    for (int i = 1; i <= RetryingClientStreamCall.MAX_BUFFERED_MESSAGES + 1; i++) {
      requests.onNext(SumRequest.newBuilder().setValue(i).build());
    }
    requests.onCompleted();

    Throwable failure = reply.done.get(10, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(StatusRuntimeException.class);
    assertThat(((StatusRuntimeException) failure).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(service.sumAttempts).as("committed by the overflow: one attempt only").containsExactly("1:65");
  }

  @Test
  void clientStreaming_exactlyTheBuffer_isStillRetried() throws Exception {
    service.failFirstSums.set(1);
    Collector<SumReply> reply = new Collector<>();
    StreamObserver<SumRequest> requests = stub.sum(reply);
    for (int i = 1; i <= RetryingClientStreamCall.MAX_BUFFERED_MESSAGES; i++) {
      requests.onNext(SumRequest.newBuilder().setValue(1).build());
    }
    requests.onCompleted();

    assertThat(reply.done.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(reply.messages).extracting(SumReply::getSum).containsExactly(64L);
    assertThat(service.sumAttempts).containsExactly("1:64", "2:64");
  }

  @Test
  void bidi_failsOnTheFirstMessageBeforeAnswering_isReplayed_thenCommittedByTheFirstResponse() throws Exception {
    service.failFirstChats.set(1);
    Collector<EchoReply> replies = new Collector<>();
    StreamObserver<EchoRequest> requests = stub.chat(replies);
    requests.onNext(EchoRequest.newBuilder().setText("a").build());
    assertThat(replies.arrived.poll(10, TimeUnit.SECONDS)).as("first reply, from the retry").isEqualTo("a");
    requests.onNext(EchoRequest.newBuilder().setText("b").build());
    assertThat(replies.arrived.poll(10, TimeUnit.SECONDS)).isEqualTo("b");
    requests.onCompleted();

    assertThat(replies.done.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(replies.messages).extracting(EchoReply::getText).containsExactly("a", "b");
    assertThat(service.chatAttempts.get()).isEqualTo(2);
  }

  @Test
  void bidi_failureAfterTheFirstResponse_isNotRetried() throws Exception {
    Collector<EchoReply> replies = new Collector<>();
    StreamObserver<EchoRequest> requests = stub.chat(replies);
    requests.onNext(EchoRequest.newBuilder().setText("a").build());
    assertThat(replies.arrived.poll(10, TimeUnit.SECONDS)).isEqualTo("a");
    requests.onNext(EchoRequest.newBuilder().setText("fail").build());

    Throwable failure = replies.done.get(10, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(StatusRuntimeException.class);
    assertThat(((StatusRuntimeException) failure).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(service.chatAttempts.get()).as("committed: no retry").isEqualTo(1);
  }

  /** Collects a response stream; {@code done} completes with null on success or with the failure. */
  private static final class Collector<T> implements StreamObserver<T> {
    final List<T> messages = new CopyOnWriteArrayList<>();
    final LinkedBlockingQueue<String> arrived = new LinkedBlockingQueue<>();
    final CompletableFuture<@Nullable Throwable> done = new CompletableFuture<>();

    @Override
    public void onNext(T value) {
      messages.add(value);
      arrived.add(value instanceof EchoReply echo ? echo.getText() : value.toString());
    }

    @Override
    public void onError(Throwable t) {
      done.complete(t);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
    }
  }

  /** Sum and Chat that fail their first calls with UNAVAILABLE before answering anything. */
  private static final class FlakyStreams extends EchoGrpc.EchoImplBase {
    final AtomicInteger failFirstSums = new AtomicInteger();
    final AtomicInteger failFirstChats = new AtomicInteger();
    final List<String> sumAttempts = new CopyOnWriteArrayList<>();
    final AtomicInteger chatAttempts = new AtomicInteger();

    @Override
    public StreamObserver<SumRequest> sum(StreamObserver<SumReply> responseObserver) {
      int attempt = CallContext.current().attempt();
      boolean fail = failFirstSums.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      return new StreamObserver<>() {
        private long sum;
        private int count;

        @Override
        public void onNext(SumRequest value) {
          sum += value.getValue();
          count++;
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          sumAttempts.add(attempt + ":" + count);
          if (fail) {
            responseObserver.onError(Status.UNAVAILABLE.withDescription("flaky").asRuntimeException());
            return;
          }
          responseObserver.onNext(SumReply.newBuilder().setSum(sum).build());
          responseObserver.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<EchoRequest> chat(StreamObserver<EchoReply> responseObserver) {
      chatAttempts.incrementAndGet();
      boolean fail = failFirstChats.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      return new StreamObserver<>() {
        private boolean closed;

        @Override
        public void onNext(EchoRequest value) {
          if (closed) {
            return;
          }
          if (fail || value.getText().equals("fail")) {
            closed = true;
            responseObserver.onError(Status.UNAVAILABLE.withDescription("flaky").asRuntimeException());
            return;
          }
          responseObserver.onNext(EchoReply.newBuilder().setText(value.getText()).build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          if (!closed) {
            responseObserver.onCompleted();
          }
        }
      };
    }
  }
}
