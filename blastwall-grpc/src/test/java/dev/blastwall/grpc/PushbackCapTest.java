package dev.blastwall.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.time.Cancellable;
import dev.blastwall.time.Scheduler;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server's {@code grpc-retry-pushback-ms} is honoured up to the retry policy's cap, so a huge one cannot park a
 * call that has no deadline; and a call cancelled while its retry waits takes the retry off the scheduler.
 */
@Timeout(30)
class PushbackCapTest {

  private static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();
  private static final Duration CAP = Duration.ofMillis(300);

  private final Servers servers = new Servers();
  private final EchoServer echo = new EchoServer("echo");
  private Server server;

  @BeforeEach
  void start() {
    server = servers.start(echo, BlastwallServerInterceptor.create());
  }

  @AfterEach
  void stop() throws InterruptedException {
    servers.close();
  }

  private void pushBackOnce(String millis) {
    Metadata trailers = new Metadata();
    trailers.put(BlastwallMetadata.RETRY_PUSHBACK_MS, millis);
    echo.script.add(Status.RESOURCE_EXHAUSTED.withDescription("come back later").asRuntimeException(trailers));
  }

  @ParameterizedTest
  @ValueSource(strings = {"3600000", "2147483648", "999999999999999999"})
  void hugePushback_onACallWithoutDeadline_waitsNoLongerThanTheBackoffCap(String pushback) {
    pushBackOnce(pushback);
    Pipeline pipeline = Pipeline.builder("echo")
        .retry(RetryPolicy.builder().maxAttempts(3)
            .backoff(Backoff.exponentialFullJitter(Duration.ofMillis(10), CAP)).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
    // No deadline anywhere: only the cap bounds the wait.
    EchoGrpc.EchoBlockingStub stub =
        EchoGrpc.newBlockingStub(servers.channel(server, GrpcClientPolicy.builder(pipeline).build()));

    EchoReply reply = stub.get(HELLO);

    assertThat(reply.getText()).isEqualTo("hello");
    List<EchoServer.Seen> seen = echo.seen("Get");
    assertThat(seen).hasSize(2);
    assertThat(Duration.ofNanos(seen.get(1).atNanos() - seen.get(0).atNanos()))
        .isGreaterThanOrEqualTo(CAP).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void callCancelledWhileItsRetryWaitsOutAPushback_takesTheRetryOffTheScheduler() throws Exception {
    pushBackOnce("3600000");
    CountingScheduler scheduler = new CountingScheduler();
    Pipeline pipeline = Pipeline.builder("echo")
        .scheduler(scheduler)
        .retry(RetryPolicy.defaults()) // the default backoff's cap: the pushback is honoured as 10 s
        .retryBudget(RetryBudget.unlimited())
        .build();
    EchoGrpc.EchoFutureStub stub =
        EchoGrpc.newFutureStub(servers.channel(server, GrpcClientPolicy.builder(pipeline).build()));

    ListenableFuture<EchoReply> reply = stub.get(HELLO);
    scheduler.longWait.get(10, TimeUnit.SECONDS);
    assertThat(scheduler.pending()).as("the retry, waiting out the (capped) pushback").isEqualTo(1);
    assertThat(reply.cancel(/* mayInterruptIfRunning= */ true)).isTrue();

    assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
    // The stub's future is cancelled at once; gRPC hands the cancel to the call on its own executor, so the retry
    // leaves the scheduler soon after. Left there, it would wait out the 10 s pushback.
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (scheduler.pending() != 0 && System.nanoTime() < giveUp) {
      Thread.sleep(5);
    }
    assertThat(scheduler.pending()).as("nothing left scheduled for the cancelled call").isZero();
    assertThat(echo.seen("Get")).hasSize(1);
  }

  /** The system scheduler, counting the tasks that are scheduled and neither ran nor were cancelled. */
  private static final class CountingScheduler implements Scheduler {
    private final AtomicInteger pending = new AtomicInteger();
    /** Completed once a task is scheduled a second or more ahead: the retry waiting out the pushback. */
    final CompletableFuture<Void> longWait = new CompletableFuture<>();

    int pending() {
      return pending.get();
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
      AtomicBoolean settled = new AtomicBoolean();
      pending.incrementAndGet();
      Cancellable scheduled = Scheduler.system().schedule(() -> {
        if (settled.compareAndSet(false, true)) {
          pending.decrementAndGet();
          task.run();
        }
      }, delayNanos);
      if (delayNanos >= TimeUnit.SECONDS.toNanos(1)) {
        longWait.complete(null);
      }
      return () -> {
        boolean cancelled = settled.compareAndSet(false, true);
        if (cancelled) {
          pending.decrementAndGet();
        }
        var unused = scheduled.cancel();
        return cancelled;
      };
    }

    @Override
    public void sleep(long delayNanos) throws InterruptedException {
      Scheduler.system().sleep(delayNanos);
    }
  }
}
