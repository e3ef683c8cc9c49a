package dev.blastwall.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.grpc.test.echo.CountRequest;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.grpc.test.echo.SumReply;
import dev.blastwall.grpc.test.echo.SumRequest;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
 * The test implementation of echo.proto: records what each handler callback saw of its {@link CallContext}, and
 * answers unary calls from a script (fail these first, then answer), or relays them to a downstream server, or
 * hangs until cancelled.
 */
final class EchoServer extends EchoGrpc.EchoImplBase {

  /** What one handler callback saw. {@code remainingNanos} is {@link Long#MIN_VALUE} without a deadline. */
  record Seen(String server, String method, String callback, int attempt, @Nullable String key,
      Criticality criticality, boolean doNotRetry, long remainingNanos, long grpcRemainingNanos, long atNanos) {

    static Seen now(String server, String method, String callback) {
      CallContext context = CallContext.current();
      Deadline deadline = context.deadline();
      io.grpc.Deadline grpc = Context.current().getDeadline();
      return new Seen(server, method, callback, context.attempt(), context.idempotency().key(),
          context.criticality(), context.doNotRetry(),
          deadline == null ? Long.MIN_VALUE : deadline.remainingNanos(),
          grpc == null ? Long.MIN_VALUE : grpc.timeRemaining(TimeUnit.NANOSECONDS), System.nanoTime());
    }
  }

  final String name;
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  /** Answers for the next unary calls, in order; once empty, calls succeed (or do what the mode says). */
  final ConcurrentLinkedQueue<StatusRuntimeException> script = new ConcurrentLinkedQueue<>();
  final CountDownLatch reached = new CountDownLatch(1);
  final CountDownLatch cancelled = new CountDownLatch(1);
  final AtomicLong handled = new AtomicLong();

  private volatile @Nullable Status alwaysFail;
  private volatile boolean hang;
  private final AtomicInteger hangFirst = new AtomicInteger();
  private volatile EchoGrpc.@Nullable EchoBlockingStub downstream;
  private volatile boolean stripMark;

  EchoServer(String name) {
    this.name = name;
  }

  /** Every unary call fails with {@code status}. */
  EchoServer failAlways(Status status) {
    this.alwaysFail = status;
    return this;
  }

  /** Unary calls never answer: they signal {@link #reached} and wait for their context to be cancelled. */
  EchoServer hang() {
    this.hang = true;
    return this;
  }

  /** The next {@code calls} unary calls hang like {@link #hang()}; later ones answer. */
  EchoServer hangFirst(int calls) {
    hangFirst.set(calls);
    return this;
  }

  /** Unary calls are relayed to {@code next} with its {@code Get} (a handler calling its own dependency). */
  EchoServer relayTo(EchoGrpc.EchoBlockingStub next) {
    this.downstream = next;
    return this;
  }

  /** Relayed failures go up as a bare status, without the downstream's trailers (a naive relay). */
  EchoServer stripMarkWhenRelaying() {
    this.stripMark = true;
    return this;
  }

  List<Seen> seen(String method) {
    return seen.stream().filter(s -> s.method().equals(method)).toList();
  }

  @Override
  public void echo(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
    unary("Echo", request, responseObserver);
  }

  @Override
  public void get(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
    unary("Get", request, responseObserver);
  }

  @Override
  public void put(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
    unary("Put", request, responseObserver);
  }

  private void unary(String method, EchoRequest request, StreamObserver<EchoReply> responseObserver) {
    seen.add(Seen.now(name, method, "invoke"));
    handled.incrementAndGet();
    StatusRuntimeException scripted = script.poll();
    if (scripted != null) {
      responseObserver.onError(scripted);
      return;
    }
    Status failure = alwaysFail;
    if (failure != null) {
      responseObserver.onError(failure.asRuntimeException());
      return;
    }
    if (hang || hangFirst.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      CallContext.current().cancellation().onCancel(cancelled::countDown);
      reached.countDown();
      return;
    }
    EchoGrpc.EchoBlockingStub next = downstream;
    if (next != null) {
      EchoReply downstreamReply;
      try {
        downstreamReply = next.get(request);
      } catch (StatusRuntimeException e) {
        responseObserver.onError(stripMark ? Status.fromCode(e.getStatus().getCode()).asRuntimeException() : e);
        return;
      }
      responseObserver.onNext(downstreamReply.toBuilder().setServer(name + ">" + downstreamReply.getServer()).build());
      responseObserver.onCompleted();
      return;
    }
    responseObserver.onNext(EchoReply.newBuilder().setText(request.getText()).setServer(name).build());
    responseObserver.onCompleted();
  }

  @Override
  public void count(CountRequest request, StreamObserver<EchoReply> responseObserver) {
    seen.add(Seen.now(name, "Count", "invoke"));
    for (int i = 0; i < request.getCount(); i++) {
      responseObserver.onNext(EchoReply.newBuilder().setText(Integer.toString(i)).setServer(name).build());
    }
    responseObserver.onCompleted();
  }

  @Override
  public StreamObserver<SumRequest> sum(StreamObserver<SumReply> responseObserver) {
    seen.add(Seen.now(name, "Sum", "invoke"));
    return new StreamObserver<>() {
      private long sum;

      @Override
      public void onNext(SumRequest value) {
        seen.add(Seen.now(name, "Sum", "onNext"));
        sum += value.getValue();
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        seen.add(Seen.now(name, "Sum", "onCompleted"));
        responseObserver.onNext(SumReply.newBuilder().setSum(sum).build());
        responseObserver.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<EchoRequest> chat(StreamObserver<EchoReply> responseObserver) {
    seen.add(Seen.now(name, "Chat", "invoke"));
    CallContext.current().cancellation().onCancel(cancelled::countDown);
    reached.countDown();
    return new StreamObserver<>() {
      @Override
      public void onNext(EchoRequest value) {
        seen.add(Seen.now(name, "Chat", "onNext"));
        responseObserver.onNext(EchoReply.newBuilder().setText(value.getText()).setServer(name).build());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        seen.add(Seen.now(name, "Chat", "onCompleted"));
        responseObserver.onCompleted();
      }
    };
  }
}
