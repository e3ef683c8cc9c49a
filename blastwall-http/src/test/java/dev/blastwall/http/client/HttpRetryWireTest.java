package dev.blastwall.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpHandler;
import dev.blastwall.balance.RoundRobinSelector;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.time.Environment;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the wire says about retrying, on real servers: Retry-After in both forms, and a POST's fate by reach. */
class HttpRetryWireTest {

  /** The wall clock the client reads a Retry-After date against; the date below is two seconds after it. */
  private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

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

  /** Answers 503 with {@code retryAfter} the first time, 200 after. */
  private TestServer shedOnceWith(String retryAfter) {
    AtomicInteger calls = new AtomicInteger();
    return server(exchange -> {
      if (calls.incrementAndGet() == 1) {
        TestServer.reply(exchange, 503, "", "retry-after", retryAfter);
      } else {
        TestServer.reply(exchange, 200, "ok");
      }
    });
  }

  private static Pipeline retrying(Duration timeout) {
    return retrying(timeout, Environment.system());
  }

  /** The client reads Retry-After dates on its pipeline's wall clock. */
  private static Pipeline retrying(Duration timeout, Environment environment) {
    return Pipeline.builder("orders").environment(environment).timeout(timeout)
        .retry(RetryPolicy.builder().maxAttempts(3)
            .backoff(Backoff.exponential(Duration.ofMillis(5), Duration.ofSeconds(5))).build())
        .retryBudget(RetryBudget.unlimited()).build();
  }

  private static Duration gap(TestServer server) {
    return Duration.ofNanos(server.seen.get(1).arrivedNanos() - server.seen.get(0).arrivedNanos());
  }

  @Test
  void retryAfterDeltaSeconds_isWaitedInsteadOfTheBackoff() throws Exception {
    TestServer server = shedOnceWith("1");
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, retrying(Duration.ofSeconds(20))).build();
    assertThat(client.send(HttpRequest.newBuilder(server.uri("/a")).build(), BodyHandlers.ofString()).body())
        .isEqualTo("ok");
    // The first backoff alone is about 5 ms: a gap of a second is the server's word.
    assertThat(gap(server)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
  }

  @Test
  void retryAfterHttpDate_isWaitedUntil_onTheWallClock() throws Exception {
    TestServer server = shedOnceWith("Mon, 05 Jan 2026 10:00:02 GMT");
    BlastwallHttpClient client = BlastwallHttpClient.builder(http,
        retrying(Duration.ofSeconds(20), Environment.system().withWallClock(InstantSource.fixed(NOW)))).build();
    assertThat(client.send(HttpRequest.newBuilder(server.uri("/a")).build(), BodyHandlers.ofString()).body())
        .isEqualTo("ok");
    assertThat(gap(server)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
  }

  @Test
  void retryAfterHttpDatePastTheDeadline_isNotWaitedFor() throws Exception {
    TestServer server = shedOnceWith("Mon, 05 Jan 2026 10:01:00 GMT");
    BlastwallHttpClient client = BlastwallHttpClient.builder(http,
        retrying(Duration.ofSeconds(5), Environment.system().withWallClock(InstantSource.fixed(NOW)))).build();
    long start = System.nanoTime();
    assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(server.uri("/a")).build(), BodyHandlers.ofString()))
        .isInstanceOfSatisfying(HttpStatusFailure.class, failure -> assertThat(failure.doNotRetry()).isTrue());
    assertThat(server.hits()).isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aPostWithoutAKey_whoseExchangeBrokeOffAtTheServer_isNotRetried() throws Exception {
    // The server read the request and closed the connection without an answer: it may have acted on it.
    TestServer server = server(exchange -> exchange.close());
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, retrying(Duration.ofSeconds(20))).build();
    HttpRequest post = HttpRequest.newBuilder(server.uri("/orders"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    assertThatThrownBy(() -> client.send(post, BodyHandlers.ofString())).isInstanceOf(RuntimeException.class);
    assertThat(server.hits()).isEqualTo(1);
  }

  @Test
  void aPostWithoutAKey_toARefusedConnection_isRetriedOnASibling() throws Exception {
    URI refused;
    try (ServerSocket closed = new ServerSocket(0, 1, TestServer.LOOPBACK)) {
      refused = URI.create("http://127.0.0.1:" + closed.getLocalPort());
    }
    TestServer sibling = server(exchange -> TestServer.reply(exchange, 201, "created"));
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, retrying(Duration.ofSeconds(20)))
        .endpoints(List.of(refused, sibling.base()))
        .selector(new RoundRobinSelector(() -> 0.0)) // the refused endpoint first
        .build();
    HttpRequest post = HttpRequest.newBuilder(URI.create("http://orders/orders"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    assertThat(client.send(post, BodyHandlers.ofString()).statusCode()).isEqualTo(201);
    assertThat(sibling.hits()).isEqualTo(1);
    assertThat(java.util.Objects.requireNonNull(client.balancer()).members().get(0).ejected()).isTrue();
  }
}
