package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.failure.BulkheadFullException;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.pipeline.Pipeline;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * grpc-java's connection model, and why a bulkhead per upstream matters: all calls to one endpoint share one HTTP/2
 * connection; the server's {@code maxConcurrentCallsPerConnection} (MAX_CONCURRENT_STREAMS) bounds the streams on
 * it, and further calls wait on the client, invisibly, until a stream frees up. A {@link SemaphoreBulkhead} of the
 * same size refuses them at once instead.
 */
@Timeout(30)
class ConnectionModelTest {

  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();
  /** How long the test waits to conclude that something did not happen (a bounded latch wait, not a sleep). */
  private static final long QUIET_MILLIS = 300;

  private final Servers servers = new Servers();
  private final HeldServer held = new HeldServer();
  private final Set<SocketAddress> clientAddresses = ConcurrentHashMap.newKeySet();
  private Server server;

  @BeforeEach
  void start() throws Exception {
    ServerInterceptor remoteAddress = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
          ServerCallHandler<ReqT, RespT> next) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        if (remote != null) {
          clientAddresses.add(remote);
        }
        return next.startCall(call, headers);
      }
    };
    server = NettyServerBuilder.forAddress(
            new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0),
            InsecureServerCredentials.create())
        .maxConcurrentCallsPerConnection(2)
        .addService(ServerInterceptors.intercept(held, remoteAddress, BlastwallServerInterceptor.create()))
        .build()
        .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    held.releaseAll();
    servers.close();
    server.shutdownNow();
    assertThat(server.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void thirdConcurrentCall_waitsOnTheClient_untilOneOfTheTwoStreamsFinishes() throws Exception {
    ManagedChannel channel = servers.channel(server,
        GrpcClientPolicy.builder(Pipeline.builder("held").build()).build());
    EchoGrpc.EchoFutureStub stub = EchoGrpc.newFutureStub(channel).withDeadlineAfter(Duration.ofSeconds(20));

    List<ListenableFuture<EchoReply>> calls = new ArrayList<>();
    calls.add(stub.get(HELLO));
    calls.add(stub.get(HELLO));
    assertThat(held.started(2).await(10, TimeUnit.SECONDS)).as("first two calls on the server").isTrue();
    calls.add(stub.get(HELLO));

    // The third call was sent by the application, but the connection has no free stream: it is queued on the
    // client and never reaches the server while both streams are busy.
    assertThat(held.started(3).await(QUIET_MILLIS, TimeUnit.MILLISECONDS)).as("third call started").isFalse();
    assertThat(held.startedCount()).isEqualTo(2);
    assertThat(held.maxActive()).isEqualTo(2);
    assertThat(calls.get(2).isDone()).isFalse();

    // One of the first two answers (whichever reached the server first): its stream frees up, and only then does
    // the queued third call start on the server.
    held.releaseOne();
    assertThat(held.started(3).await(10, TimeUnit.SECONDS)).as("third call started after a stream freed up").isTrue();
    CountDownLatch oneOfTheFirstTwo = new CountDownLatch(1);
    calls.get(0).addListener(oneOfTheFirstTwo::countDown, MoreExecutors.directExecutor());
    calls.get(1).addListener(oneOfTheFirstTwo::countDown, MoreExecutors.directExecutor());
    assertThat(oneOfTheFirstTwo.await(10, TimeUnit.SECONDS)).as("one of the first two finished").isTrue();
    held.releaseAll();
    for (ListenableFuture<EchoReply> call : calls) {
      assertThat(call.get(10, TimeUnit.SECONDS).getText()).isEqualTo("hello");
    }
    assertThat(held.maxActive()).as("never more than MAX_CONCURRENT_STREAMS at once").isEqualTo(2);
    assertThat(clientAddresses).as("all calls multiplexed over one connection").hasSize(1);
  }

  @Test
  void bulkheadOfTheSameSize_rejectsTheThirdCallAtOnce_withAMappedStatus() throws Exception {
    SemaphoreBulkhead bulkhead = SemaphoreBulkhead.builder("held").maxConcurrentCalls(2).build();
    ManagedChannel channel = servers.channel(server,
        GrpcClientPolicy.builder(Pipeline.builder("held").bulkhead(bulkhead).build()).build());
    EchoGrpc.EchoFutureStub stub = EchoGrpc.newFutureStub(channel).withDeadlineAfter(Duration.ofSeconds(20));

    ListenableFuture<EchoReply> first = stub.get(HELLO);
    ListenableFuture<EchoReply> second = stub.get(HELLO);
    assertThat(held.started(2).await(10, TimeUnit.SECONDS)).as("first two calls on the server").isTrue();

    long before = System.nanoTime();
    StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
        () -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(20)).get(HELLO));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);

    assertThat(refused).isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.getStatus().getCause()).isInstanceOf(BulkheadFullException.class);
    assertThat(BlastwallMetadata.hasDoNotRetry(refused.getTrailers())).as("marked do-not-retry").isTrue();
    assertThat(tookMillis).as("refused at once, not queued behind the busy streams").isLessThan(1_000);
    assertThat(first.isDone()).as("the first two calls are still held").isFalse();
    assertThat(second.isDone()).isFalse();
    assertThat(held.startedCount()).as("the refused call never reached the server").isEqualTo(2);

    held.releaseAll();
    assertThat(first.get(10, TimeUnit.SECONDS).getText()).isEqualTo("hello");
    assertThat(second.get(10, TimeUnit.SECONDS).getText()).isEqualTo("hello");
    assertThat(EchoGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(10)).get(HELLO).getText())
        .as("permits are back once the calls finish").isEqualTo("hello");
    assertThat(bulkhead.snapshot().rejected()).isEqualTo(1);
  }

  /** Holds each Get until the test releases it; counts calls started and active on the server. */
  private static final class HeldServer extends EchoGrpc.EchoImplBase {
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();
    private final List<CountDownLatch> startedLatches = List.of(
        new CountDownLatch(1), new CountDownLatch(2), new CountDownLatch(3), new CountDownLatch(4));
    private final BlockingQueue<Runnable> waiting = new LinkedBlockingQueue<>();
    private volatile boolean releaseAll;

    /** A latch that opens once {@code n} (1 to 4) calls have started. */
    CountDownLatch started(int n) {
      return startedLatches.get(n - 1);
    }

    int startedCount() {
      return started.get();
    }

    int maxActive() {
      return maxActive.get();
    }

    void releaseOne() throws InterruptedException {
      Runnable answer = waiting.poll(10, TimeUnit.SECONDS);
      assertThat(answer).as("a held call to release").isNotNull();
      if (answer != null) {
        answer.run();
      }
    }

    void releaseAll() {
      releaseAll = true;
      for (Runnable answer = waiting.poll(); answer != null; answer = waiting.poll()) {
        answer.run();
      }
    }

    @Override
    public void get(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
      started.incrementAndGet();
      for (CountDownLatch latch : startedLatches) {
        latch.countDown();
      }
      int now = active.incrementAndGet();
      maxActive.accumulateAndGet(now, Math::max);
      Runnable answer = () -> {
        active.decrementAndGet();
        responseObserver.onNext(EchoReply.newBuilder().setText(request.getText()).setServer("held").build());
        responseObserver.onCompleted();
      };
      if (releaseAll) {
        answer.run();
      } else {
        waiting.add(answer);
        if (releaseAll) {
          releaseAll();
        }
      }
    }
  }
}
