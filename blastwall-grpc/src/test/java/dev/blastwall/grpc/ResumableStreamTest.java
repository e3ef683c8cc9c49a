package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.blastwall.grpc.test.feed.FeedGrpc;
import dev.blastwall.grpc.test.feed.Item;
import dev.blastwall.grpc.test.feed.SubscribeRequest;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resuming a committed server stream from the last position received: two servers hold the same log of 1000 items,
 * streams fail mid-way (or a server is stopped), and the client reconnects to the other one from last + 1.
 */
@Timeout(60)
class ResumableStreamTest {

  private static final int LOG = 1000;
  private static final List<Long> ALL = LongStream.range(0, LOG).boxed().toList();

  private final Servers servers = new Servers();
  private final List<ManagedChannel> extraChannels = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (ManagedChannel channel : extraChannels) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    servers.close();
  }

  private static GrpcClientPolicy policy() {
    return GrpcClientPolicy.builder(Pipeline.builder("feed")
            .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(5))).build())
            .retryBudget(RetryBudget.unlimited())
            .build())
        .build();
  }

  private static ResumableStream.Opener<Item> alternating(List<FeedGrpc.FeedBlockingStub> stubs) {
    return (from, resumes) -> stubs.get(resumes % stubs.size()).withDeadlineAfter(Duration.ofSeconds(30))
        .subscribe(SubscribeRequest.newBuilder().setFromPosition(from).build());
  }

  @Test
  void serversFailingMidStream_clientResumesOnTheOtherFromLastPlusOne_noDuplicatesNoGaps() {
    FeedServer one = new FeedServer("one", LOG);
    FeedServer two = new FeedServer("two", LOG);
    one.failAfter = 150;
    two.failAfter = 230;
    List<FeedGrpc.FeedBlockingStub> stubs = List.of(
        FeedGrpc.newBlockingStub(servers.channel(servers.start(one, BlastwallServerInterceptor.create()), policy())),
        FeedGrpc.newBlockingStub(servers.channel(servers.start(two, BlastwallServerInterceptor.create()), policy())));
    List<Long> received = new ArrayList<>();

    long next = ResumableStream.builder(alternating(stubs), Item::getPosition).build()
        .read(0, item -> received.add(item.getPosition()));

    assertThat(next).isEqualTo(LOG);
    assertThat(received).containsExactlyElementsOf(ALL);
    // 0-149 on one, 150-379 on two, 380-529 on one, 530-759 on two, 760-909 on one, 910-999 on two.
    assertThat(one.calls("Subscribe")).extracting(FeedServer.Call::from).containsExactly(0L, 380L, 760L);
    assertThat(two.calls("Subscribe")).extracting(FeedServer.Call::from).containsExactly(150L, 530L, 910L);
  }

  @Test
  void serverStoppedMidStream_clientResumesOnTheOther_noDuplicatesNoGaps() {
    FeedServer one = new FeedServer("one", LOG);
    FeedServer two = new FeedServer("two", LOG);
    // 1 KiB items through a 64 KiB window: the first server is at most a few dozen items ahead when it stops.
    ByteString payload = ByteString.copyFrom(new byte[1024]);
    one.subscribePayload = payload;
    two.subscribePayload = payload;
    Server first = servers.start(one, BlastwallServerInterceptor.create());
    Server second = servers.start(two, BlastwallServerInterceptor.create());
    List<FeedGrpc.FeedBlockingStub> stubs = List.of(FeedGrpc.newBlockingStub(windowed(first)),
        FeedGrpc.newBlockingStub(windowed(second)));
    List<Long> received = new ArrayList<>();
    AtomicInteger stopped = new AtomicInteger();

    long next = ResumableStream.builder(alternating(stubs), Item::getPosition)
        .resumeOn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED)
        .build()
        .read(0, item -> {
          received.add(item.getPosition());
          if (item.getPosition() == 99 && stopped.getAndIncrement() == 0) {
            first.shutdownNow();
          }
        });

    assertThat(next).isEqualTo(LOG);
    assertThat(received).containsExactlyElementsOf(ALL);
    assertThat(one.calls("Subscribe")).extracting(FeedServer.Call::from).containsExactly(0L);
    assertThat(two.calls("Subscribe")).isNotEmpty();
    assertThat(two.calls("Subscribe").get(0).from()).isBetween(100L, (long) LOG - 1);
  }

  // The consumer's own failure is not the stream's: it reaches the caller, and nothing is delivered twice.

  private FeedServer oneServer(List<FeedGrpc.FeedBlockingStub> stubs) {
    FeedServer feed = new FeedServer("one", LOG);
    stubs.add(FeedGrpc.newBlockingStub(servers.channel(servers.start(feed, BlastwallServerInterceptor.create()),
        policy())));
    return feed;
  }

  @Test
  void consumerThrowingAGrpcErrorOnce_failsTheRead_andNoPositionIsDeliveredTwice() {
    List<FeedGrpc.FeedBlockingStub> stubs = new ArrayList<>();
    FeedServer feed = oneServer(stubs);
    ResumableStream<Item> stream = ResumableStream.builder(alternating(stubs), Item::getPosition).build();
    List<Long> received = new ArrayList<>();
    // A status the stream resumes on, thrown by the consumer (say, from its own call to another service).
    StatusRuntimeException downstream = Status.UNAVAILABLE.withDescription("consumer's dependency").asRuntimeException();
    AtomicInteger thrown = new AtomicInteger();

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, () -> stream.read(0, item -> {
      received.add(item.getPosition());
      if (item.getPosition() == 5 && thrown.getAndIncrement() == 0) {
        throw downstream;
      }
    }));

    assertThat(failure).isSameAs(downstream);
    assertThat(received).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(feed.calls("Subscribe")).extracting(FeedServer.Call::from).containsExactly(0L);

    // Retrying the item is the caller's choice: a new read from the position that failed.
    long next = stream.read(5, item -> received.add(item.getPosition()));

    assertThat(next).isEqualTo(LOG);
    assertThat(received.subList(6, received.size())).containsExactlyElementsOf(ALL.subList(5, LOG));
  }

  @Test
  void consumerFailingPersistently_isHandedThePositionOnce_notOncePerResume() {
    List<FeedGrpc.FeedBlockingStub> stubs = new ArrayList<>();
    FeedServer feed = oneServer(stubs);
    List<Long> received = new ArrayList<>();

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> ResumableStream.builder(alternating(stubs), Item::getPosition).maxResumes(5).build().read(0, item -> {
          received.add(item.getPosition());
          if (item.getPosition() == 5) {
            throw Status.UNAVAILABLE.withDescription("consumer keeps failing").asRuntimeException();
          }
        }));

    assertThat(failure.getStatus().getDescription()).isEqualTo("consumer keeps failing");
    assertThat(received).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(feed.calls("Subscribe")).hasSize(1);
  }

  @Test
  void consumerThrowingAnythingElse_failsTheReadAsWell() {
    List<FeedGrpc.FeedBlockingStub> stubs = new ArrayList<>();
    FeedServer feed = oneServer(stubs);
    List<Long> received = new ArrayList<>();

    assertThatThrownBy(() -> ResumableStream.builder(alternating(stubs), Item::getPosition).build().read(0, item -> {
      received.add(item.getPosition());
      if (item.getPosition() == 2) {
        throw new IllegalStateException("cannot apply " + item.getPosition());
      }
    })).isInstanceOf(IllegalStateException.class).hasMessage("cannot apply 2");

    assertThat(received).containsExactly(0L, 1L, 2L);
    assertThat(feed.calls("Subscribe")).hasSize(1);
  }

  private ManagedChannel windowed(Server server) {
    ManagedChannel channel = BlastwallChannels.configure(NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
        .usePlaintext().flowControlWindow(64 * 1024), policy()).build();
    extraChannels.add(channel);
    return channel;
  }

  // The helper on its own, with scripted streams: which failures it resumes, and how it keeps order.

  private static Iterator<Long> failing(List<Long> positions, Status status) {
    Iterator<Long> items = positions.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        if (!items.hasNext()) {
          throw status.asRuntimeException();
        }
        return true;
      }

      @Override
      public Long next() {
        return items.next();
      }
    };
  }

  @Test
  void positionsBeforeTheExpectedOne_areDropped() {
    List<Long> received = new ArrayList<>();
    List<Long> froms = new ArrayList<>();

    long next = ResumableStream.<Long>builder((from, resumes) -> {
      froms.add(from);
      // The first stream fails after 0..4; the second restarts from 2 (a server that resends a little).
      return resumes == 0 ? failing(List.of(0L, 1L, 2L, 3L, 4L), Status.UNAVAILABLE)
          : List.of(2L, 3L, 4L, 5L, 6L).iterator();
    }, Long::longValue).build().read(0, received::add);

    assertThat(next).isEqualTo(7);
    assertThat(received).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(froms).containsExactly(0L, 5L);
  }

  @Test
  void aSkippedPosition_failsWithDataLoss() {
    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> ResumableStream.<Long>builder((from, resumes) -> List.of(0L, 1L, 3L).iterator(), Long::longValue)
            .build().read(0, item -> {}));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
    assertThat(failure.getStatus().getDescription()).isEqualTo("stream skipped positions 2 to 2");
  }

  @Test
  void aNonResumableStatus_isThrownAtOnce() {
    AtomicInteger opens = new AtomicInteger();

    assertThatThrownBy(() -> ResumableStream.<Long>builder((from, resumes) -> {
      opens.incrementAndGet();
      return failing(List.of(0L), Status.PERMISSION_DENIED);
    }, Long::longValue).build().read(0, item -> {})).isInstanceOf(StatusRuntimeException.class);

    assertThat(opens.get()).isEqualTo(1);
  }

  @Test
  void reopensThatReceiveNothing_giveUpAfterMaxResumesInARow() {
    AtomicInteger opens = new AtomicInteger();

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> ResumableStream.<Long>builder((from, resumes) -> {
          opens.incrementAndGet();
          // Progress on the first open only.
          return failing(resumes == 0 ? List.of(0L, 1L) : List.of(), Status.UNAVAILABLE);
        }, Long::longValue).maxResumes(2).build().read(0, item -> {}));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    // The first open (progress), then reopens that receive nothing: the third in a row exceeds maxResumes(2).
    assertThat(opens.get()).isEqualTo(4);
  }
}
