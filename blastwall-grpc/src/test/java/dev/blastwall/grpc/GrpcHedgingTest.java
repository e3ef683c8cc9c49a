package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.RetryBudget;
import io.grpc.Server;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hedging cuts the tail latency of unary calls through gRPC: a backend answers in about 5 ms except every 20th call
 * (5%), which takes 300 ms. Without hedging, p99 is the slow call; with a hedge after 30 ms, p99 is about 35 ms for
 * roughly 5% extra calls, and the losing slow call is cancelled on the server.
 */
@Timeout(60)
class GrpcHedgingTest {

  private static final int CALLS = 200;
  private static final int WARMUP = 20;
  private static final int SLOW_EVERY = 20;
  private static final long FAST_MILLIS = 5;
  private static final long SLOW_MILLIS = 300;
  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();

  private final Servers servers = new Servers();
  private final ScheduledExecutorService delays = Executors.newScheduledThreadPool(4);
  private final TailServer backend = new TailServer();
  private Server server;

  @BeforeEach
  void start() {
    server = servers.start(backend, BlastwallServerInterceptor.create());
  }

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
    delays.shutdownNow();
    assertThat(delays.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void hedgeAfter30ms_cutsP99_forAboutFivePercentExtraCalls_andCancelsTheSlowLosers() throws Exception {
    Pipeline plain = Pipeline.builder("tail").build();
    Pipeline hedged = Pipeline.builder("tail")
        .hedge(HedgePolicy.afterDelay(Duration.ofMillis(30)))
        .hedgeBudget(RetryBudget.unlimited())
        .build();
    // Put is declared IDEMPOTENT in echo.proto, so the pipeline may race copies of it.
    EchoGrpc.EchoBlockingStub plainStub = EchoGrpc.newBlockingStub(
        servers.channel(server, GrpcClientPolicy.builder(plain).build()));
    EchoGrpc.EchoBlockingStub hedgedStub = EchoGrpc.newBlockingStub(
        servers.channel(server, GrpcClientPolicy.builder(hedged).build()));

    // Warm both paths up (class loading, JIT, connections) so that fast calls are fast.
    for (int i = 0; i < WARMUP; i++) {
      plainStub.withDeadlineAfter(Duration.ofSeconds(5)).put(HELLO);
      hedgedStub.withDeadlineAfter(Duration.ofSeconds(5)).put(HELLO);
    }

    long plainStartCount = backend.calls.get();
    long[] plainLatencies = run(plainStub);
    long plainServerCalls = backend.calls.get() - plainStartCount;

    long hedgedStartCount = backend.calls.get();
    long hedgedSlowStart = backend.slowCalls.get();
    int cancelledBefore = backend.cancelledSlow.availablePermits();
    long[] hedgedLatencies = run(hedgedStub);
    long hedgedServerCalls = backend.calls.get() - hedgedStartCount;
    int hedgedSlowCalls = (int) (backend.slowCalls.get() - hedgedSlowStart);

    long plainP99 = p99Millis(plainLatencies);
    long hedgedP99 = p99Millis(hedgedLatencies);
    assertThat(plainServerCalls).as("no hedging: one server call per call").isEqualTo(CALLS);
    assertThat(plainP99).as("unhedged p99 (ms)").isGreaterThanOrEqualTo(250);
    assertThat(hedgedP99).as("hedged p99 (ms)").isLessThan(150);
    assertThat(hedgedServerCalls - CALLS).as("extra calls sent by hedging")
        .isGreaterThanOrEqualTo(hedgedSlowCalls)
        .isLessThanOrEqualTo(CALLS / 10);
    assertThat(hedgedSlowCalls).as("slow calls met while hedging").isGreaterThan(0);
    // Every slow call lost its race to a hedge, and the client cancelled it: the server observes each cancellation.
    assertThat(backend.cancelledSlow.tryAcquire(cancelledBefore + hedgedSlowCalls, 10, TimeUnit.SECONDS))
        .as("slow losers cancelled on the server").isTrue();
    assertThat(backend.failedAnswers.get()).isZero();
  }

  private static long[] run(EchoGrpc.EchoBlockingStub stub) {
    long[] latencies = new long[CALLS];
    for (int i = 0; i < CALLS; i++) {
      long start = System.nanoTime();
      EchoReply reply = stub.withDeadlineAfter(Duration.ofSeconds(5)).put(HELLO);
      latencies[i] = System.nanoTime() - start;
      assertThat(reply.getText()).isEqualTo("hello");
    }
    return latencies;
  }

  private static long p99Millis(long[] latencies) {
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(0.99 * sorted.length) - 1;
    return TimeUnit.NANOSECONDS.toMillis(sorted[index]);
  }

  /** Answers Put after 5 ms, except every 20th call (by a server-side counter), which answers after 300 ms. */
  private final class TailServer extends EchoGrpc.EchoImplBase {
    final AtomicLong calls = new AtomicLong();
    final AtomicLong slowCalls = new AtomicLong();
    final Semaphore cancelledSlow = new Semaphore(0);
    final AtomicInteger failedAnswers = new AtomicInteger();

    @Override
    public void put(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
      long n = calls.incrementAndGet();
      boolean slow = n % SLOW_EVERY == 0;
      ServerCallStreamObserver<EchoReply> observer = (ServerCallStreamObserver<EchoReply>) responseObserver;
      if (slow) {
        slowCalls.incrementAndGet();
        observer.setOnCancelHandler(cancelledSlow::release);
      } else {
        observer.setOnCancelHandler(() -> {});
      }
      var unused = delays.schedule(() -> {
        if (observer.isCancelled()) {
          return;
        }
        try {
          observer.onNext(EchoReply.newBuilder().setText(request.getText()).setServer("tail").build());
          observer.onCompleted();
        } catch (RuntimeException failed) {
          failedAnswers.incrementAndGet();
        }
      }, slow ? SLOW_MILLIS : FAST_MILLIS, TimeUnit.MILLISECONDS);
    }
  }
}
