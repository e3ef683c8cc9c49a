package dev.blastwall.okhttp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.http.server.BlastwallHttpFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/** A real JDK HTTP server on 127.0.0.1 and a free port, with Blastwall's filter, recording each request. */
final class TestServer implements AutoCloseable {

  static final InetAddress LOOPBACK = loopback();

  /** One request as the handler saw it: its headers, body, arrival and the deadline the filter bound. */
  record Seen(String method, com.sun.net.httpserver.Headers headers, String body, long arrivedNanos,
      @Nullable Deadline deadline) {}

  final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  private TestServer(HttpHandler handler) {
    try {
      server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestHeaders(), body, System.nanoTime(),
          CallContext.current().deadline()));
      handler.handle(exchange);
    }).getFilters().add(BlastwallHttpFilter.create());
    server.start();
  }

  static TestServer start(HttpHandler handler) {
    return new TestServer(handler);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  int hits() {
    return seen.size();
  }

  static void reply(HttpExchange exchange, int status, String body, String... headers) throws IOException {
    for (int i = 0; i + 1 < headers.length; i += 2) {
      exchange.getResponseHeaders().set(headers[i], headers[i + 1]);
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException impossible) {
      throw new AssertionError(impossible);
    }
  }
}
