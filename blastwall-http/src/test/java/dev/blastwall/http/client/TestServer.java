package dev.blastwall.http.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.blastwall.http.server.BlastwallHttpFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A real JDK HTTP server on 127.0.0.1 and a free port, with Blastwall's filter, recording each request's headers. */
final class TestServer implements AutoCloseable {

  static final InetAddress LOOPBACK = loopback();

  /** One request as the handler saw it. */
  record Seen(String method, com.sun.net.httpserver.Headers headers, long arrivedNanos) {}

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
      seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestHeaders(), System.nanoTime()));
      exchange.getRequestBody().readAllBytes();
      handler.handle(exchange);
    }).getFilters().add(BlastwallHttpFilter.create());
    server.start();
  }

  static TestServer start(HttpHandler handler) {
    return new TestServer(handler);
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  URI uri(String path) {
    return URI.create(base() + path);
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
