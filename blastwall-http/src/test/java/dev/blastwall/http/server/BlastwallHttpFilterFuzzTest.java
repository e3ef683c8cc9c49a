package dev.blastwall.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.blastwall.http.HttpHeaderNames;
import dev.blastwall.propagation.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 10,000 requests with random Blastwall headers (fixed seed; empty, negative, huge, non-numeric, 8 KB, repeated,
 * non-ASCII bytes) sent as raw bytes to a real JDK server with the filter: every one is answered (no hang: a socket
 * read timeout), never with a 5xx other than the 504 of an expired deadline, and every 400 names the header in the
 * form {@code name: "value" (expected: ...)}, bounded and printable.
 */
class BlastwallHttpFilterFuzzTest {

  private static final int REQUESTS = 10_000;
  private static final String REFUSAL = "[a-z-]+: \".*\"(\\.\\.\\. \\([0-9]+ chars\\))? \\(expected: .+\\)\n";

  private static final List<String> NAMES = List.of(Headers.TIMEOUT, Headers.CRITICALITY, Headers.IDEMPOTENCY_KEY,
      Headers.ATTEMPT, Headers.ATTEMPT_KIND, Headers.DO_NOT_RETRY, Headers.TENANT, Headers.TRACEPARENT,
      Headers.TRACESTATE, HttpHeaderNames.RETRY_AFTER);

  private static final List<String> SEEDS = List.of("", "0", "-1", "1", "2", "100m", "5S", "0n", "99999999H",
      "1.5S", "CRITICAL", "sheddable", "hedge", "retry", "true", "false", "order-17", "acme",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "a=b,c=d", "\u00e9t\u00e9", "\u0661\u0662m");

  @Test
  void randomHeaders_onARealServer_areAnsweredOrClearlyRefused() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}),
        0), 0);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      handled.incrementAndGet();
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    }).getFilters().add(BlastwallHttpFilter.create());
    server.start();
    Map<Integer, Integer> statuses = new TreeMap<>();
    SplittableRandom random = new SplittableRandom(4242L);
    Connection connection = null;
    try {
      for (int i = 0; i < REQUESTS; i++) {
        StringBuilder request = new StringBuilder("GET /orders HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String name : NAMES) {
          if (random.nextInt(3) == 0) {
            int lines = random.nextInt(8) == 0 ? 2 : 1;
            for (int line = 0; line < lines; line++) {
              String shownName = random.nextBoolean() ? name : name.toUpperCase(Locale.ROOT);
              request.append(shownName).append(": ").append(value(random)).append("\r\n");
            }
          }
        }
        request.append("\r\n");
        if (connection == null) {
          connection = new Connection(server.getAddress().getPort());
        }
        Response response = connection.exchange(request.toString().getBytes(StandardCharsets.UTF_8));
        if (response.close()) {
          connection.close();
          connection = null;
        }
        String sample = "request " + i + ": " + response;
        statuses.merge(response.status(), 1, Integer::sum);
        assertThat(response.status()).as(sample).isIn(204, 400, 504);
        if (response.status() == 400) {
          assertThat(response.body()).as(sample).matches(REFUSAL).hasSizeLessThan(700);
          assertThat(response.body().chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f))).as(sample).isTrue();
        }
      }
    } finally {
      if (connection != null) {
        connection.close();
      }
      server.stop(0);
      executor.close();
    }
    // Both sides are reached: many requests run the handler, many are refused.
    assertThat(statuses.getOrDefault(204, 0)).as("%s", statuses).isGreaterThan(REQUESTS / 10);
    assertThat(statuses.getOrDefault(400, 0)).as("%s", statuses).isGreaterThan(REQUESTS / 10);
    assertThat(handled).hasValue(statuses.getOrDefault(204, 0));
  }

  private static String value(SplittableRandom random) {
    String value = switch (random.nextInt(8)) {
      case 0 -> "";
      case 1 -> Long.toString(random.nextLong());
      case 2 -> "9".repeat(1 + random.nextInt(40));
      case 3 -> "x".repeat(8192);
      case 4 -> chars(random, random.nextInt(30));
      default -> SEEDS.get(random.nextInt(SEEDS.size()));
    };
    // CR and LF would end the header line: the request's framing is not what this test is about.
    return value.replace('\r', ' ').replace('\n', ' ');
  }

  private static String chars(SplittableRandom random, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append((char) (random.nextInt(4) == 0 ? 0xa0 + random.nextInt(0x3000) : 0x21 + random.nextInt(0x5e)));
    }
    return out.toString();
  }

  private record Response(int status, String body, boolean close) {}

  /** One keep-alive HTTP/1.1 connection that reads Content-Length framed (or empty) responses. */
  private static final class Connection implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Connection(int port) throws IOException {
      socket = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    Response exchange(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      String statusLine = line();
      int status = Integer.parseInt(statusLine.substring(9, 12)); // "HTTP/1.1 200 ..."
      int length = 0;
      boolean close = false;
      for (String header = line(); !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(lower.substring(15).trim());
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          close = true;
        }
      }
      byte[] body = in.readNBytes(length);
      return new Response(status, new String(body, StandardCharsets.UTF_8), close);
    }

    private String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("connection closed mid-response");
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
