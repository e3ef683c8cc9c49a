package dev.blastwall.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.blastwall.context.CallContext;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.http.HttpServerGuard;
import dev.blastwall.http.HttpStatusMapping;
import dev.blastwall.server.Admission;
import dev.blastwall.server.Permit;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The filter on a real JDK server bound to 127.0.0.1:0, called by a plain JDK HttpClient. */
class BlastwallHttpFilterTest {

  private static final InetAddress LOOPBACK = loopback();

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicInteger handled = new AtomicInteger();
  private final AtomicReference<CallContext> seen = new AtomicReference<>(CallContext.ROOT);
  private @Nullable HttpServer server;

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException impossible) {
      throw new AssertionError(impossible);
    }
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
    client.close();
  }

  private URI start(HttpServerGuard guard, HttpHandler handler) throws IOException {
    HttpServer started = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
    started.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    started.createContext("/", exchange -> {
      handled.incrementAndGet();
      seen.set(CallContext.current());
      handler.handle(exchange);
    }).getFilters().add(BlastwallHttpFilter.of(guard));
    started.start();
    server = started;
    return URI.create("http://127.0.0.1:" + started.getAddress().getPort() + "/orders");
  }

  private static void ok(HttpExchange exchange) throws IOException {
    byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private HttpResponse<String> get(URI uri, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theHandlerRunsWithTheCallersContext() throws Exception {
    URI uri = start(HttpServerGuard.create(), BlastwallHttpFilterTest::ok);
    HttpResponse<String> response = get(uri, "grpc-timeout", "5S", "idempotency-key", "order-17",
        "blastwall-attempt", "2", "blastwall-criticality", "SHEDDABLE", "blastwall-do-not-retry", "true");
    assertThat(response.statusCode()).isEqualTo(200);
    CallContext context = seen.get();
    assertThat(Objects.requireNonNull(context.deadline()).remaining()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(5));
    assertThat(context.idempotency().key()).isEqualTo("order-17");
    assertThat(context.attempt()).isEqualTo(2);
    assertThat(context.criticality().name()).isEqualTo("SHEDDABLE");
    assertThat(context.doNotRetry()).isTrue();
  }

  @Test
  void anExpiredRequest_isAnswered504_withoutRunningTheHandler() throws Exception {
    URI uri = start(HttpServerGuard.create(), BlastwallHttpFilterTest::ok);
    HttpResponse<String> response = get(uri, "grpc-timeout", "0n");
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.headers().firstValue("blastwall-do-not-retry")).contains("true");
    assertThat(handled).hasValue(0);
  }

  @Test
  void admissionRefusals_are503And429_withRetryAfterAndTheMark() throws Exception {
    AtomicReference<String> policy = new AtomicReference<>("admission");
    Admission refuseAll = new Admission() {
      @Override
      public @Nullable Permit tryAdmit(CallContext context) {
        return null;
      }

      @Override
      public OverloadedException rejection(CallContext context) {
        return new OverloadedException("orders", policy.get(), "full", 300_000_000L, "shed");
      }
    };
    URI uri = start(HttpServerGuard.builder().admission(refuseAll).build(), BlastwallHttpFilterTest::ok);
    HttpResponse<String> shed = get(uri);
    assertThat(shed.statusCode()).isEqualTo(503);
    assertThat(shed.headers().firstValue("retry-after")).contains("1");
    assertThat(shed.headers().firstValue("retry-after-ms")).contains("300");
    assertThat(shed.headers().firstValue("blastwall-do-not-retry")).contains("true");
    policy.set(HttpStatusMapping.RATE_LIMITER_POLICY);
    assertThat(get(uri).statusCode()).isEqualTo(429);
    assertThat(handled).hasValue(0);
  }

  @Test
  void badHeaders_are400NamingTheHeader_unknownCriticalityIsTheDefault() throws Exception {
    URI uri = start(HttpServerGuard.create(), BlastwallHttpFilterTest::ok);
    HttpResponse<String> bad = get(uri, "grpc-timeout", "soon");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).startsWith("grpc-timeout: \"soon\" (expected: ");
    assertThat(get(uri, "blastwall-attempt", "-3").body()).startsWith("blastwall-attempt: \"-3\" (expected: ");
    assertThat(get(uri, "grpc-timeout", "1S", "grpc-timeout", "2S").statusCode()).isEqualTo(400);
    assertThat(handled).hasValue(0);
    assertThat(get(uri, "blastwall-criticality", "URGENT").statusCode()).isEqualTo(200);
    assertThat(seen.get().criticality().name()).isEqualTo("CRITICAL");
  }

  @Test
  void everyPermitIsReleased_whateverTheHandlerDid() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger dropped = new AtomicInteger();
    Admission counting = new Admission() {
      @Override
      public Permit tryAdmit(CallContext context) {
        inFlight.incrementAndGet();
        return new Permit() {
          @Override
          public void onSuccess() {
            inFlight.decrementAndGet();
          }

          @Override
          public void onDropped() {
            dropped.incrementAndGet();
            inFlight.decrementAndGet();
          }

          @Override
          public void onIgnore() {
            inFlight.decrementAndGet();
          }
        };
      }

      @Override
      public OverloadedException rejection(CallContext context) {
        throw new AssertionError("admits everything");
      }
    };
    URI uri = start(HttpServerGuard.builder().admission(counting).build(), exchange -> {
      switch (Objects.requireNonNullElse(exchange.getRequestHeaders().getFirst("x-do"), "ok")) {
        case "throw" -> throw new IllegalStateException("handler bug");
        case "shed" -> throw new OverloadedException("inventory", "admission", "below shed it", -1, "shed");
        default -> ok(exchange);
      }
    });
    assertThat(get(uri, "x-do", "ok").statusCode()).isEqualTo(200);
    HttpResponse<String> bug = get(uri, "x-do", "throw");
    assertThat(bug.statusCode()).isEqualTo(500);
    assertThat(bug.body()).doesNotContain("handler bug");
    HttpResponse<String> below = get(uri, "x-do", "shed");
    assertThat(below.statusCode()).isEqualTo(503);
    assertThat(below.headers().firstValue("blastwall-do-not-retry")).contains("true");
    assertThat(inFlight).hasValue(0);
    assertThat(dropped).hasValue(1);
  }

  @Test
  void theHandlersContextIsCancelled_whenItsDeadlinePasses() throws Exception {
    CountDownLatch cancelled = new CountDownLatch(1);
    URI uri = start(HttpServerGuard.create(), exchange -> {
      CallContext.current().cancellation().onCancel(cancelled::countDown);
      try {
        cancelled.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ok(exchange);
    });
    HttpResponse<String> response = get(uri, "grpc-timeout", "200m");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(cancelled.getCount()).isZero();
  }
}
