package dev.blastwall.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.Cancellation;
import dev.blastwall.context.CallContext;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many concurrent requests on a real Jetty 12 (fixed seed): synchronous, async, never-completed async and streaming
 * handlers, with deadlines that pass on arrival, while running or not at all, clients that go away mid-request, and
 * an admission too small for them all. At the end no permit is held, every admitted request was released exactly
 * once, and every answer a client waited for was one of the filter's (200, 503, 504).
 */
class BlastwallServletFilterStressTest {

  private static final int REQUESTS = 600;
  private static final int CLIENTS = 32;
  private static final List<String> KINDS = List.of("ok", "slow", "async", "hang", "stream");
  private static final List<String> TIMEOUTS = List.of("", "", "0n", "5m", "20m", "60m", "150m", "5S");

  @Test
  void concurrentAbortsExpiriesAndRefusals_leaveNoPermitHeldAndNoneReleasedTwice() throws Exception {
    CountingAdmission admission = new CountingAdmission(8, false);
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    Map<String, Integer> byKind = new ConcurrentHashMap<>(); // for the failure message: which handler answered what
    AtomicInteger aborted = new AtomicInteger();
    try (JettyFixture jetty = new JettyFixture();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
      jetty.filter(BlastwallServletFilterTest.admitting(admission)).servlet("/*", new Handlers()).start();
      SplittableRandom seeds = new SplittableRandom(77L);
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        SplittableRandom random = seeds.split();
        String kind = KINDS.get(random.nextInt(KINDS.size()));
        String timeout = kind.equals("hang") ? "40m" : TIMEOUTS.get(random.nextInt(TIMEOUTS.size()));
        boolean abort = random.nextInt(4) == 0;
        sent.add(clients.submit(() -> {
          int status;
          try {
            status = send(jetty.port(), kind, timeout, abort);
          } catch (java.net.SocketTimeoutException hang) {
            status = 0; // no answer within the socket's timeout: fails below, with the kind in the message
          }
          if (status < 0) {
            aborted.incrementAndGet();
          } else {
            statuses.merge(status, 1, Integer::sum);
            byKind.merge(kind + " " + timeout + " -> " + status, 1, Integer::sum);
          }
          return null;
        }));
      }
      for (Future<?> request : sent) {
        request.get(60, TimeUnit.SECONDS);
      }
      for (int i = 0; i < 1000 && admission.inFlight() > 0; i++) {
        Thread.sleep(10); // bounded wait for the container to finish the requests whose clients left
      }
    }
    assertThat(admission.inFlight()).as("permits held; %s", statuses).isZero();
    assertThat(admission.extraEnds()).as("permits released twice").isZero();
    assertThat(admission.ended).hasValue(admission.admitted.get());
    assertThat(statuses.keySet()).as("%s", new TreeMap<>(byKind)).isSubsetOf(200, 503, 504);
    assertThat(statuses).as("each path is taken").containsKeys(200, 503, 504);
    assertThat(admission.refused.get()).isPositive();
    assertThat(aborted.get()).isPositive();
  }

  /** Sends one request on its own connection; its status, or -1 when the client went away or the answer broke off. */
  private static int send(int port, String kind, String timeout, boolean abort) throws IOException {
    try (Socket socket = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port)) {
      socket.setSoTimeout(20_000);
      String request = "GET /" + kind + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + (timeout.isEmpty() ? "" : "grpc-timeout: " + timeout + "\r\n") + "\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (abort) {
        socket.setSoLinger(true, 0); // a reset, as a client that crashed or gave up sends
        return -1;
      }
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(12); // "HTTP/1.1 200"
      if (head.length < 12) {
        return -1;
      }
      int status = Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
      try {
        in.transferTo(OutputStream.nullOutputStream());
      } catch (IOException brokenOff) {
        // a stream cut at its deadline may end by a reset; its status still counts
      }
      return status;
    }
  }

  /** The handler kinds, by path; none of them looks at the deadline itself. */
  private static final class Handlers extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      switch (req.getRequestURI()) {
        case "/slow" -> {
          awaitCancellation(CallContext.current().cancellation(), 30);
          resp.getWriter().print("slow");
        }
        case "/async" -> {
          Cancellation cancellation = CallContext.current().cancellation();
          AsyncContext async = req.startAsync();
          async.start(() -> {
            awaitCancellation(cancellation, 5);
            try {
              async.getResponse().getWriter().print("async");
            } catch (IOException | IllegalStateException gone) {
              // the request may already have timed out or failed
            }
            async.complete();
          });
        }
        case "/hang" -> req.startAsync();
        case "/stream" -> {
          resp.setContentType("text/event-stream");
          PrintWriter out = resp.getWriter();
          for (int i = 0; i < 40 && !out.checkError(); i++) {
            out.print("data: " + i + "\n\n");
            out.flush();
            awaitCancellation(CallContext.current().cancellation(), 2);
          }
        }
        default -> resp.getWriter().print("ok");
      }
    }

    /** Work that takes {@code millis}, or less when the call is cancelled. */
    private static void awaitCancellation(Cancellation cancellation, long millis) {
      CountDownLatch done = new CountDownLatch(1);
      cancellation.onCancel(done::countDown);
      try {
        done.await(millis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
