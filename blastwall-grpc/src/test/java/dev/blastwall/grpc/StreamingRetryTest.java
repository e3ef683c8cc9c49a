package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.blastwall.context.CallContext;
import dev.blastwall.grpc.test.feed.FeedGrpc;
import dev.blastwall.grpc.test.feed.FloodRequest;
import dev.blastwall.grpc.test.feed.Item;
import dev.blastwall.grpc.test.feed.SubscribeRequest;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Server-streaming calls are retried before their first response message and committed from it on. */
@Timeout(30)
class StreamingRetryTest {

  private static final int LOG = 100;

  private final Servers servers = new Servers();
  private final FeedServer feed = new FeedServer("feed", LOG);
  private Server server;
  private FeedGrpc.FeedBlockingStub stub;
  private Pipeline pipeline;

  @BeforeEach
  void start() {
    server = servers.start(feed, BlastwallServerInterceptor.create());
    pipeline = Pipeline.builder("feed")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(5))).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    // The per-attempt timeout must not cut a stream short: a stream's deadline is the call's.
    GrpcClientPolicy policy = GrpcClientPolicy.builder(pipeline)
        .attemptTimeout("blastwall.test.Feed", Duration.ofMillis(50))
        .build();
    stub = FeedGrpc.newBlockingStub(servers.channel(server, policy)).withDeadlineAfter(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
  }

  private static List<Long> positions(Iterator<Item> items) {
    List<Long> positions = new ArrayList<>();
    items.forEachRemaining(item -> positions.add(item.getPosition()));
    return positions;
  }

  private static SubscribeRequest from(long position) {
    return SubscribeRequest.newBuilder().setFromPosition(position).build();
  }

  @Test
  void unavailableTwiceBeforeTheFirstMessage_isRetried_andTheWholeStreamArrivesOnce() {
    feed.failFirst.add(Status.UNAVAILABLE.withDescription("warming up"));
    feed.failFirst.add(Status.UNAVAILABLE.withDescription("warming up"));

    assertThat(positions(stub.subscribe(from(0)))).containsExactlyElementsOf(LongStream.range(0, LOG).boxed().toList());

    List<FeedServer.Call> calls = feed.calls("Subscribe");
    assertThat(calls).extracting(FeedServer.Call::attempt).containsExactly(1, 2, 3);
    // Declared NO_SIDE_EFFECTS: no key needed.
    assertThat(calls).extracting(FeedServer.Call::key).containsOnlyNulls();
    // The whole call's deadline (10 s less the slack), not the 50 ms attempt timeout.
    assertThat(calls).allSatisfy(call -> assertThat(Duration.ofNanos(call.grpcRemainingNanos()))
        .isGreaterThan(Duration.ofSeconds(5)).isLessThanOrEqualTo(Duration.ofSeconds(10)));
  }

  @Test
  void keyedStream_retriedBeforeTheFirstMessage_withTheSameKeyOnEveryAttempt() {
    feed.failFirst.add(Status.UNAVAILABLE);
    FeedGrpc.FeedBlockingStub keyed = FeedGrpc.newBlockingStub(servers.channel(server,
        GrpcClientPolicy.builder(pipeline).keyed("blastwall.test.Feed/Flood").build()))
        .withDeadlineAfter(Duration.ofSeconds(10));

    Iterator<Item> items = keyed.flood(FloodRequest.newBuilder().setCount(10).build());

    assertThat(positions(items)).hasSize(10);
    List<FeedServer.Call> calls = feed.calls("Flood");
    assertThat(calls).extracting(FeedServer.Call::attempt).containsExactly(1, 2);
    assertThat(calls.get(0).key()).isNotNull();
    assertThat(calls).extracting(FeedServer.Call::key).containsOnly(calls.get(0).key());
  }

  @Test
  void nonIdempotentStreamNotKeyed_unavailableFromTheServer_isNotRetried_andCarriesNoKey() {
    // The server ran the handler before it failed: without a server that dedups, a repeat could run it twice.
    feed.failFirst.add(Status.UNAVAILABLE.withDescription("failed after running"));

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.flood(FloodRequest.newBuilder().setCount(10).build()).hasNext());

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    List<FeedServer.Call> calls = feed.calls("Flood");
    assertThat(calls).extracting(FeedServer.Call::attempt).containsExactly(1);
    assertThat(calls).extracting(FeedServer.Call::key).containsOnlyNulls();
  }

  @Test
  void failureAfterTheFirstMessage_isCommitted_andReachesTheApplicationUnretried() {
    feed.failAfter = 10;
    List<Long> received = new ArrayList<>();
    Iterator<Item> items = stub.subscribe(from(0));

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> items.forEachRemaining(item -> received.add(item.getPosition())));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(failure.getStatus().getDescription()).isEqualTo("feed going away at 10");
    assertThat(received).containsExactlyElementsOf(LongStream.range(0, 10).boxed().toList());
    assertThat(feed.calls("Subscribe")).hasSize(1);
  }

  @Test
  void nonRetryableFailureBeforeTheFirstMessage_isNotRetried() {
    feed.failFirst.add(Status.INVALID_ARGUMENT.withDescription("no such position"));

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.subscribe(from(0)).hasNext());

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(failure.getStatus().getDescription()).isEqualTo("no such position");
    assertThat(feed.calls("Subscribe")).hasSize(1);
  }

  @Test
  void exhaustedRetries_surfaceAsTheLastStatus_withTheMark() {
    for (int i = 0; i < 5; i++) {
      feed.failFirst.add(Status.UNAVAILABLE.withDescription("down"));
    }

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.subscribe(from(0)).hasNext());

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(failure.getStatus().getDescription()).startsWith("feed: retry: gave up after 3 attempts");
    assertThat(BlastwallMetadata.hasDoNotRetry(failure.getTrailers())).isTrue();
    assertThat(feed.calls("Subscribe")).hasSize(3);
  }

  @Test
  void emptyStream_closesOk_afterOneAttempt() {
    assertThat(positions(stub.subscribe(from(LOG)))).isEmpty();
    assertThat(feed.calls("Subscribe")).hasSize(1);
  }

  @Test
  void asyncStub_retriesTheSameWay_andHearsEveryMessageAndOneClose() throws Exception {
    feed.failFirst.add(Status.UNAVAILABLE);
    List<Long> received = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();

    FeedGrpc.newStub(stub.getChannel()).withDeadlineAfter(Duration.ofSeconds(10)).subscribe(from(90),
        new StreamObserver<>() {
          @Override
          public void onNext(Item item) {
            received.add(item.getPosition());
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });

    done.get(10, TimeUnit.SECONDS);
    assertThat(received).containsExactlyElementsOf(LongStream.range(90, LOG).boxed().toList());
    assertThat(feed.calls("Subscribe")).extracting(FeedServer.Call::attempt).containsExactly(1, 2);
  }

  @Test
  void slowFirstAttempt_theHedgeStreams_andTheLoserIsCancelledOnTheServer() throws Exception {
    feed.hangFirst.set(1);
    Pipeline hedged = Pipeline.builder("feed")
        .hedge(HedgePolicy.afterDelay(Duration.ofMillis(50)))
        .hedgeBudget(RetryBudget.unlimited())
        .build();
    FeedGrpc.FeedBlockingStub hedgedStub = FeedGrpc.newBlockingStub(servers.channel(server,
        GrpcClientPolicy.builder(hedged).build())).withDeadlineAfter(Duration.ofSeconds(10));

    assertThat(positions(hedgedStub.subscribe(from(0)))).containsExactlyElementsOf(
        LongStream.range(0, LOG).boxed().toList());

    assertThat(feed.cancelled.await(5, TimeUnit.SECONDS)).as("losing attempt cancelled on the server").isTrue();
    assertThat(feed.calls("Subscribe")).extracting(FeedServer.Call::attempt).containsExactly(1, 2);
  }

  @Test
  void applicationCancelAfterTheCommit_cancelsTheStreamOnTheServer() throws Exception {
    Manual client = new Manual();
    FeedGrpc.newStub(stub.getChannel()).withDeadlineAfter(Duration.ofSeconds(10))
        .flood(FloodRequest.newBuilder().setCount(5000).setPayloadBytes(4096).build(), client);
    assertThat(client.first.get(5, TimeUnit.SECONDS).getPosition()).isZero();

    client.requests().cancel("enough", null);

    Throwable failure = catchThrowableOfType(ExecutionException.class, () -> client.done.get(5, TimeUnit.SECONDS))
        .getCause();
    assertThat(failure).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
    assertThat(feed.cancelled.await(5, TimeUnit.SECONDS)).as("stream cancelled on the server").isTrue();
    assertThat(feed.calls("Flood")).hasSize(1);
  }

  @Test
  void callerContextCancelledAfterTheCommit_cancelsTheStream() throws Exception {
    CallContext caller = CallContext.ROOT.withChildCancellation();
    Manual client = new Manual();
    caller.run(() -> FeedGrpc.newStub(stub.getChannel()).withDeadlineAfter(Duration.ofSeconds(10))
        .flood(FloodRequest.newBuilder().setCount(5000).setPayloadBytes(4096).build(), client));
    assertThat(client.first.get(5, TimeUnit.SECONDS).getPosition()).isZero();

    caller.cancellation().cancel(new IllegalStateException("caller gone"));

    Throwable failure = catchThrowableOfType(ExecutionException.class, () -> client.done.get(5, TimeUnit.SECONDS))
        .getCause();
    assertThat(failure).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
    assertThat(feed.cancelled.await(5, TimeUnit.SECONDS)).as("stream cancelled on the server").isTrue();
  }

  /**
   * Asks for one message only, and remembers it. The Flood calls using it are 20 MB, far more than the transport's
   * windows: the server is still waiting to send when the call is cancelled.
   */
  private static final class Manual implements ClientResponseObserver<FloodRequest, Item> {
    final CompletableFuture<Item> first = new CompletableFuture<>();
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
      first.complete(item);
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
