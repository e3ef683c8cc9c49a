package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.server.Admission;
import dev.blastwall.server.Permit;
import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server interceptor on real servers: expired deadlines, admission control, failures mapped to statuses. */
@Timeout(30)
class ServerInterceptorTest {

  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();

  private final Servers servers = new Servers();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
    timer.shutdownNow();
  }

  private EchoGrpc.EchoBlockingStub client(Server server, Pipeline pipeline) {
    return EchoGrpc.newBlockingStub(servers.channel(server, GrpcClientPolicy.builder(pipeline).build()))
        .withDeadlineAfter(Duration.ofSeconds(10));
  }

  private EchoGrpc.EchoBlockingStub client(Server server) {
    return client(server, Pipeline.builder("echo").build());
  }

  /** What the outer test interceptor does to a request's deadline before Blastwall's interceptor sees it. */
  private enum Arrival {
    /** The request arrives with its deadline already passed (as with {@code grpc-timeout: 0n} from some peer). */
    EXPIRED,
    /** The deadline runs out in transit: here, while this interceptor waits for it (on gRPC's timer, bounded). */
    EXPIRES_IN_TRANSIT
  }

  /** Records how the call was closed, from outside the Blastwall interceptor. */
  private static final class ClosedWith implements ServerInterceptor {
    final CopyOnWriteArrayList<Status> statuses = new CopyOnWriteArrayList<>();
    final CountDownLatch closed = new CountDownLatch(1);
    final ScheduledExecutorService timer;
    final Arrival arrival;

    ClosedWith(ScheduledExecutorService timer, Arrival arrival) {
      this.timer = timer;
      this.arrival = arrival;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
        ServerCallHandler<ReqT, RespT> next) {
      ServerCall<ReqT, RespT> recording = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        @Override
        public void close(Status status, Metadata trailers) {
          statuses.add(status);
          closed.countDown();
          super.close(status, trailers);
        }
      };
      if (arrival == Arrival.EXPIRES_IN_TRANSIT) {
        io.grpc.Deadline deadline = Objects.requireNonNull(Context.current().getDeadline());
        CountDownLatch expired = new CountDownLatch(1);
        var unused = deadline.runOnExpiration(expired::countDown, timer);
        try {
          assertThat(expired.await(5, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return next.startCall(recording, headers);
      }
      Context.CancellableContext past =
          Context.current().withDeadline(io.grpc.Deadline.after(-1, TimeUnit.MILLISECONDS), timer);
      Context previous = past.attach();
      try {
        return next.startCall(recording, headers);
      } finally {
        past.detach(previous);
      }
    }
  }

  @Test
  void requestArrivingAfterItsDeadline_isAnsweredDeadlineExceeded_withoutRunningTheHandler() {
    EchoServer echo = new EchoServer("echo");
    ClosedWith outer = new ClosedWith(timer, Arrival.EXPIRED);
    Server server = servers.start(echo, BlastwallServerInterceptor.create(), outer);

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> client(server).get(HELLO));

    assertThat(echo.handled.get()).isZero();
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(failure.getStatus().getDescription()).contains("the handler did not run");
    assertThat(outer.statuses).extracting(Status::getCode).containsExactly(Status.Code.DEADLINE_EXCEEDED);
  }

  @Test
  void deadlinePassingInTransit_isRejectedBeforeTheHandler() throws InterruptedException {
    EchoServer echo = new EchoServer("echo");
    ClosedWith outer = new ClosedWith(timer, Arrival.EXPIRES_IN_TRANSIT);
    Server server = servers.start(echo, BlastwallServerInterceptor.create(), outer);

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
        () -> client(server).withDeadlineAfter(Duration.ofMillis(100)).get(HELLO));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    // The client gave up at its own deadline; the server's answer comes after it.
    assertThat(outer.closed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(echo.handled.get()).isZero();
    assertThat(outer.statuses).extracting(Status::getCode).containsExactly(Status.Code.DEADLINE_EXCEEDED);
  }

  /** Sheds SHEDDABLE calls with a 50 ms hint; counts what it sees. */
  private static final class ShedSheddable implements Admission {
    final AtomicInteger asked = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();
    final CountDownLatch releasedOnce = new CountDownLatch(1);

    @Override
    public @Nullable Permit tryAdmit(CallContext context) {
      asked.incrementAndGet();
      if (context.criticality() == Criticality.SHEDDABLE) {
        return null;
      }
      return new Permit() {
        @Override
        public void onSuccess() {
          release();
        }

        @Override
        public void onDropped() {
          release();
        }

        @Override
        public void onIgnore() {
          release();
        }
      };
    }

    @Override
    public OverloadedException rejection(CallContext context) {
      return new OverloadedException("echo", "admission", "SHEDDABLE shed", Duration.ofMillis(50).toNanos(), "shed");
    }

    private void release() {
      released.incrementAndGet();
      releasedOnce.countDown();
    }
  }

  @Test
  void admissionRefusal_isResourceExhaustedWithPushbackAndMark_andTheHandlerDoesNotRun() throws Exception {
    EchoServer echo = new EchoServer("echo");
    ShedSheddable admission = new ShedSheddable();
    Server server = servers.start(echo, BlastwallServerInterceptor.builder().admission(admission).build());
    // A plain gRPC client (no Blastwall interceptor) sees the wire as it is.
    ManagedChannel plain = io.grpc.Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(),
        io.grpc.InsecureChannelCredentials.create()).disableRetry().build();
    try {
      Metadata sheddable = new Metadata();
      sheddable.put(BlastwallMetadata.CRITICALITY, "SHEDDABLE");
      StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
          () -> EchoGrpc.newBlockingStub(plain)
              .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(sheddable))
              .get(HELLO));

      assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      Metadata trailers = Objects.requireNonNull(failure.getTrailers());
      assertThat(trailers.get(BlastwallMetadata.RETRY_PUSHBACK_MS)).isEqualTo("50");
      assertThat(BlastwallMetadata.hasDoNotRetry(trailers)).isTrue();
      assertThat(echo.handled.get()).isZero();
      assertThat(admission.released.get()).isZero();
    } finally {
      plain.shutdownNow();
      plain.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void admissionRefusal_theImmediateCallerRetriesAfterThePushback_thenGivesUpMarked() throws Exception {
    EchoServer echo = new EchoServer("echo");
    ShedSheddable admission = new ShedSheddable();
    Server server = servers.start(echo, BlastwallServerInterceptor.builder().admission(admission).build());
    Pipeline twoAttempts = Pipeline.builder("echo")
        .retry(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.none()).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    EchoGrpc.EchoBlockingStub stub = client(server, twoAttempts);

    StatusRuntimeException failure = CallContext.ROOT.withCriticality(Criticality.SHEDDABLE)
        .call(() -> catchThrowableOfType(StatusRuntimeException.class, () -> stub.get(HELLO)));

    assertThat(admission.asked.get()).isEqualTo(2);
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    // Handed up the stack, the overload says "do not retry" to everyone: the pushback was for this caller only.
    Metadata trailers = Objects.requireNonNull(failure.getTrailers());
    assertThat(BlastwallMetadata.hasDoNotRetry(trailers)).isTrue();
    assertThat(trailers.get(BlastwallMetadata.RETRY_PUSHBACK_MS)).isEqualTo("-1");
  }

  @Test
  void admittedCall_runsAndIsReleasedOnce() throws Exception {
    EchoServer echo = new EchoServer("echo");
    ShedSheddable admission = new ShedSheddable();
    Server server = servers.start(echo, BlastwallServerInterceptor.builder().admission(admission).build());

    EchoReply reply = CallContext.ROOT.withCriticality(Criticality.CRITICAL_PLUS)
        .call(() -> client(server).get(HELLO));

    assertThat(reply.getText()).isEqualTo("hello");
    assertThat(echo.seen.get(0).criticality()).isEqualTo(Criticality.CRITICAL_PLUS);
    assertThat(admission.releasedOnce.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(admission.released.get()).isEqualTo(1);
  }

  /** A service whose handler fails in the ways a Blastwall-guarded handler does. */
  private static final class Failing extends EchoGrpc.EchoImplBase {
    @Override
    public void get(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
      switch (request.getText()) {
        case "breaker-thrown" -> throw new CallNotPermittedException("inventory", "circuit OPEN", 0, 1_000_000, 500);
        case "deadline-onError" -> responseObserver.onError(
            new DeadlineExceededException("inventory", "deadline passed", 2, -1, null));
        case "overloaded-onError" -> responseObserver.onError(
            new OverloadedException("echo", "queue", "queue full", Duration.ofMillis(1500).toNanos(), "queue-full"));
        default -> responseObserver.onError(Status.NOT_FOUND.asRuntimeException());
      }
    }
  }

  @Test
  void blastwallFailuresFromTheHandler_becomeTheirStatuses_thrownOrPassedToOnError() {
    Server server = servers.start(new Failing(), BlastwallServerInterceptor.create());
    EchoGrpc.EchoBlockingStub stub = client(server);

    StatusRuntimeException breaker = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.get(EchoRequest.newBuilder().setText("breaker-thrown").build()));
    assertThat(breaker.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(breaker.getStatus().getDescription()).contains("inventory: circuit-breaker: circuit OPEN");
    assertThat(BlastwallMetadata.hasDoNotRetry(breaker.getTrailers())).isTrue();

    StatusRuntimeException deadline = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.get(EchoRequest.newBuilder().setText("deadline-onError").build()));
    assertThat(deadline.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);

    // The pushback was this client's to use (one attempt: it did not); what it hands up says "do not retry".
    StatusRuntimeException overloaded = catchThrowableOfType(StatusRuntimeException.class,
        () -> stub.get(EchoRequest.newBuilder().setText("overloaded-onError").build()));
    assertThat(overloaded.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(BlastwallMetadata.hasDoNotRetry(overloaded.getTrailers())).isTrue();

  }
}
