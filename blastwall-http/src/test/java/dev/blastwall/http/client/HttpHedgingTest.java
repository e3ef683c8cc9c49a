package dev.blastwall.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.balance.RoundRobinSelector;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.pipeline.Pipeline;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hedging through the pipeline's core hedge policy, on real sockets: the original goes to an endpoint that never
 * answers, the hedge to one that does; the hedge wins and the loser's exchange is closed.
 */
class HttpHedgingTest {

  private static final Duration HEDGE_DELAY = Duration.ofMillis(100);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final BlackHole slow = new BlackHole();
  private final TestServer fast = TestServer.start(exchange -> TestServer.reply(exchange, 200, "fast"));

  @AfterEach
  void close() throws Exception {
    fast.close();
    slow.close();
    http.close();
  }

  /** A client whose first pick is the slow endpoint and whose second is the fast one. */
  private BlastwallHttpClient hedging(Pipeline pipeline) {
    return BlastwallHttpClient.builder(http, pipeline)
        .endpoints(List.of(slow.base(), fast.base()))
        .selector(new RoundRobinSelector(() -> 0.0))
        .keyed(request -> request.uri().getPath().startsWith("/payments"))
        .build();
  }

  private static Pipeline hedged() {
    return Pipeline.builder("reads").timeout(Duration.ofSeconds(10)).hedge(HedgePolicy.afterDelay(HEDGE_DELAY))
        .build();
  }

  @Test
  void aGet_isHedgedToTheSibling_andTheLosersExchangeIsClosed() throws Exception {
    BlastwallHttpClient client = hedging(hedged());
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://orders/orders/7")).build();
    HttpResponse<String> response = client.send(get, BodyHandlers.ofString());
    assertThat(response.body()).isEqualTo("fast");
    assertThat(fast.seen.get(0).headers().getFirst("blastwall-attempt-kind")).isEqualTo("hedge");
    assertThat(slow.closed.await(10, TimeUnit.SECONDS)).as("the slow endpoint saw its exchange end").isTrue();
  }

  @Test
  void sendAsync_hedgesLikeSend() throws Exception {
    BlastwallHttpClient client = hedging(hedged());
    HttpRequest head = HttpRequest.newBuilder(URI.create("http://orders/orders/7"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
    HttpResponse<Void> response = client.sendAsync(head, BodyHandlers.discarding()).get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(slow.closed.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aDeclaredKeyedPost_isHedged_withTheSameKeyOnEveryAttempt() throws Exception {
    BlastwallHttpClient client = hedging(hedged());
    HttpRequest post = HttpRequest.newBuilder(URI.create("http://payments/payments"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    assertThat(client.send(post, BodyHandlers.ofString()).body()).isEqualTo("fast");
    String key = slow.header(0, "idempotency-key");
    assertThat(key).hasSize(36);
    assertThat(fast.seen.get(0).headers().getFirst("idempotency-key")).isEqualTo(key);
    assertThat(slow.closed.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aPostNotDeclaredKeyed_isNeverHedged() throws Exception {
    Pipeline pipeline = Pipeline.builder("writes").timeout(Duration.ofSeconds(1))
        .hedge(HedgePolicy.afterDelay(HEDGE_DELAY)).build();
    BlastwallHttpClient client = hedging(pipeline);
    HttpRequest post = HttpRequest.newBuilder(URI.create("http://orders/orders"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    assertThatThrownBy(() -> client.send(post, BodyHandlers.ofString())).isInstanceOf(RuntimeException.class);
    assertThat(fast.hits()).isZero();
    assertThat(slow.heads).hasSize(1);
  }
}
