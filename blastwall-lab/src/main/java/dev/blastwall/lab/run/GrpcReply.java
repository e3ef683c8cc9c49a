package dev.blastwall.lab.run;

import dev.blastwall.failure.OverloadedException;
import dev.blastwall.grpc.GrpcStatusMapping;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** An answer written on a gRPC server call; a call already closed by a racing cancel is left alone. */
final class GrpcReply implements Reply {

  private final ServerCall<byte[], byte[]> call;

  GrpcReply(ServerCall<byte[], byte[]> call) {
    this.call = call;
  }

  @Override
  public void ok(byte[] reply) {
    try {
      call.sendHeaders(new Metadata());
      call.sendMessage(reply);
      call.close(Status.OK, new Metadata());
    } catch (IllegalStateException | StatusRuntimeException gone) {
      // The call was cancelled while the answer was being written: nobody is listening.
    }
  }

  @Override
  public void fail(Status status, Metadata trailers) {
    try {
      call.close(status, trailers);
    } catch (IllegalStateException | StatusRuntimeException gone) {
      // Already closed by a cancel racing this answer.
    }
  }

  @Override
  public void shed(OverloadedException reason) {
    StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(reason);
    Metadata trailers = mapped.getTrailers();
    fail(mapped.getStatus(), trailers != null ? trailers : new Metadata());
  }
}
