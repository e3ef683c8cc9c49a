package dev.blastwall.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.http.HttpRemoteFailure;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import dev.blastwall.testing.FakeTicker;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The interceptor on a real OkHttp client against real JDK servers on 127.0.0.1 (with Blastwall's filter). */
class BlastwallInterceptorTest {

  private static final MediaType JSON = MediaType.get("application/json");

  // OkHttp's own timeouts far above every limit a test sets, so only Blastwall's can end an exchange in time.
  private final OkHttpClient http = new OkHttpClient.Builder()
      .connectTimeout(Duration.ofSeconds(30)).readTimeout(Duration.ofSeconds(30)).build();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
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

  private OkHttpClient through(Pipeline pipeline) {
    return http.newBuilder().addInterceptor(BlastwallInterceptor.builder(http, pipeline).build()).build();
  }

  private static Request get(String url) {
    return new Request.Builder().url(url).build();
  }

  @Test
  void a503Get_isRetried_andTheRetryIsNumbered() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    TestServer server = server(exchange -> TestServer.reply(exchange, calls.incrementAndGet() < 3 ? 503 : 200, "x"));
    try (Response response = through(retrying("orders", 3)).newCall(get(server.url("/orders/7"))).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo("x");
    }
    assertThat(server.hits()).isEqualTo(3);
    assertThat(server.seen.get(0).headers().getFirst("blastwall-attempt")).isNull();
    assertThat(server.seen.get(2).headers().getFirst("blastwall-attempt")).isEqualTo("3");
  }

  @Test
  void aPostWithoutADeclaredKey_isNotRetried_evenWithAKeyHeader_andItsAnswerIsReturned() throws Exception {
    TestServer server = server(exchange -> TestServer.reply(exchange, 503, "busy"));
    Request post = new Request.Builder().url(server.url("/orders")).header("Idempotency-Key", "my-own")
        .post(RequestBody.create("{}", JSON)).build();
    try (Response response = through(retrying("orders", 3)).newCall(post).execute()) {
      assertThat(response.code()).isEqualTo(503);
      assertThat(response.body().string()).isEqualTo("busy");
    }
    assertThat(server.hits()).isEqualTo(1);
    assertThat(server.seen.get(0).headers().getFirst("idempotency-key")).isEqualTo("my-own");
  }

  @Test
  void aDeclaredKeyedPost_isRetried_withOneKeyAndItsBodyReplayed() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    TestServer server = server(exchange -> TestServer.reply(exchange, calls.incrementAndGet() < 3 ? 502 : 201, ""));
    OkHttpClient client = http.newBuilder().addInterceptor(BlastwallInterceptor.builder(http, retrying("pay", 3))
        .keyed(request -> request.url().encodedPath().startsWith("/payments")).build()).build();
    Request post = new Request.Builder().url(server.url("/payments"))
        .post(RequestBody.create("{\"amount\":5}", JSON)).build();
    try (Response response = client.newCall(post).execute()) {
      assertThat(response.code()).isEqualTo(201);
    }
    assertThat(server.hits()).isEqualTo(3);
    String key = server.seen.get(0).headers().getFirst("idempotency-key");
    assertThat(key).hasSize(36);
    assertThat(server.seen).allSatisfy(seen -> {
      assertThat(seen.headers().get("idempotency-key")).containsExactly(key);
      assertThat(seen.body()).isEqualTo("{\"amount\":5}");
    });
  }

  @Test
  void aOneShotBody_isNeverSentTwice_evenWhenKeyed() throws Exception {
    TestServer server = server(exchange -> TestServer.reply(exchange, 502, ""));
    OkHttpClient client = http.newBuilder().addInterceptor(BlastwallInterceptor.builder(http, retrying("pay", 3))
        .keyed(request -> true).build()).build();
    RequestBody oneShot = new RequestBody() {
      @Override
      public MediaType contentType() {
        return JSON;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        sink.writeUtf8("{}");
      }

      @Override
      public boolean isOneShot() {
        return true;
      }
    };
    Request post = new Request.Builder().url(server.url("/payments")).post(oneShot).build();
    try (Response response = client.newCall(post).execute()) {
      assertThat(response.code()).isEqualTo(502);
    }
    assertThat(server.hits()).isEqualTo(1);
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
    try (Response response = through(retrying("orders", 3)).newCall(get(server.url("/a"))).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
    long waited = server.seen.get(1).arrivedNanos() - server.seen.get(0).arrivedNanos();
    assertThat(Duration.ofNanos(waited)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void retryAfterPastTheDeadline_isNotWaitedFor_andThe503IsReturned() throws Exception {
    TestServer server = server(exchange -> TestServer.reply(exchange, 503, "later", "retry-after", "30"));
    Pipeline pipeline = Pipeline.builder("orders").timeout(Duration.ofSeconds(5))
        .retry(RetryPolicy.builder().maxAttempts(3)
            .backoff(Backoff.exponential(Duration.ofMillis(5), Duration.ofMinutes(1))).build())
        .retryBudget(RetryBudget.unlimited()).build();
    long start = System.nanoTime();
    try (Response response = through(pipeline).newCall(get(server.url("/a"))).execute()) {
      assertThat(response.code()).isEqualTo(503);
      assertThat(response.header("retry-after")).isEqualTo("30");
      assertThat(response.body().string()).isEqualTo("later");
    }
    assertThat(server.hits()).isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void theDeadline_isSentWithSlack_andBoundOnTheServer() throws Exception {
    FakeTicker ticker = new FakeTicker();
    TestServer server = server(exchange -> TestServer.reply(exchange, 200, ""));
    OkHttpClient client = http.newBuilder().addInterceptor(
        BlastwallInterceptor.builder(http, Pipeline.builder("orders").ticker(ticker).build()).build())
        .build();
    CallContext.ROOT.withDeadline(Deadline.after(Duration.ofSeconds(2), ticker)).call(() -> {
      client.newCall(get(server.url("/a"))).execute().close();
      return null;
    });
    // 2 s less the default slack (10%, at most 50 ms), on a clock that did not move.
    assertThat(server.seen.get(0).headers().getFirst("grpc-timeout")).isEqualTo("1950000u");
    Deadline received = java.util.Objects.requireNonNull(server.seen.get(0).deadline(), "the server's deadline");
    assertThat(received.remaining()).isBetween(Duration.ofMillis(1), Duration.ofMillis(1950));
  }

  @Test
  void anEnqueuedCall_takesItsContextFromTheRequestTag() throws Exception {
    FakeTicker ticker = new FakeTicker();
    TestServer server = server(exchange -> TestServer.reply(exchange, 200, "async"));
    OkHttpClient client = http.newBuilder().addInterceptor(
        BlastwallInterceptor.builder(http, Pipeline.builder("orders").ticker(ticker).build()).build())
        .build();
    CallContext context = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofSeconds(1), ticker));
    Request request = new Request.Builder().url(server.url("/a")).tag(CallContext.class, context).build();
    CompletableFuture<String> body = new CompletableFuture<>();
    client.newCall(request).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) throws IOException {
        try (response) {
          body.complete(response.body().string());
        }
      }

      @Override
      public void onFailure(Call call, IOException failure) {
        body.completeExceptionally(failure);
      }
    });
    assertThat(body.get(10, TimeUnit.SECONDS)).isEqualTo("async");
    assertThat(server.seen.get(0).headers().getFirst("grpc-timeout")).isEqualTo("950000u");
  }

  @Test
  void theAttemptTimeout_closesTheExchange_andTheRetryRunsOnAFreshCall() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, TestServer.LOOPBACK)) {
      CountDownLatch firstClosedByClient = new CountDownLatch(1);
      Thread.ofVirtual().start(() -> {
        try (Socket first = listener.accept()) {
          first.setSoTimeout(10_000);
          // Read the request and beyond, never answering: -1 means the client closed the connection.
          while (first.getInputStream().read() >= 0) {
            // never answer
          }
          firstClosedByClient.countDown();
          try (Socket second = listener.accept()) {
            second.setSoTimeout(10_000);
            readHead(second.getInputStream());
            second.getOutputStream().write(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            second.getOutputStream().flush();
          }
        } catch (IOException ignored) {
          // a timeout leaves the latch up, and the assertions below fail
        }
      });
      Pipeline pipeline = Pipeline.builder("hole").attemptTimeout(Duration.ofMillis(300))
          .retry(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.none()).build())
          .retryBudget(RetryBudget.unlimited()).build();
      long start = System.nanoTime();
      try (Response response = through(pipeline)
          .newCall(get("http://127.0.0.1:" + listener.getLocalPort() + "/x")).execute()) {
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.body().string()).isEqualTo("ok");
      }
      assertThat(firstClosedByClient.await(0, TimeUnit.SECONDS)).isTrue();
      // Well before OkHttp's own 30 s read timeout: the attempt's limit closed it.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void theCallersDeadline_closesTheExchange_andEndsTheCall() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, TestServer.LOOPBACK)) {
      CountDownLatch closedByClient = new CountDownLatch(1);
      Thread.ofVirtual().start(() -> {
        try (Socket socket = listener.accept()) {
          socket.setSoTimeout(10_000);
          while (socket.getInputStream().read() >= 0) {
            // never answer
          }
          closedByClient.countDown();
        } catch (IOException ignored) {
          // a timeout leaves the latch up, and the assertion below fails
        }
      });
      Pipeline pipeline = Pipeline.builder("hole").timeout(Duration.ofMillis(300)).build();
      assertThatThrownBy(() -> through(pipeline)
          .newCall(get("http://127.0.0.1:" + listener.getLocalPort() + "/x")).execute())
          .isInstanceOf(BlastwallIOException.class);
      assertThat(closedByClient.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void noAnswer_isABlastwallIoException_withTheFailureAsItsCause() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, TestServer.LOOPBACK)) {
      closedPort = probe.getLocalPort();
    }
    Request request = get("http://127.0.0.1:" + closedPort + "/x");
    assertThatThrownBy(() -> through(retrying("gone", 2)).newCall(request).execute())
        .isInstanceOf(BlastwallIOException.class)
        .satisfies(failure -> assertThat(failure.getCause()).isInstanceOfAny(HttpRemoteFailure.class,
            dev.blastwall.failure.BlastwallException.class));
  }

  @Test
  void aTransportThatHoldsTheInterceptor_isRefused() {
    OkHttpClient wrapped = through(retrying("orders", 2));
    assertThatThrownBy(() -> BlastwallInterceptor.builder(wrapped, retrying("orders", 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("transport: a client with BlastwallInterceptor[orders] (expected: ");
  }

  @Test
  void asANetworkInterceptor_itRefusesWithAClearError() {
    TestServer server = server(exchange -> TestServer.reply(exchange, 200, ""));
    OkHttpClient wrong = http.newBuilder()
        .addNetworkInterceptor(BlastwallInterceptor.builder(http, retrying("orders", 2)).build()).build();
    assertThatThrownBy(() -> wrong.newCall(get(server.url("/a"))).execute())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("(expected: an application interceptor");
  }

  /** Reads an HTTP/1.1 request head (through the blank line); the tests' requests have no body. */
  private static void readHead(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int next = in.read();
      if (next < 0) {
        throw new IOException("closed before the request head ended");
      }
      matched = next == end[matched] ? matched + 1 : (next == '\r' ? 1 : 0);
    }
  }
}
