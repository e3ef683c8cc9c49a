package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.grpc.test.feed.FeedGrpc;
import dev.blastwall.grpc.test.feed.FloodRequest;
import dev.blastwall.grpc.test.feed.Item;
import dev.blastwall.pipeline.Pipeline;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flow control end to end, through both interceptors: a server-streaming handler that sends only while
 * {@code isReady()} (resuming from its on-ready handler), and a client that asks for messages a few at a time
 * ({@code disableAutoRequestWithInitial} and {@code request(n)}). The server never gets further ahead of the
 * client than the transport's windows hold, and every message arrives, in order.
 */
@Timeout(60)
class BackpressureTest {

  private static final int COUNT = 2000;
  private static final int PAYLOAD = 4 * 1024;
  private static final int WINDOW = 64 * 1024;
  private static final int BATCH = 16;
  /**
   * The most messages the server may be ahead of the application: the client's flow-control window plus the
   * server's own buffering before it reports not ready (32 KiB in grpc-java), with room for framing and the
   * batch in hand; far below the 2000 sent.
   */
  private static final long BOUND = 2L * WINDOW / PAYLOAD + BATCH + 16;

  private final Servers servers = new Servers();
  private final FeedServer feed = new FeedServer("feed", 0);
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    Server server = servers.start(feed, BlastwallServerInterceptor.create());
    // A fixed window (no BDP auto-tuning) keeps the bound predictable.
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
        .usePlaintext()
        .flowControlWindow(WINDOW);
    channel = BlastwallChannels.configure(builder, GrpcClientPolicy.builder(Pipeline.builder("feed").build()).build())
        .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    servers.close();
  }

  @Test
  void slowClient_serverPausesWhenNotReady_neverRunsFarAhead_andEverythingArrivesInOrder() throws Exception {
    SlowClient client = new SlowClient();
    FeedGrpc.newStub(channel).withDeadlineAfter(Duration.ofSeconds(50))
        .flood(FloodRequest.newBuilder().setCount(COUNT).setPayloadBytes(PAYLOAD).build(), client);

    // The client asked for one message: the server fills the windows, sees isReady() == false and stops.
    assertThat(feed.paused.await(10, TimeUnit.SECONDS)).as("server paused").isTrue();
    assertThat(client.arrivals.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
    assertThat(client.positions).hasSize(1);
    assertThat(feed.maxOutstanding.get()).isLessThanOrEqualTo(BOUND);

    // Now a few at a time, each batch only once the previous one arrived.
    int received = 1;
    for (int batch = 0; batch < COUNT && received < COUNT; batch++) {
      int asked = Math.min(BATCH, COUNT - received);
      client.requests().request(asked);
      assertThat(client.arrivals.tryAcquire(asked, 10, TimeUnit.SECONDS)).as("batch %d arrived", batch).isTrue();
      received += asked;
    }

    client.done.get(10, TimeUnit.SECONDS);
    assertThat(client.positions).containsExactlyElementsOf(LongStream.range(0, COUNT).boxed().toList());
    assertThat(feed.maxOutstanding.get()).as("most messages the server was ahead").isLessThanOrEqualTo(BOUND);
    assertThat(feed.pauses.get()).as("times the server waited for the client").isGreaterThan(1);
  }

  /** Receives with manual flow control: one message at first, then whatever the test requests. */
  private final class SlowClient implements ClientResponseObserver<FloodRequest, Item> {
    final List<Long> positions = new CopyOnWriteArrayList<>();
    final Semaphore arrivals = new Semaphore(0);
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile @Nullable ClientCallStreamObserver<FloodRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<FloodRequest> requestStream) {
      requestStream.disableAutoRequestWithInitial(1);
      this.requests = requestStream;
    }

    ClientCallStreamObserver<FloodRequest> requests() {
      ClientCallStreamObserver<FloodRequest> started = requests;
      if (started == null) {
        throw new IllegalStateException("call not started");
      }
      return started;
    }

    @Override
    public void onNext(Item item) {
      positions.add(item.getPosition());
      feed.clientReceived.incrementAndGet();
      arrivals.release();
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
    }
  }
}
