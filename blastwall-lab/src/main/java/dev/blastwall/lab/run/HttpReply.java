package dev.blastwall.lab.run;

import com.sun.net.httpserver.HttpExchange;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.http.HeaderFields;
import dev.blastwall.http.HttpFailureResponse;
import dev.blastwall.http.HttpStatusMapping;
import dev.blastwall.relay.RetryHint;
import io.grpc.Metadata;
import io.grpc.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * An answer for an HTTP exchange. The JDK server's handler thread waits for it and writes it (so the server's
 * filters see the status the request ended with); a worker only decides it.
 */
final class HttpReply implements Reply {

  /** The answer when the request's deadline passed first: nobody reads it, but the connection stays usable. */
  private static final HttpFailureResponse GONE =
      new HttpFailureResponse(504, true, RetryHint.doNotRetry(), "the request's deadline passed");

  private final CompletableFuture<Answer> answer = new CompletableFuture<>();

  @Override
  public void ok(byte[] reply) {
    answer.complete(new Answer(200, reply, null));
  }

  @Override
  public void fail(Status status, Metadata trailers) {
    answer.complete(new Answer(0, new byte[0], LabHttp.response(status, trailers)));
  }

  @Override
  public void shed(OverloadedException reason) {
    answer.complete(new Answer(0, new byte[0], HttpStatusMapping.outgoing(reason)));
  }

  /** The caller has given up: releases the handler with an answer nobody waits for. */
  void gone() {
    answer.complete(new Answer(0, new byte[0], GONE));
  }

  /** Waits for the answer, then writes it on {@code exchange} and closes it. */
  void writeWhenDecided(HttpExchange exchange) throws IOException, InterruptedException {
    Answer decided;
    try {
      decided = answer.get();
    } catch (ExecutionException impossible) {
      // Only complete() is ever called on the future.
      throw new IllegalStateException(impossible);
    }
    HttpFailureResponse failure = decided.failure;
    byte[] body = decided.body;
    int status = decided.status;
    if (failure != null) {
      failure.writeHeaders(HeaderFields.sink(exchange.getResponseHeaders()));
      body = (failure.message() + "\n").getBytes(StandardCharsets.UTF_8);
      status = failure.status();
      exchange.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
    } else {
      exchange.getResponseHeaders().set("content-type", "application/octet-stream");
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** A decided answer: a status and body, or a failure response. */
  private static final class Answer {
    final int status;
    final byte[] body;
    final @Nullable HttpFailureResponse failure;

    Answer(int status, byte[] body, @Nullable HttpFailureResponse failure) {
      this.status = status;
      this.body = body;
      this.failure = failure;
    }
  }
}
