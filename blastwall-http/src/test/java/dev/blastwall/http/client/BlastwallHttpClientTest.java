package dev.blastwall.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.BlastwallException;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeTicker;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against real JDK servers on 127.0.0.1 (with Blastwall's filter): behaviour, bounded waits. */
class BlastwallHttpClientTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
    http.close();
  }

  private TestServer server(com.sun.net.httpserver.HttpHandler handler) {
    TestServer server = TestServer.start(handler);
    open.add(server);
    return server;
  }

  static Pipeline retrying(String upstream, int attempts) {
    return Pipeline.builder(upstream)
        .retry(RetryPolicy.builder().maxAttempts(attempts)
            .backoff(Backoff.exponential(Duration.ofMillis(5), Duration.ofSeconds(2))).build())
        .retryBudget(RetryBudget.unlimited())
        .build();
  }

  private static HttpRequest get(java.net.URI uri) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
  }

  @Test
  void a503Get_isRetried_andTheRetryIsNumbered() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    TestServer server = server(exchange -> TestServer.reply(exchange, calls.incrementAndGet() < 3 ? 503 : 200, "x"));
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, retrying("orders", 3)).build();
    HttpResponse<String> response = client.send(get(server.uri("/orders/7")), BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(server.hits()).isEqualTo(3);
    assertThat(server.seen.get(0).headers().getFirst("blastwall-attempt")).isNull();
    assertThat(server.seen.get(2).headers().getFirst("blastwall-attempt")).isEqualTo("3");
  }

  @Test
  void aPostWithoutADeclaredKey_isNeverRetriedOnceSent_evenWithAKeyHeader() throws Exception {
    TestServer server = server(exchange -> TestServer.reply(exchange, 503, "busy"));
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, retrying("orders", 3)).build();
    HttpRequest post = HttpRequest.newBuilder(server.uri("/orders"))
        .header("idempotency-key", "my-own").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    assertThatThrownBy(() -> client.send(post, BodyHandlers.ofString()))
        .isInstanceOfSatisfying(HttpStatusFailure.class, failure -> {
          assertThat(failure.status()).isEqualTo(503);
          assertThat(failure.response().body()).isEqualTo("busy");
        });
    assertThat(server.hits()).isEqualTo(1);
    assertThat(server.seen.get(0).headers().getFirst("idempotency-key")).isEqualTo("my-own");
  }

  @Test
  void aDeclaredKeyedPost_isRetried_withOneKeyAndItsBodyReplayed() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
    TestServer server = server(exchange -> TestServer.reply(exchange, calls.incrementAndGet() == 1 ? 502 : 201, ""));
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, retrying("payments", 3))
        .keyed(request -> request.uri().getPath().startsWith("/payments")).build();
    HttpRequest post = HttpRequest.newBuilder(server.uri("/payments"))
        .POST(ReplayableBodies.ofBytes(() -> {
          bodies.add("opened");
          return "{\"amount\":5}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        })).build();
    assertThat(client.send(post, BodyHandlers.discarding()).statusCode()).isEqualTo(201);
    assertThat(server.hits()).isEqualTo(2);
    String key = server.seen.get(0).headers().getFirst("idempotency-key");
    assertThat(key).hasSize(36);
    assertThat(server.seen.get(1).headers().getFirst("idempotency-key")).isEqualTo(key);
    assertThat(bodies).hasSize(2);
  }

  @Test
  void retryAfter_isHonoured() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    TestServer server = server(exchange -> {
      if (calls.incrementAndGet() == 1) {
        TestServer.reply(exchange, 503, "", "retry-after-ms", "300");
      } else {
        TestServer.reply(exchange, 200, "ok");
      }
    });
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, retrying("orders", 3)).build();
    assertThat(client.send(get(server.uri("/a")), BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    long waited = server.seen.get(1).arrivedNanos() - server.seen.get(0).arrivedNanos();
    assertThat(Duration.ofNanos(waited)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void retryAfterPastTheDeadline_isNotWaitedFor() throws Exception {
    TestServer server = server(exchange -> TestServer.reply(exchange, 503, "", "retry-after", "30"));
    Pipeline pipeline = Pipeline.builder("orders").timeout(Duration.ofSeconds(5))
        .retry(RetryPolicy.builder().maxAttempts(3)
            .backoff(Backoff.exponential(Duration.ofMillis(5), Duration.ofMinutes(1))).build())
        .retryBudget(RetryBudget.unlimited()).build();
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, pipeline).build();
    long start = System.nanoTime();
    assertThatThrownBy(() -> client.send(get(server.uri("/a")), BodyHandlers.ofString()))
        .isInstanceOfSatisfying(HttpStatusFailure.class, failure -> assertThat(failure.doNotRetry()).isTrue());
    assertThat(server.hits()).isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void theAttemptTimeout_closesTheExchange() throws Exception {
    try (ServerSocket blackHole = new ServerSocket(0, 50, TestServer.LOOPBACK)) {
      CountDownLatch closedByClient = new CountDownLatch(1);
      Thread.ofVirtual().start(() -> {
        try (Socket socket = blackHole.accept()) {
          socket.setSoTimeout(10_000);
          // Read the request and beyond: -1 means the client closed the connection.
          while (socket.getInputStream().read() >= 0) {
            // never answer
          }
          closedByClient.countDown();
        } catch (java.io.IOException ignored) {
          // a timeout leaves the latch up, and the assertion below fails
        }
      });
      Pipeline pipeline = Pipeline.builder("hole").attemptTimeout(Duration.ofMillis(200)).build();
      BlastwallHttpClient client = BlastwallHttpClient.builder(http, pipeline).build();
      HttpRequest request = get(java.net.URI.create("http://127.0.0.1:" + blackHole.getLocalPort() + "/x"));
      assertThatThrownBy(() -> client.send(request, BodyHandlers.ofString())).isInstanceOf(BlastwallException.class);
      assertThat(closedByClient.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void sendAsync_retriesLikeSend() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    TestServer server = server(exchange -> TestServer.reply(exchange, calls.incrementAndGet() == 1 ? 504 : 200, "y"));
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, retrying("orders", 3)).build();
    HttpResponse<String> response = client.sendAsync(get(server.uri("/a")), BodyHandlers.ofString())
        .get(10, TimeUnit.SECONDS);
    assertThat(response.body()).isEqualTo("y");
    assertThat(server.hits()).isEqualTo(2);
  }

  @Test
  void theDeadlineIsSentWithSlack_onTheCallersClock() throws Exception {
    FakeTicker ticker = new FakeTicker();
    TestServer server = server(exchange -> TestServer.reply(exchange, 200, ""));
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, Pipeline.builder("orders").ticker(ticker).build())
        .build();
    CallContext.ROOT.withDeadline(Deadline.after(Duration.ofSeconds(2), ticker))
        .call(() -> client.send(get(server.uri("/a")), BodyHandlers.discarding()));
    // 2 s less the default slack (10%, at most 50 ms), on a clock that did not move.
    assertThat(server.seen.get(0).headers().getFirst("grpc-timeout")).isEqualTo("1950000u");
  }
}
