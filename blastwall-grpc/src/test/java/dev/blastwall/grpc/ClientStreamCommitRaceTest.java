package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Messages the application sends while the first response commits a bidirectional call all reach the server: the
 * commit (an attempt's compare-and-set, then the buffer hand-over under the call's lock) runs on gRPC's thread while
 * the application keeps sending on its own, so some sends land between the two steps.
 */
@Timeout(120)
class ClientStreamCommitRaceTest {

  private static final int CALLS = 200;
  private static final int MESSAGES = 200;

  private final Servers servers = new Servers();

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
  }

  @Test
  void messagesSentDuringTheCommit_areNeverDropped() throws Exception {
    Server server = servers.start(new CountingChat());
    Pipeline pipeline = Pipeline.builder("race")
        .retry(RetryPolicy.builder().maxAttempts(2).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    EchoGrpc.EchoStub stub = EchoGrpc.newStub(servers.channel(server,
        GrpcClientPolicy.builder(pipeline).keyed("blastwall.test.Echo").build()));

    List<String> lost = new ArrayList<>();
    for (int call = 0; call < CALLS; call++) {
      CompletableFuture<String> count = new CompletableFuture<>();
      StreamObserver<EchoRequest> requests = stub.withDeadlineAfter(Duration.ofSeconds(20))
          .chat(new LastReply(count));
      for (int i = 0; i < MESSAGES; i++) {
        requests.onNext(EchoRequest.newBuilder().setText("m" + i).build());
      }
      requests.onCompleted();
      String received = count.get(20, TimeUnit.SECONDS);
      if (!received.equals(String.valueOf(MESSAGES))) {
        lost.add("call " + call + ": server received " + received + " of " + MESSAGES);
      }
    }
    assertThat(lost).as("calls that lost messages").isEmpty();
  }

  /** Answers the first message at once (that commits the call), then counts; on half-close, replies the count. */
  private static final class CountingChat extends EchoGrpc.EchoImplBase {
    @Override
    public StreamObserver<EchoRequest> chat(StreamObserver<EchoReply> replies) {
      AtomicInteger received = new AtomicInteger();
      return new StreamObserver<>() {
        @Override
        public void onNext(EchoRequest request) {
          if (received.getAndIncrement() == 0) {
            replies.onNext(EchoReply.newBuilder().setText("first").build());
          }
        }

        @Override
        public void onError(Throwable failure) {}

        @Override
        public void onCompleted() {
          replies.onNext(EchoReply.newBuilder().setText(String.valueOf(received.get())).build());
          replies.onCompleted();
        }
      };
    }
  }

  /** Completes {@code count} with the last reply's text when the call closes OK, exceptionally otherwise. */
  private record LastReply(CompletableFuture<String> count) implements StreamObserver<EchoReply> {
    @Override
    public void onNext(EchoReply reply) {
      if (!reply.getText().equals("first")) {
        count.complete(reply.getText());
      }
    }

    @Override
    public void onError(Throwable failure) {
      count.completeExceptionally(failure);
    }

    @Override
    public void onCompleted() {
      count.complete("no count");
    }
  }
}
