package dev.blastwall.grpc;

import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A failed gRPC attempt in Blastwall's terms: the {@link FailureKind} and hints that the pipeline's retry policy
 * reads, plus the original {@link Status} and trailers, so a failure that is not retried reaches the caller
 * exactly as the server sent it. Built by {@link GrpcStatusMapping#toFailure}.
 *
 * <p>Immutable. The status and trailers are not serialized (gRPC's types are not serializable).
 */
public final class GrpcRemoteFailure extends RemoteFailure {

  private static final long serialVersionUID = 1L;

  private final transient Status status;
  private final transient Metadata trailers;
  private final boolean marked;

  GrpcRemoteFailure(FailureKind kind, Status status, Metadata trailers, @Nullable Duration retryAfter,
      boolean doNotRetry, boolean marked, boolean didNotRun) {
    super(kind, describe(status), retryAfter, doNotRetry, didNotRun, status.getCause());
    this.status = status;
    this.trailers = trailers;
    this.marked = marked;
  }

  private static String describe(Status status) {
    String description = status.getDescription();
    return description == null ? status.getCode().name() : status.getCode() + ": " + description;
  }

  /** The status the server (or the local transport) closed the attempt with. */
  public Status status() {
    return status;
  }

  /** The attempt's trailers, as received. */
  public Metadata trailers() {
    return trailers;
  }

  /**
   * Whether the server marked the failure {@code blastwall-do-not-retry}. The immediate caller may still retry it
   * when the server also gave a pushback; whoever passes the failure further up keeps the mark.
   */
  public boolean marked() {
    return marked;
  }
}
