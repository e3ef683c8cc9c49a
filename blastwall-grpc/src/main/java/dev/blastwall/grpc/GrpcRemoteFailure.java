package dev.blastwall.grpc;

import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.relay.IncomingVerdict;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * A failed gRPC attempt in Blastwall's terms: the {@link FailureKind} and hints that the pipeline's retry policy
 * reads, plus the original {@link Status} and trailers, so a failure that is not retried reaches the caller
 * exactly as the server sent it. Built by {@link GrpcStatusMapping#toFailure} from core's verdict
 * ({@code dev.blastwall.relay.FailureRelay#incoming}); the do-not-retry mark is {@link RemoteFailure#marked()}.
 *
 * <p>Immutable. The status and trailers are not serialized (gRPC's types are not serializable).
 */
public final class GrpcRemoteFailure extends RemoteFailure {

  private static final long serialVersionUID = 1L;

  private final transient Status status;
  private final transient Metadata trailers;

  GrpcRemoteFailure(IncomingVerdict verdict, Status status, Metadata trailers) {
    super(verdict.kind(), verdict.message(), verdict.retryAfter(), verdict.doNotRetry(), verdict.didNotRun(),
        verdict.marked(), status.getCause());
    this.status = status;
    this.trailers = trailers;
  }

  /** The status the server (or the local transport) closed the attempt with. */
  public Status status() {
    return status;
  }

  /** The attempt's trailers, as received. */
  public Metadata trailers() {
    return trailers;
  }
}
