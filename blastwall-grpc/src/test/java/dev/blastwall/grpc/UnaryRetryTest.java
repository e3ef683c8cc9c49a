package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unary retries through the client interceptor, against a real server that fails on script. */
@Timeout(30)
class UnaryRetryTest {

  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();

  private final Servers servers = new Servers();
  private final EchoServer echo = new EchoServer("echo");
  private Server server;
  private EchoGrpc.EchoBlockingStub stub;
  /** Echo (not idempotent) declared keyed: the server dedups on the key, so a retry is safe. */
  private EchoGrpc.EchoBlockingStub keyed;

  @BeforeEach
  void start() {
    server = servers.start(echo, BlastwallServerInterceptor.create());
    Pipeline pipeline = Pipeline.builder("echo")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(5))).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    ManagedChannel channel = servers.channel(server, GrpcClientPolicy.builder(pipeline).build());
    stub = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(10));
    keyed = EchoGrpc.newBlockingStub(servers.channel(server,
            GrpcClientPolicy.builder(pipeline).keyed(EchoGrpc.getEchoMethod()).build()))
        .withDeadlineAfter(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
  }

  private static StatusRuntimeException status(Status status) {
    return status.asRuntimeException();
  }

  private static StatusRuntimeException withTrailer(Status status, Metadata.Key<String> key, String value) {
    Metadata trailers = new Metadata();
    trailers.put(key, value);
    return status.asRuntimeException(trailers);
  }

  @Test
  void unavailableTwice_idempotentMethod_thirdAttemptAnswers_withAttemptNumbers1To3() {
    echo.script.add(status(Status.UNAVAILABLE.withDescription("warming up")));
    echo.script.add(status(Status.UNAVAILABLE.withDescription("warming up")));

    EchoReply reply = stub.get(HELLO);

    assertThat(reply.getText()).isEqualTo("hello");
    List<EchoServer.Seen> seen = echo.seen("Get");
    assertThat(seen).extracting(EchoServer.Seen::attempt).containsExactly(1, 2, 3);
    // Declared NO_SIDE_EFFECTS in echo.proto: idempotent by nature, so no key is needed.
    assertThat(seen).extracting(EchoServer.Seen::key).containsOnlyNulls();
  }

  @Test
  void unavailableTwice_nonIdempotentKeyedMethod_everyAttemptCarriesTheSameKey() {
    echo.script.add(status(Status.UNAVAILABLE));
    echo.script.add(status(Status.UNAVAILABLE));

    EchoReply reply = keyed.echo(HELLO);

    assertThat(reply.getText()).isEqualTo("hello");
    List<EchoServer.Seen> seen = echo.seen("Echo");
    assertThat(seen).extracting(EchoServer.Seen::attempt).containsExactly(1, 2, 3);
    String key = seen.get(0).key();
    assertThat(key).isNotNull().hasSize(36);
    assertThat(seen).extracting(EchoServer.Seen::key).containsOnly(key);
  }

  @Test
  void twoLogicalCalls_getDifferentKeys() {
    keyed.echo(HELLO);
    keyed.echo(HELLO);

    List<EchoServer.Seen> seen = echo.seen("Echo");
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0).key()).isNotNull().isNotEqualTo(seen.get(1).key());
  }

  @Test
  void callerChosenKey_isSentInsteadOfAGeneratedOne() {
    keyed.withOption(BlastwallClientInterceptor.IDEMPOTENCY_KEY, "order-42").echo(HELLO);

    assertThat(echo.seen("Echo")).extracting(EchoServer.Seen::key).containsExactly("order-42");
  }

  @Test
  void callerChosenKey_onAMethodNotDeclaredKeyed_isTheCallersPromise_andTheCallIsRetried() {
    echo.script.add(status(Status.UNAVAILABLE.withDescription("failed after running")));

    stub.withOption(BlastwallClientInterceptor.IDEMPOTENCY_KEY, "order-43").echo(HELLO);

    assertThat(echo.seen("Echo")).extracting(EchoServer.Seen::key).containsExactly("order-43", "order-43");
  }

  @Test
  void nonIdempotentMethodNotDeclaredKeyed_getsNoKey() {
    stub.echo(HELLO);

    assertThat(echo.seen("Echo")).extracting(EchoServer.Seen::key).containsOnlyNulls();
  }

  @Test
  void invalidArgument_isNotRetried_andReachesTheCallerUnchanged() {
    echo.script.add(status(Status.INVALID_ARGUMENT.withDescription("text too long")));

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, () -> stub.get(HELLO));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(failure.getStatus().getDescription()).isEqualTo("text too long");
    assertThat(echo.seen("Get")).hasSize(1);
  }

  @Test
  void internal_isRetriedForAnIdempotentMethod_butNotForAKeyedOne() {
    echo.script.add(status(Status.INTERNAL));
    assertThat(stub.put(HELLO).getText()).isEqualTo("hello");
    assertThat(echo.seen("Put")).hasSize(2);

    // A key makes "did not run" failures safe to repeat, not "may have half run" ones.
    echo.script.add(status(Status.INTERNAL));
    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, () -> keyed.echo(HELLO));
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(echo.seen("Echo")).hasSize(1);
  }

  @Test
  void resourceExhaustedWithPushback200ms_isRetriedNoSoonerThan200msLater() {
    echo.script.add(withTrailer(Status.RESOURCE_EXHAUSTED, BlastwallMetadata.RETRY_PUSHBACK_MS, "200"));

    assertThat(stub.get(HELLO).getText()).isEqualTo("hello");

    List<EchoServer.Seen> seen = echo.seen("Get");
    assertThat(seen).hasSize(2);
    assertThat(Duration.ofNanos(seen.get(1).atNanos() - seen.get(0).atNanos()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(200))
        .isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void negativePushback_isNotRetried_andTheCallerSeesDoNotRetry() {
    echo.script.add(withTrailer(Status.RESOURCE_EXHAUSTED, BlastwallMetadata.RETRY_PUSHBACK_MS, "-1"));

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, () -> stub.get(HELLO));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(echo.seen("Get")).hasSize(1);
    assertThat(BlastwallMetadata.hasDoNotRetry(failure.getTrailers())).isTrue();
  }

  @Test
  void unparseablePushback_isNotRetried() {
    echo.script.add(withTrailer(Status.UNAVAILABLE, BlastwallMetadata.RETRY_PUSHBACK_MS, "soon"));

    assertThatThrownBy(() -> stub.get(HELLO)).isInstanceOf(StatusRuntimeException.class);

    assertThat(echo.seen("Get")).hasSize(1);
  }

  @Test
  void doNotRetryMarkFromTheServer_isNotRetried() {
    echo.script.add(withTrailer(Status.UNAVAILABLE, BlastwallMetadata.DO_NOT_RETRY, "true"));

    assertThatThrownBy(() -> stub.get(HELLO)).isInstanceOf(StatusRuntimeException.class);

    assertThat(echo.seen("Get")).hasSize(1);
  }

  @Test
  void exhaustedRetries_surfaceAsTheLastStatus_withTheBlastwallMessage_causeAndMark() {
    echo.failAlways(Status.UNAVAILABLE.withDescription("down"));

    StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, () -> stub.get(HELLO));

    assertThat(echo.seen("Get")).hasSize(3);
    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(failure.getStatus().getDescription()).startsWith("echo: retry: gave up after 3 attempts");
    assertThat(failure.getStatus().getCause()).isInstanceOf(RetriesExhaustedException.class);
    assertThat(BlastwallMetadata.hasDoNotRetry(failure.getTrailers())).isTrue();
  }

  @Test
  void callerContextThatForbidsRetries_makesOneAttempt_andTellsTheServer() throws Exception {
    echo.failAlways(Status.UNAVAILABLE);

    CallContext noRetries = CallContext.ROOT.withDoNotRetry(true);
    noRetries.call(() -> catchThrowableOfType(StatusRuntimeException.class, () -> stub.get(HELLO)));

    assertThat(echo.seen("Get")).hasSize(1);
    assertThat(echo.seen("Get").get(0).doNotRetry()).isTrue();
  }

  @Test
  void contextDeadline_travelsAsTheGrpcDeadline_lessTheSlack() throws Exception {
    EchoGrpc.EchoBlockingStub noStubDeadline = EchoGrpc.newBlockingStub(stub.getChannel());
    CallContext withDeadline = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofSeconds(2)));

    withDeadline.call(() -> noStubDeadline.get(HELLO));

    EchoServer.Seen seen = echo.seen("Get").get(0);
    // 2 s less min(10% of 2 s, 50 ms) of slack, less the trip.
    assertThat(Duration.ofNanos(seen.remainingNanos()))
        .isLessThanOrEqualTo(Duration.ofMillis(1950))
        .isGreaterThan(Duration.ofMillis(1000));
    assertThat(Duration.ofNanos(seen.grpcRemainingNanos())).isLessThanOrEqualTo(Duration.ofMillis(1950));
  }

  @Test
  void attemptTimeout_cancelsTheSlowAttemptOnTheServer_andTheRetryAnswers() throws Exception {
    echo.hangFirst(1);
    Pipeline withAttemptTimeout = Pipeline.builder("echo")
        .retry(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.none()).build())
        .retryBudget(RetryBudget.unlimited())
        .attemptTimeout(Duration.ofMillis(200))
        .build();
    EchoGrpc.EchoBlockingStub timed = EchoGrpc.newBlockingStub(servers.channel(server,
        GrpcClientPolicy.builder(withAttemptTimeout).build())).withDeadlineAfter(Duration.ofSeconds(10));

    EchoReply reply = timed.get(HELLO);

    assertThat(reply.getText()).isEqualTo("hello");
    assertThat(echo.cancelled.await(5, TimeUnit.SECONDS)).as("first attempt cancelled on the server").isTrue();
    assertThat(echo.seen("Get")).extracting(EchoServer.Seen::attempt).containsExactly(1, 2);
  }

  @Test
  void hedgedPipeline_slowFirstAttempt_theHedgeAnswers_andTheLoserIsCancelled() throws Exception {
    echo.hangFirst(1);
    Pipeline hedged = Pipeline.builder("echo")
        .hedge(HedgePolicy.afterDelay(Duration.ofMillis(50)))
        .hedgeBudget(RetryBudget.unlimited())
        .build();
    EchoGrpc.EchoBlockingStub stubWithHedge = EchoGrpc.newBlockingStub(servers.channel(server,
        GrpcClientPolicy.builder(hedged).build())).withDeadlineAfter(Duration.ofSeconds(3));

    EchoReply reply = stubWithHedge.get(HELLO);

    assertThat(reply.getText()).isEqualTo("hello");
    assertThat(echo.cancelled.await(5, TimeUnit.SECONDS)).as("losing attempt cancelled on the server").isTrue();
    assertThat(echo.seen("Get")).extracting(EchoServer.Seen::attempt).containsExactly(1, 2);
  }

  @Test
  void asyncStub_retriesTheSameWay_andHearsTheOutcomeOnce() throws Exception {
    echo.script.add(status(Status.UNAVAILABLE));
    CompletableFuture<EchoReply> reply = new CompletableFuture<>();
    AtomicInteger closes = new AtomicInteger();

    EchoGrpc.newStub(stub.getChannel()).withDeadlineAfter(Duration.ofSeconds(10)).get(HELLO,
        new StreamObserver<>() {
          @Override
          public void onNext(EchoReply value) {
            reply.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            closes.incrementAndGet();
            reply.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            closes.incrementAndGet();
          }
        });

    assertThat(reply.get(5, TimeUnit.SECONDS).getText()).isEqualTo("hello");
    assertThat(echo.seen("Get")).extracting(EchoServer.Seen::attempt).containsExactly(1, 2);
    assertThat(closes.get()).isLessThanOrEqualTo(1);
  }
}
