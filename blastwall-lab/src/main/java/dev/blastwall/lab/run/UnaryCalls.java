package dev.blastwall.lab.run;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One unary call as a future, on gRPC's own API (the lab's module does not read grpc-stub). The call is created on
 * the calling thread, so it belongs to the gRPC {@code Context} and Blastwall {@code CallContext} current there.
 */
final class UnaryCalls {

  private UnaryCalls() {}

  /** Completes with the answer, or exceptionally with a {@code StatusRuntimeException} carrying the trailers. */
  static CompletableFuture<byte[]> call(
      Channel channel, MethodDescriptor<byte[], byte[]> method, CallOptions options, byte[] request) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = channel.newCall(method, options);
    try {
      call.start(new Listener(result), new Metadata());
      call.request(2);
      call.sendMessage(request);
      call.halfClose();
    } catch (RuntimeException e) {
      call.cancel("failed to send the request", e);
      result.completeExceptionally(Status.INTERNAL.withDescription("send failed").withCause(e).asRuntimeException());
    }
    return result;
  }

  /** The status code of a failed call's exception (UNKNOWN for anything that is not a gRPC status). */
  static Status.Code code(Throwable failure) {
    return Status.fromThrowable(failure).getCode();
  }

  private static final class Listener extends ClientCall.Listener<byte[]> {
    private final CompletableFuture<byte[]> result;
    // gRPC calls a listener's callbacks one at a time.
    private byte @Nullable [] reply;

    Listener(CompletableFuture<byte[]> result) {
      this.result = result;
    }

    @Override
    public void onMessage(byte[] message) {
      reply = message;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      byte[] answer = reply;
      if (!status.isOk()) {
        result.completeExceptionally(status.asRuntimeException(trailers));
      } else if (answer == null) {
        result.completeExceptionally(Status.INTERNAL.withDescription("no reply").asRuntimeException(trailers));
      } else {
        result.complete(answer);
      }
    }
  }
}
