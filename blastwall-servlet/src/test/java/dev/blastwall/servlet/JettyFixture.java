package dev.blastwall.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A real Jetty 12 on 127.0.0.1 and a free port, with filters mapped to every path before the servlets. */
final class JettyFixture implements AutoCloseable {

  private final Server server;
  private final ServletContextHandler context;
  private final ServerConnector connector;

  JettyFixture() {
    server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    // Jetty's default (8 KB for the whole header block) would answer an 8 KB value 431 itself; the fuzz test
    // wants such values to reach the filter.
    config.setRequestHeaderSize(64 * 1024);
    connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    context = new ServletContextHandler();
    context.setContextPath("/");
    server.setHandler(context);
  }

  JettyFixture filter(Filter filter) {
    context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    return this;
  }

  JettyFixture servlet(String path, HttpServlet servlet) {
    ServletHolder holder = new ServletHolder(servlet);
    holder.setAsyncSupported(true);
    context.addServlet(holder, path);
    return this;
  }

  JettyFixture start() throws Exception {
    for (FilterHolder holder : context.getServletHandler().getFilters()) {
      holder.setAsyncSupported(true);
    }
    server.start();
    return this;
  }

  int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop", e);
    }
  }
}
