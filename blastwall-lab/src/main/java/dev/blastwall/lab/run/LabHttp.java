package dev.blastwall.lab.run;

import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.grpc.BlastwallMetadata;
import dev.blastwall.grpc.GrpcStatusMapping;
import dev.blastwall.http.HttpFailureResponse;
import dev.blastwall.http.HttpRemoteFailure;
import dev.blastwall.http.HttpStatusMapping;
import dev.blastwall.internal.Failures;
import dev.blastwall.propagation.Headers;
import dev.blastwall.relay.RetryHint;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * {@link LabWire} over HTTP/1.1: the same 8-byte request id as the body of a {@code PUT /lab/call} (repeatable, as
 * {@code lab.Lab/Call} is idempotent) or a {@code POST /lab/call-once} (declared keyed in Blastwall mode, as
 * {@code lab.Lab/CallOnce}), answered 200 with the one byte of flags.
 *
 * <p>The lab decides failures as gRPC statuses; on the wire they are HTTP's (blastwall-http's
 * {@link HttpStatusMapping} classifies them on the client): RESOURCE_EXHAUSTED is 429 (503 with the mark when a
 * Blastwall server sheds), UNAVAILABLE 503 (502 when relayed with the mark: 503 with the mark means a shed),
 * DEADLINE_EXCEEDED 504, the others by their failure kind. A client turns them back into the same codes, so the
 * lab's counts and reports read the same over both wires.
 */
final class LabHttp {

  /** The context path every lab request is under. */
  static final String PREFIX = "/lab/";
  static final String CALL_PATH = PREFIX + "call";
  static final String CALL_ONCE_PATH = PREFIX + "call-once";
  /** Bad gateway: a required upstream failed, relayed "do not retry". */
  private static final int RELAYED_UNAVAILABLE = 502;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private LabHttp() {}

  /** The request for user request {@code id} to the replica at {@code address}, timed out after {@code timeout}. */
  static HttpRequest request(InetSocketAddress address, long id, boolean idempotent, @Nullable Duration timeout) {
    URI uri = URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort()
        + (idempotent ? CALL_PATH : CALL_ONCE_PATH));
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .version(java.net.http.HttpClient.Version.HTTP_1_1)
        .header("content-type", "application/octet-stream")
        .method(idempotent ? "PUT" : "POST", HttpRequest.BodyPublishers.ofByteArray(LabWire.request(id)));
    if (timeout != null) {
      request.timeout(timeout);
    }
    return request.build();
  }

  /** The base URI of the replica at {@code address}, for a balancing client. */
  static URI base(InetSocketAddress address) {
    return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
  }

  /** How a server answers a failure the lab decided as {@code status} with {@code trailers}. */
  static HttpFailureResponse response(Status status, Metadata trailers) {
    boolean marked = BlastwallMetadata.hasDoNotRetry(trailers);
    long pushback = BlastwallMetadata.parsePushbackMillis(trailers.get(BlastwallMetadata.RETRY_PUSHBACK_MS));
    RetryHint hint = pushback == BlastwallMetadata.NO_PUSHBACK ? RetryHint.none()
        : pushback < 0 ? RetryHint.doNotRetry() : RetryHint.afterMillis(pushback);
    int code = switch (status.getCode()) {
      case RESOURCE_EXHAUSTED -> marked ? 503 : 429;
      case UNAVAILABLE -> marked ? RELAYED_UNAVAILABLE : 503;
      default -> HttpStatusMapping.statusOf(GrpcStatusMapping.kindOf(status.getCode()));
    };
    String description = status.getDescription();
    return new HttpFailureResponse(code, marked, hint,
        status.getCode() + (description == null ? "" : ": " + description));
  }

  /** The gRPC code an HTTP failure status stands for; {@code kind} is what the client made of it. */
  static Status.Code code(int status, FailureKind kind) {
    if (kind == FailureKind.OVERLOADED) {
      return Status.Code.RESOURCE_EXHAUSTED;
    }
    return switch (status) {
      case 502, 503 -> Status.Code.UNAVAILABLE;
      case 504 -> Status.Code.DEADLINE_EXCEEDED;
      case HttpStatusMapping.CLIENT_CLOSED_REQUEST -> Status.Code.CANCELLED;
      default -> GrpcStatusMapping.codeOf(kind);
    };
  }

  /**
   * A client's failure as the gRPC status exception the lab's callers read ({@code UnaryCalls.code}, the relay of
   * a required call's failure): HTTP statuses by {@link #code}, with the mark when the server sent it.
   */
  static StatusRuntimeException toStatusException(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    HttpRemoteFailure http = null;
    if (unwrapped instanceof HttpRemoteFailure remote) {
      http = remote;
    } else if (unwrapped instanceof BlastwallException blastwall
        && blastwall.getCause() instanceof HttpRemoteFailure last && last.kind() == blastwall.kind()) {
      // The pipeline gave up on the upstream's own answer: keep the code it really sent.
      http = last;
    }
    if (http == null) {
      if (unwrapped instanceof HttpTimeoutException) {
        return Status.DEADLINE_EXCEEDED.withDescription(unwrapped.getMessage()).asRuntimeException();
      }
      if (unwrapped instanceof IOException) {
        return Status.UNAVAILABLE.withDescription(String.valueOf(unwrapped)).asRuntimeException();
      }
      if (unwrapped instanceof CancellationException) {
        return Status.CANCELLED.withDescription(unwrapped.getMessage()).asRuntimeException();
      }
      return GrpcStatusMapping.toStatusException(unwrapped);
    }
    Status.Code code = http.status() == HttpRemoteFailure.NO_STATUS ? GrpcStatusMapping.codeOf(http.kind())
        : code(http.status(), http.kind());
    Metadata trailers = new Metadata();
    if (http.marked()) {
      BlastwallMetadata.markDoNotRetry(trailers);
    }
    return Status.fromCode(code).withDescription(unwrapped.getMessage()).asRuntimeException(trailers);
  }

  /** The failure of a bare client's {@code response}, or null for a 2xx answer. */
  static @Nullable StatusRuntimeException failure(HttpResponse<byte[]> response) {
    int status = response.statusCode();
    if (!HttpStatusMapping.isFailure(status)) {
      return null;
    }
    boolean marked = response.headers().firstValue(Headers.DO_NOT_RETRY).isPresent();
    Metadata trailers = new Metadata();
    if (marked) {
      BlastwallMetadata.markDoNotRetry(trailers);
    }
    return Status.fromCode(code(status, HttpStatusMapping.kindOf(status, marked)))
        .withDescription("HTTP " + status).asRuntimeException(trailers);
  }

  /** Shuts a client's connections down and waits a little for it. */
  static void close(java.net.http.HttpClient http) {
    http.shutdownNow();
    try {
      var unused = http.awaitTermination(CLOSE_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
