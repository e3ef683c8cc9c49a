package dev.blastwall.http.server;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.blastwall.context.CallContext;
import dev.blastwall.http.HeaderFields;
import dev.blastwall.http.HttpFailureResponse;
import dev.blastwall.http.HttpServerCall;
import dev.blastwall.http.HttpServerGuard;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Blastwall for a {@code com.sun.net.httpserver.HttpServer} context, by {@link HttpServerGuard}'s rules: a request
 * with a bad Blastwall header is answered 400, one whose deadline has passed 504 and one admission refuses 503 or
 * 429 (Retry-After and the "do not retry" mark), without running the handler. An admitted request's handler runs
 * with the caller's context attached ({@code CallContext.current()}: deadline, criticality, idempotency key,
 * attempt, mark), cancelled when its deadline passes. A handler that throws before it sends a response is answered
 * by {@code HttpStatusMapping.outgoing}, so a downstream's overload reaches the caller marked "do not retry".
 *
 * <pre>{@code
 * HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 8080), 0);
 * server.createContext("/orders", handler).getFilters().add(BlastwallHttpFilter.create());
 * }</pre>
 *
 * <p>The JDK server cannot tell when a client goes away while a handler runs; the deadline's cancellation bounds
 * the work instead. Thread-safe; one filter may serve many contexts.
 */
public final class BlastwallHttpFilter extends Filter {

  private static final int NOT_SENT = -1;

  private final HttpServerGuard guard;

  private BlastwallHttpFilter(HttpServerGuard guard) {
    this.guard = guard;
  }

  /** A filter that admits every request that has not expired and has good headers. */
  public static BlastwallHttpFilter create() {
    return new BlastwallHttpFilter(HttpServerGuard.create());
  }

  /** A filter with {@code guard}'s admission, clock and default criticality. */
  public static BlastwallHttpFilter of(HttpServerGuard guard) {
    return new BlastwallHttpFilter(guard);
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    HttpServerCall call = guard.enter(HeaderFields.source(exchange.getRequestHeaders()));
    HttpFailureResponse refusal = call.refusal();
    if (refusal != null) {
      send(exchange, refusal);
      return;
    }
    HttpFailureResponse answer;
    CallContext previous = call.context().attach();
    try {
      chain.doFilter(exchange);
      int status = exchange.getResponseCode();
      if (status == NOT_SENT) {
        call.abandoned();
      } else {
        call.end(status);
      }
      return;
    } catch (RuntimeException failure) {
      if (exchange.getResponseCode() != NOT_SENT) {
        call.abandoned();
        throw failure;
      }
      answer = call.failed(failure);
    } catch (IOException | Error broken) {
      call.abandoned();
      throw broken;
    } finally {
      call.context().detach(previous);
    }
    send(exchange, answer);
  }

  /** Sends {@code answer}: its status, mark and pushback headers, and its message as a one-line text body. */
  static void send(HttpExchange exchange, HttpFailureResponse answer) throws IOException {
    answer.writeHeaders(HeaderFields.sink(exchange.getResponseHeaders()));
    exchange.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
    byte[] body = (answer.message() + "\n").getBytes(StandardCharsets.UTF_8);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(answer.status(), head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    exchange.close();
  }

  @Override
  public String description() {
    return "Blastwall: deadline, admission and call context for each request";
  }
}
