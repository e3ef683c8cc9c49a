package dev.blastwall.bench.http;

import dev.blastwall.servlet.BlastwallServletFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A Jetty 12 on 127.0.0.1 (any free port) answering every GET with {@link #PAYLOAD}, with or without Blastwall. */
final class JettyEcho implements AutoCloseable {

  /** The body of every answer: as small as the gRPC benchmark's echo, so the difference is the per-call work. */
  static final byte[] PAYLOAD = "blastwall-http-echo-31-bytes-ok".getBytes(StandardCharsets.US_ASCII);

  private final Server server;
  private final ServerConnector connector;

  private JettyEcho(boolean blastwall) {
    server = new Server();
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    if (blastwall) {
      context.addFilter(new FilterHolder(BlastwallServletFilter.create()), "/*",
          EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    }
    context.addServlet(new ServletHolder(new Echo()), "/*");
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not start", e);
    }
  }

  /** Jetty with only the echo servlet. */
  static JettyEcho bare() {
    return new JettyEcho(false);
  }

  /** Jetty with {@link BlastwallServletFilter} (no admission control) before the echo servlet. */
  static JettyEcho blastwall() {
    return new JettyEcho(true);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/echo");
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop", e);
    }
  }

  /** Writes the payload with its length, so the connection is kept alive. */
  private static final class Echo extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.setContentType("application/octet-stream");
      response.setContentLength(PAYLOAD.length);
      response.getOutputStream().write(PAYLOAD);
    }
  }
}
