package dev.blastwall.grpc;

import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A server-streaming call (one request, many responses) run through a {@link dev.blastwall.pipeline.Pipeline}
 * until it is committed (see {@link CommittingCall}): the request and headers are buffered, and each attempt the
 * pipeline makes is a fresh call on the channel below (same idempotency key, next attempt number). After the commit
 * nothing is retried (the application has seen part of the stream; resuming is its business, see docs/grpc.md). A
 * failure before the commit is judged by the pipeline like a unary failure, and retried when the pipeline says so.
 *
 * <p>The application calls {@code start}, {@code sendMessage} and {@code halfClose} from one thread at a time, as
 * {@link ClientCall} requires; {@code request} and {@code cancel} may come from any thread. Shared state is atomic;
 * the commit is one compare-and-set.
 */
final class RetryingServerStreamCall<ReqT, RespT> extends CommittingCall<ReqT, RespT> {

  RetryingServerStreamCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next,
      GrpcClientPolicy policy, MethodPlan plan) {
    super(method, callOptions, next, policy, plan);
  }

  @Override
  public void halfClose() {
    ReqT message = requestToSend("server-streaming");
    if (message != null) {
      Metadata requestHeaders = startedHeaders();
      Boolean compressed = compression;
      startPipeline(() -> startAttempt(requestHeaders, message, compressed));
    }
  }

  /** Starts one attempt; runs with the attempt's {@link dev.blastwall.context.CallContext} current. */
  private CompletableFuture<Boolean> startAttempt(Metadata requestHeaders, ReqT message,
      @Nullable Boolean compressed) {
    Attempt attempt = newAttempt();
    ClientCall<ReqT, RespT> call = attempt.call;
    Metadata attemptHeaders = Propagation.attemptHeaders(requestHeaders, attempt.context());
    try {
      call.start(attempt, attemptHeaders);
      if (compressed != null) {
        call.setMessageCompression(compressed);
      }
      call.sendMessage(message);
      call.halfClose();
    } catch (RuntimeException | Error failure) {
      return attempt.failedToSend(failure);
    }
    return launched(attempt);
  }
}
