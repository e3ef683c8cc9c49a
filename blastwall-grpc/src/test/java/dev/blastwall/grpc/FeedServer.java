package dev.blastwall.grpc;

import com.google.protobuf.ByteString;
import dev.blastwall.context.CallContext;
import dev.blastwall.grpc.test.feed.FeedGrpc;
import dev.blastwall.grpc.test.feed.FloodRequest;
import dev.blastwall.grpc.test.feed.Item;
import dev.blastwall.grpc.test.feed.SubscribeRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The test implementation of feed.proto: a log of {@code logSize} items (position i holds i) that every server
 * instance holds alike, sent only while the client's flow control lets the server send ({@code isReady()} and the
 * on-ready handler), never buffered ahead in the server's memory.
 */
final class FeedServer extends FeedGrpc.FeedImplBase {

  /** One call as the server saw it. */
  record Call(String method, int attempt, @Nullable String key, long from, long grpcRemainingNanos) {}

  final String name;
  final long logSize;
  final List<Call> calls = new CopyOnWriteArrayList<>();
  /** Statuses for the next calls to fail with before sending anything, in order. */
  final ConcurrentLinkedQueue<Status> failFirst = new ConcurrentLinkedQueue<>();
  /** When positive, every Subscribe fails with UNAVAILABLE after sending this many items. */
  volatile int failAfter;
  /** The payload of each Subscribe item (empty by default), to make the log take room in flow-control windows. */
  volatile ByteString subscribePayload = ByteString.EMPTY;

  /** When positive, the next this many Subscribe calls send nothing and wait to be cancelled. */
  final AtomicInteger hangFirst = new AtomicInteger();
  /** Counted down when a call is cancelled by its client. */
  final CountDownLatch cancelled = new CountDownLatch(1);

  /** Flood statistics: what the test's client received, the most the server was ahead of it, and its pauses. */
  final AtomicLong clientReceived = new AtomicLong();
  final AtomicLong maxOutstanding = new AtomicLong();
  final AtomicLong pauses = new AtomicLong();
  final CountDownLatch paused = new CountDownLatch(1);

  FeedServer(String name, long logSize) {
    this.name = name;
    this.logSize = logSize;
  }

  List<Call> calls(String method) {
    return calls.stream().filter(call -> call.method().equals(method)).toList();
  }

  private void record(String method, long from) {
    CallContext context = CallContext.current();
    io.grpc.Deadline deadline = Context.current().getDeadline();
    calls.add(new Call(method, context.attempt(), context.idempotency().key(), from,
        deadline == null ? Long.MIN_VALUE : deadline.timeRemaining(TimeUnit.NANOSECONDS)));
  }

  @Override
  public void subscribe(SubscribeRequest request, StreamObserver<Item> responseObserver) {
    long from = request.getFromPosition();
    record("Subscribe", from);
    Status failure = failFirst.poll();
    if (failure != null) {
      responseObserver.onError(failure.asRuntimeException());
      return;
    }
    if (hangFirst.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      ((ServerCallStreamObserver<Item>) responseObserver).setOnCancelHandler(cancelled::countDown);
      return;
    }
    int failing = failAfter;
    long end = failing > 0 ? Math.min(logSize, from + failing) : logSize;
    boolean failAtEnd = failing > 0 && from + failing < logSize;
    send((ServerCallStreamObserver<Item>) responseObserver, from, end, failAtEnd, subscribePayload, false);
  }

  @Override
  public void flood(FloodRequest request, StreamObserver<Item> responseObserver) {
    record("Flood", 0);
    Status failure = failFirst.poll();
    if (failure != null) {
      responseObserver.onError(failure.asRuntimeException());
      return;
    }
    send((ServerCallStreamObserver<Item>) responseObserver, 0, request.getCount(), false,
        ByteString.copyFrom(new byte[request.getPayloadBytes()]), true);
  }

  /**
   * Sends positions {@code [from, end)} whenever the call is ready, then completes (or fails with UNAVAILABLE).
   * gRPC runs the on-ready handler serially, so the cursor needs no lock.
   */
  private void send(ServerCallStreamObserver<Item> out, long from, long end, boolean failAtEnd, ByteString payload,
      boolean measure) {
    out.setOnCancelHandler(cancelled::countDown);
    out.setOnReadyHandler(new Runnable() {
      private long next = from;
      private boolean done;

      @Override
      public void run() {
        while (!done && next < end && out.isReady() && !out.isCancelled()) {
          out.onNext(Item.newBuilder().setPosition(next).setPayload(payload).build());
          next++;
          if (measure) {
            long outstanding = next - clientReceived.get();
            maxOutstanding.accumulateAndGet(outstanding, Math::max);
          }
        }
        if (done || out.isCancelled()) {
          return;
        }
        if (next < end) {
          // Not ready: stop here; gRPC calls this handler again when the client has made room.
          pauses.incrementAndGet();
          paused.countDown();
          return;
        }
        done = true;
        if (failAtEnd) {
          out.onError(Status.UNAVAILABLE.withDescription(name + " going away at " + next).asRuntimeException());
        } else {
          out.onCompleted();
        }
      }
    });
  }
}
