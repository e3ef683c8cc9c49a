package dev.blastwall.lab.run;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.CallContext;
import dev.blastwall.http.HttpServerGuard;
import dev.blastwall.http.server.BlastwallHttpFilter;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.run.ReplicaCounters.End;
import io.grpc.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A replica's HTTP/1.1 server: the JDK's {@code com.sun.net.httpserver}, one virtual thread per exchange. In
 * blastwall mode blastwall-http's {@link BlastwallHttpFilter} gives each request its {@code CallContext} (and
 * admission by criticality when the setup sheds by it) and cancels it when its deadline passes; in naive mode the
 * handler is bare. The handler queues the request and waits for its answer: the JDK server cannot tell when a
 * client goes away, so a naive request is worked on (or hung) whatever its caller does.
 */
final class HttpReplicaServer implements ReplicaServer {

  private static final String TICKET = "lab-ticket";
  /** Room for a burst of new connections: HTTP/1.1 clients open one per request in flight. */
  private static final int BACKLOG = 1024;

  private final Replica replica;
  private final HttpServer server;
  private final ExecutorService threads;

  HttpReplicaServer(Replica replica, ServiceRuntime service, String name) {
    this.replica = replica;
    this.threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-http-", 0).factory());
    try {
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
    } catch (IOException e) {
      threads.shutdownNow();
      throw new UncheckedIOException("cannot start a server for " + name, e);
    }
    server.setExecutor(threads);
    HttpContext context = server.createContext(LabHttp.PREFIX, new Handler());
    // First in the list runs first: arrivals are counted before anything can refuse them.
    context.getFilters().add(new ArrivalFilter());
    if (service.mode == Mode.BLASTWALL) {
      HttpServerGuard.Builder guard = HttpServerGuard.builder().environment(service.clock.environment);
      if (service.plan.blastwall().shedByCriticality()) {
        guard.admission(CriticalityAdmission.forService(name, service.spec));
      }
      context.getFilters().add(BlastwallHttpFilter.of(guard.build()));
    }
    server.start();
  }

  @Override
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void stop() {
    server.stop(0);
    // Handlers waiting for answers that will not come (hung, or queued behind stopped workers).
    threads.shutdownNow();
  }

  @Override
  public void awaitStopped(long millis) throws InterruptedException {
    var unused = threads.awaitTermination(millis, TimeUnit.MILLISECONDS);
  }

  /** A request answered before the handler took it: refused by admission or for its deadline is shed. */
  private static End refusal(int status) {
    return switch (status) {
      case 200 -> End.COMPLETED;
      case 429, 503, 504 -> End.SHED;
      default -> End.FAILED;
    };
  }

  /** Counts every request that reaches the server, including those the Blastwall filter refuses. */
  private final class ArrivalFilter extends Filter {
    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
      Ticket ticket = new Ticket(replica.counters);
      exchange.setAttribute(TICKET, ticket);
      try {
        chain.doFilter(exchange);
      } finally {
        if (!ticket.accepted()) {
          ticket.end(refusal(exchange.getResponseCode()));
        }
      }
    }

    @Override
    public String description() {
      return "lab: counts arrivals";
    }
  }

  /** Queues the request, then writes its answer when a worker (or the deadline) decides it. */
  private final class Handler implements HttpHandler {
    @Override
    public void handle(HttpExchange exchange) throws IOException {
      Ticket ticket = exchange.getAttribute(TICKET) instanceof Ticket issued ? issued : new Ticket(replica.counters);
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        // One byte more than an id: a longer body is malformed, and is not read on.
        body = in.readNBytes(Long.BYTES + 1);
      }
      HttpReply reply = new HttpReply();
      ticket.accept();
      boolean blastwall = replica.blastwall();
      CallContext context = blastwall ? CallContext.current() : CallContext.ROOT;
      Work work = new Work(LabWire.requestId(body), reply, ticket, context, Context.ROOT);
      Cancellation.Registration watch = blastwall ? context.cancellation().onCancel(() -> {
        replica.cancelled(work);
        reply.gone();
      }) : null;
      try {
        replica.accept(work);
        reply.writeWhenDecided(exchange);
      } catch (InterruptedException closing) {
        Thread.currentThread().interrupt();
      } finally {
        if (watch != null) {
          watch.remove();
        }
        exchange.close();
      }
    }
  }
}
