package dev.blastwall.idempotency;

import dev.blastwall.internal.Checks;
import java.util.Arrays;

/**
 * The response a keyed request produced, as a store keeps it for replay: a status (an HTTP status, a gRPC code) and
 * the body bytes (an HTTP body, a serialized response message). The adapter that replays it marks it as replayed
 * ({@code Idempotent-Replayed: true} over HTTP).
 *
 * <p>The body is copied in and out, so neither the handler nor a replay can change what is stored.
 */
public final class StoredResponse {

  /** Largest accepted status: HTTP statuses and gRPC codes both fit. */
  public static final int MAX_STATUS = 999;

  private final int status;
  private final byte[] body;

  private StoredResponse(int status, byte[] body) {
    this.status = Checks.checkRange("status", status, 0, MAX_STATUS);
    this.body = body.clone();
  }

  /** A response of {@code status} (0 to {@value #MAX_STATUS}) with {@code body}. */
  public static StoredResponse of(int status, byte[] body) {
    return new StoredResponse(status, body);
  }

  public int status() {
    return status;
  }

  /** A copy of the body. */
  public byte[] body() {
    return body.clone();
  }

  /** The body's length in bytes, without copying it. */
  public int bodyLength() {
    return body.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StoredResponse that && status == that.status && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return 31 * status + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "StoredResponse[status=" + status + ", body=" + body.length + " bytes]";
  }
}
