package dev.blastwall.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.http.HttpServerGuard;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The filter on a real Jetty 12: what the handler sees, what it is spared, and that every permit ends once. */
class BlastwallServletFilterTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private final AtomicInteger handled = new AtomicInteger();
  private final JettyFixture jetty = new JettyFixture();

  @AfterEach
  void stop() throws Exception {
    jetty.close();
    client.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jetty.port() + path))
        .timeout(WAIT);
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Echoes the context the handler sees. */
  private final HttpServlet echo = new HttpServlet() {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      handled.incrementAndGet();
      CallContext context = CallContext.current();
      Deadline deadline = context.deadline();
      resp.getWriter().print(context.criticality() + " attempt=" + context.attempt() + " deadline="
          + (deadline == null ? "none" : deadline.remainingNanos() > 0) + " key=" + context.idempotency().key());
    }
  };

  @Test
  void bindsTheCallersContextForTheHandlerAndRestoresTheOuterOneAfter() throws Exception {
    AtomicReference<CallContext> afterChain = new AtomicReference<>();
    Filter outer = (request, response, chain) -> {
      CallContext before = CallContext.current();
      chain.doFilter(request, response);
      afterChain.set(CallContext.current() == before ? CallContext.ROOT : CallContext.current());
    };
    jetty.filter(outer).filter(BlastwallServletFilter.create()).servlet("/echo", echo).start();

    HttpResponse<String> response = get("/echo", "grpc-timeout", "5S", "blastwall-criticality", "sheddable",
        "blastwall-attempt", "2", "idempotency-key", "k-1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("SHEDDABLE attempt=2 deadline=true key=k-1");
    assertThat(afterChain.get()).isSameAs(CallContext.ROOT);
  }

  @Test
  void anUnknownCriticalityIsTheDefaultAndAMalformedTraceIsDropped() throws Exception {
    jetty.filter(BlastwallServletFilter.of(
            HttpServerGuard.builder().defaultCriticality(Criticality.SHEDDABLE_PLUS).build()))
        .servlet("/echo", echo).start();

    HttpResponse<String> response = get("/echo", "blastwall-criticality", "galactic", "traceparent", "nonsense");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("SHEDDABLE_PLUS attempt=1 deadline=none");
  }

  @Test
  void answersAnExpiredRequest504MarkedWithoutRunningTheHandler() throws Exception {
    CountingAdmission admission = new CountingAdmission(10, false);
    jetty.filter(admitting(admission)).servlet("/echo", echo).start();

    HttpResponse<String> response = get("/echo", "grpc-timeout", "0n");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.headers().firstValue("blastwall-do-not-retry")).hasValue("true");
    assertThat(handled).hasValue(0);
    assertThat(admission.admitted).hasValue(0);
  }

  @Test
  void answersAnOverloadedRefusal503WithRetryAfterAndTheMark() throws Exception {
    jetty.filter(admitting(new CountingAdmission(0, false)))
        .servlet("/echo", echo).start();

    HttpResponse<String> response = get("/echo");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("retry-after")).hasValue("2");
    assertThat(response.headers().firstValue("retry-after-ms")).hasValue("1500");
    assertThat(response.headers().firstValue("blastwall-do-not-retry")).hasValue("true");
    assertThat(handled).hasValue(0);
  }

  @Test
  void answersARateLimitRefusal429() throws Exception {
    jetty.filter(admitting(new CountingAdmission(0, true)))
        .servlet("/echo", echo).start();

    HttpResponse<String> response = get("/echo");

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).hasValue("2");
    assertThat(response.headers().firstValue("blastwall-do-not-retry")).hasValue("true");
  }

  @Test
  void answersABadHeader400NamingTheValueAndWhatWasExpected() throws Exception {
    jetty.filter(BlastwallServletFilter.create()).servlet("/echo", echo).start();

    HttpResponse<String> response = get("/echo", "grpc-timeout", "soon");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("grpc-timeout: \"soon\" (expected: ");
    assertThat(handled).hasValue(0);
  }

  @Test
  void releasesAnAsyncRequestsPermitOnceWhenItCompletesOnAnotherThread() throws Exception {
    CountingAdmission admission = new CountingAdmission(10, false);
    AtomicReference<CallContext> seen = new AtomicReference<>();
    jetty.filter(admitting(admission)).servlet("/async", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        seen.set(CallContext.current());
        AsyncContext async = req.startAsync();
        async.start(() -> {
          try {
            async.getResponse().getWriter().print("done");
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
          async.complete();
        });
      }
    }).start();

    HttpResponse<String> response = get("/async", "blastwall-tenant", "acme");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("done");
    awaitQuiet(admission);
    assertThat(admission.ended).hasValue(1);
    assertThat(admission.extraEnds()).isZero();
    assertThat(seen.get().isCancelled()).isFalse();
  }

  @Test
  void endsAnAsyncRequestAtItsDeadline504AndCancelsTheHandlersContext() throws Exception {
    CountingAdmission admission = new CountingAdmission(10, false);
    AtomicReference<CallContext> seen = new AtomicReference<>();
    jetty.filter(admitting(admission)).servlet("/hang", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        seen.set(CallContext.current());
        req.startAsync(); // never completed by the handler
      }
    }).start();

    HttpResponse<String> response = get("/hang", "grpc-timeout", "300m");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(seen.get().isCancelled()).isTrue();
    awaitQuiet(admission);
    assertThat(admission.extraEnds()).isZero();
  }

  @Test
  void endsAStreamingResponseWhenTheDeadlinePasses() throws Exception {
    CountingAdmission admission = new CountingAdmission(10, false);
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicInteger events = new AtomicInteger();
    jetty.filter(admitting(admission)).servlet("/sse", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/event-stream");
        PrintWriter out = resp.getWriter();
        // The server's own pace (one event per 20 ms); the handler never looks at the deadline itself.
        while (!out.checkError() && events.get() < 1000) {
          out.print("data: " + events.incrementAndGet() + "\n\n");
          out.flush();
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        stopped.countDown();
      }
    }).start();

    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jetty.port() + "/sse"))
        .header("grpc-timeout", "300m").timeout(WAIT).build();
    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      body.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException brokenOff) {
      // the stream may end by a reset instead of a clean end; either way it ended
    }

    assertThat(stopped.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(events.get()).isBetween(1, 999);
    awaitQuiet(admission);
    assertThat(admission.extraEnds()).isZero();
  }

  @Test
  void endsAChunkedStreamWhenTheDeadlinePassesAndCancelsTheHandlersContext() throws Exception {
    CountingAdmission admission = new CountingAdmission(10, false);
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicInteger chunks = new AtomicInteger();
    AtomicReference<CallContext> seen = new AtomicReference<>();
    jetty.filter(admitting(admission)).servlet("/chunks", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        seen.set(CallContext.current());
        try {
          java.io.OutputStream out = resp.getOutputStream();
          // No content length: Jetty sends it chunked. The handler's own pace; it never looks at the deadline.
          while (chunks.get() < 1000) {
            out.write(("chunk " + chunks.incrementAndGet() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(20);
          }
        } catch (IOException ended) {
          stopped.countDown();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }).start();

    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jetty.port() + "/chunks"))
        .header("grpc-timeout", "300m").timeout(WAIT).build();
    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      body.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException brokenOff) {
      // a stream cut at its deadline may end by a reset instead of a clean end
    }

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(stopped.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the write after the deadline failed").isTrue();
    assertThat(chunks.get()).isBetween(1, 999);
    assertThat(seen.get().isCancelled()).isTrue();
    awaitQuiet(admission);
    assertThat(admission.ended).hasValue(1);
    assertThat(admission.extraEnds()).isZero();
  }

  @Test
  void cancelsTheHandlersContextWhenTheClientGoesAwayMidStream() throws Exception {
    CountingAdmission admission = new CountingAdmission(10, false);
    CountDownLatch cancelled = new CountDownLatch(1);
    CountDownLatch streaming = new CountDownLatch(1);
    jetty.filter(admitting(admission)).servlet("/sse", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        CallContext.current().cancellation().onCancel(cancelled::countDown);
        resp.setContentType("text/event-stream");
        PrintWriter out = resp.getWriter();
        for (int i = 0; i < 2000 && !out.checkError(); i++) {   // no deadline: only the client's leaving ends it
          out.print("data: " + i + "\n\n");
          out.flush();
          streaming.countDown();
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }).start();

    try (java.net.Socket socket = new java.net.Socket(
        java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), jetty.port())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      socket.getOutputStream().write("GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(socket.getInputStream().read()).isNotNegative();
      assertThat(streaming.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    assertThat(cancelled.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("context cancelled on a failed write")
        .isTrue();
    awaitQuiet(admission);
    assertThat(admission.ended).hasValue(1);
    assertThat(admission.extraEnds()).isZero();
  }

  @Test
  void releasesAnAsyncRequestsPermitOnceWhenItsDispatchFails() throws Exception {
    CountingAdmission admission = new CountingAdmission(10, false);
    AtomicReference<CallContext> seen = new AtomicReference<>();
    AtomicReference<CallContext> inDispatch = new AtomicReference<>();
    jetty.filter(admitting(admission)).servlet("/async-error", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        if (seen.get() == null) {
          seen.set(CallContext.current());
          req.startAsync().dispatch();
          return;
        }
        inDispatch.set(CallContext.current());
        throw new IllegalStateException("handler bug in the async dispatch");
      }
    }).start();

    HttpResponse<String> response = get("/async-error", "grpc-timeout", "5S");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(inDispatch.get()).as("the context is bound again in the async dispatch").isSameAs(seen.get());
    awaitQuiet(admission);
    assertThat(admission.ended).hasValue(1);
    assertThat(admission.extraEnds()).isZero();
    assertThat(seen.get().isCancelled()).as("onError cancels the handler's context").isTrue();
  }

  @Test
  void answersAHandlersBlastwallFailure_andEndsItsPermitOnce() throws Exception {
    CountingAdmission admission = new CountingAdmission(10, false);
    jetty.filter(admitting(admission)).servlet("/shed", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        throw new OverloadedException("inventory", "admission", "below shed it", -1, "shed");
      }
    }).start();

    HttpResponse<String> response = get("/shed");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("blastwall-do-not-retry")).hasValue("true");
    awaitQuiet(admission);
    assertThat(admission.ended).hasValue(1);
    assertThat(admission.extraEnds()).isZero();
  }

  static BlastwallServletFilter admitting(CountingAdmission admission) {
    return BlastwallServletFilter.of(HttpServerGuard.builder().admission(admission).build());
  }

  /** Waits (bounded) for the container to finish ending requests, then checks none holds a place. */
  static void awaitQuiet(CountingAdmission admission) throws InterruptedException {
    for (int i = 0; i < 500 && admission.inFlight() > 0; i++) {
      Thread.sleep(10);
    }
    assertThat(admission.inFlight()).as("permits still held").isZero();
  }
}
