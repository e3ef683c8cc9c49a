package dev.blastwall.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpHandler;
import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.pipeline.Pipeline;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A 3-hop HTTP chain A (this test) -> B -> C on real JDK servers with Blastwall's filter, each hop calling the
 * next with a {@link BlastwallHttpClient}: the deadline shrinks hop by hop, the last hop's work stops when the
 * first caller gives up, and only one layer retries.
 */
class HttpChainTest {

  /** Default slack: 10% of the remaining budget, at most 50 ms; every budget here is above 500 ms. */
  private static final long SLACK_NANOS = Duration.ofMillis(50).toNanos();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
    http.close();
  }

  private TestServer server(HttpHandler handler) {
    TestServer server = TestServer.start(handler);
    open.add(server);
    return server;
  }

  /** B: records its remaining budget, then relays the request to {@code next} and answers with its status. */
  private TestServer relay(BlastwallHttpClient client, URI next, AtomicLong remainingNanos) {
    return server(exchange -> {
      Deadline deadline = CallContext.current().deadline();
      remainingNanos.set(deadline == null ? Long.MAX_VALUE : deadline.remainingNanos());
      try {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(next).build(), BodyHandlers.ofString());
        TestServer.reply(exchange, answer.statusCode(), answer.body());
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("relay interrupted");
      }
    });
  }

  private static void onDeadline(Duration budget, ThrowingCall call) throws Exception {
    CallContext.ROOT.withDeadline(Deadline.after(budget)).call(() -> {
      call.run();
      return null;
    });
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void theDeadlineShrinksAtEveryHop_andTheLastHopStopsWhenTheFirstCallerGivesUp() throws Exception {
    AtomicLong atB = new AtomicLong();
    AtomicLong atC = new AtomicLong();
    CountDownLatch cStarted = new CountDownLatch(1);
    CountDownLatch cCancelled = new CountDownLatch(1);
    TestServer c = server(exchange -> {
      CallContext context = CallContext.current();
      Deadline deadline = context.deadline();
      atC.set(deadline == null ? Long.MAX_VALUE : deadline.remainingNanos());
      var unused = context.cancellation().onCancel(cCancelled::countDown);
      cStarted.countDown();
      try {
        // The work: runs until the context is cancelled (or far longer than any budget here).
        boolean stopped = cCancelled.await(30, TimeUnit.SECONDS);
        TestServer.reply(exchange, stopped ? 499 : 200, "");
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("work interrupted");
      }
    });
    TestServer b = relay(BlastwallHttpClient.builder(http, Pipeline.builder("c").build()).build(), c.uri("/c"), atB);
    BlastwallHttpClient a = BlastwallHttpClient.builder(http, Pipeline.builder("b").build()).build();

    long start = System.nanoTime();
    assertThatThrownBy(() -> onDeadline(Duration.ofMillis(1500),
        () -> a.send(HttpRequest.newBuilder(b.uri("/b")).build(), BodyHandlers.ofString())))
        .isInstanceOf(RuntimeException.class);

    assertThat(cStarted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(cCancelled.await(10, TimeUnit.SECONDS)).as("C's context is cancelled and its work stops").isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    assertThat(atB.get()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(1500).toNanos() - SLACK_NANOS);
    assertThat(atC.get()).isPositive().isLessThanOrEqualTo(atB.get() - SLACK_NANOS);
  }

  @Test
  void onlyOneLayerRetries_aFailingLastHopIsTriedAsOftenAsTheFirstHopAllows() throws Exception {
    TestServer c = server(exchange -> TestServer.reply(exchange, 503, "down"));
    AtomicLong unused = new AtomicLong();
    TestServer b = relay(BlastwallHttpClient.builder(http, BlastwallHttpClientTest.retrying("c", 3)).build(),
        c.uri("/c"), unused);
    BlastwallHttpClient a = BlastwallHttpClient.builder(http, BlastwallHttpClientTest.retrying("b", 3)).build();

    assertThatThrownBy(() -> onDeadline(Duration.ofSeconds(20),
        () -> a.send(HttpRequest.newBuilder(b.uri("/b")).build(), BodyHandlers.ofString())))
        .isInstanceOf(RuntimeException.class);

    // Three at C, not 3 x 3: one layer multiplies, the others relay its verdict.
    assertThat(c.hits()).isEqualTo(3);
  }

  @Test
  void aMiddleHopThatIsARetry_doesNotRetryAgain() throws IOException, InterruptedException {
    TestServer c = server(exchange -> TestServer.reply(exchange, 503, "down"));
    AtomicLong unused = new AtomicLong();
    TestServer b = relay(BlastwallHttpClient.builder(http, BlastwallHttpClientTest.retrying("c", 3)).build(),
        c.uri("/c"), unused);
    // A caller that says "do not retry" below it: B makes one attempt.
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(b.uri("/b"))
        .header("blastwall-do-not-retry", "true").build(), BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(c.hits()).isEqualTo(1);
  }
}
