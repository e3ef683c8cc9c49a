package dev.blastwall.bench.http;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.http.client.BlastwallHttpClient;
import dev.blastwall.okhttp.BlastwallInterceptor;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.ratelimit.TokenBucketRateLimiter;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One Jetty echo and one client to it, in one of the four variants the benchmark compares: the JDK's
 * {@link HttpClient} or OkHttp, each bare against a bare Jetty, or through Blastwall (the client wrapper or
 * interceptor with the full pipeline, and {@code BlastwallServletFilter} on Jetty). HTTP/1.1 on both clients.
 */
final class HttpEchoClient {

  /** What one call does. */
  private interface Send {
    byte[] echo() throws IOException, InterruptedException;
  }

  private final JettyEcho server;
  private final Send send;
  private final AutoCloseable client;

  private HttpEchoClient(JettyEcho server, Send send, AutoCloseable client) {
    this.server = server;
    this.send = send;
    this.client = client;
  }

  static HttpEchoClient jdkBare() {
    JettyEcho server = JettyEcho.bare();
    HttpClient http = jdkClient();
    HttpRequest request = HttpRequest.newBuilder(server.uri()).build();
    return new HttpEchoClient(server, () -> body(http.send(request, BodyHandlers.ofByteArray())), http);
  }

  static HttpEchoClient jdkBlastwall() {
    JettyEcho server = JettyEcho.blastwall();
    HttpClient http = jdkClient();
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, pipeline()).build();
    HttpRequest request = HttpRequest.newBuilder(server.uri()).build();
    return new HttpEchoClient(server, () -> body(client.send(request, BodyHandlers.ofByteArray())), http);
  }

  static HttpEchoClient okhttpBare() {
    JettyEcho server = JettyEcho.bare();
    OkHttpClient http = new OkHttpClient();
    Request request = new Request.Builder().url(server.uri().toString()).build();
    return new HttpEchoClient(server, () -> body(http.newCall(request).execute()), () -> close(http));
  }

  static HttpEchoClient okhttpBlastwall() {
    JettyEcho server = JettyEcho.blastwall();
    OkHttpClient http = new OkHttpClient();
    OkHttpClient client = http.newBuilder()
        .addInterceptor(BlastwallInterceptor.builder(http, pipeline()).build()).build();
    Request request = new Request.Builder().url(server.uri().toString()).build();
    return new HttpEchoClient(server, () -> body(client.newCall(request).execute()), () -> close(http));
  }

  /**
   * The full chain configured never to reject, as the gRPC benchmark's: retry (3 attempts, no backoff) with a
   * ratio budget of 100%, a count-window breaker with the defaults, a token bucket of about 10^9 permits a second
   * without waiting, a bulkhead of 1000 permits. GET is idempotent, so no key is generated.
   */
  private static Pipeline pipeline() {
    return Pipeline.builder("echo")
        .retry(RetryPolicy.builder().maxAttempts(3).backoff(Backoff.none()).build())
        .retryBudget(RetryBudget.ratio().percentCanRetry(100.0).build())
        .circuitBreaker(CircuitBreaker.builder("echo").build())
        .rateLimiter(TokenBucketRateLimiter.builder(Integer.MAX_VALUE, 1_000_000_000, Duration.ofSeconds(1)).build(),
            Duration.ZERO)
        .bulkhead(SemaphoreBulkhead.builder("echo").maxConcurrentCalls(1000).build())
        .build();
  }

  private static HttpClient jdkClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  private static byte[] body(HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("status: " + response.statusCode() + " (expected: 200)");
    }
    return response.body();
  }

  private static byte[] body(Response response) throws IOException {
    try (response) {
      if (response.code() != 200) {
        throw new IllegalStateException("status: " + response.code() + " (expected: 200)");
      }
      return response.body().bytes();
    }
  }

  private static void close(OkHttpClient http) throws InterruptedException {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
    if (!http.dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS)) {
      throw new IllegalStateException("OkHttp's dispatcher did not stop within 5 s");
    }
  }

  /** One blocking GET; its body. */
  byte[] echo() throws IOException, InterruptedException {
    return send.echo();
  }

  /** Fails unless a call answers the payload: a misconfigured variant must not look fast. */
  void check() throws IOException, InterruptedException {
    byte[] body = echo();
    if (!Arrays.equals(body, JettyEcho.PAYLOAD)) {
      throw new IllegalStateException("echo: " + body.length + " bytes (expected: the " + JettyEcho.PAYLOAD.length
          + "-byte payload)");
    }
  }

  /** Closes the client, then the server. */
  void stop() throws Exception {
    try {
      client.close();
    } finally {
      server.close();
    }
  }
}
