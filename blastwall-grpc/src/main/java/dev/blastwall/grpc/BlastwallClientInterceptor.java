package dev.blastwall.grpc;

import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;

/**
 * Runs a channel's calls under Blastwall, per a {@link GrpcClientPolicy}.
 *
 * <p><b>Unary calls</b> become one logical call through the method's {@link dev.blastwall.pipeline.Pipeline}
 * ({@code callAsync}): the request is buffered, and every attempt the pipeline makes (first try, retry, hedge) is a
 * fresh call on the channel with its own gRPC deadline ({@code min(call deadline - slack, attempt timeout)}, see
 * {@link GrpcClientPolicy}) and the metadata of {@link BlastwallMetadata}: criticality, the idempotency key (the
 * same on every attempt), the attempt number and the do-not-retry mark. A failed attempt's status becomes a
 * {@link GrpcRemoteFailure} (see {@link GrpcStatusMapping}) for the pipeline to judge; cancelling the attempt's
 * context (attempt timeout, caller cancelled, hedge won) cancels the call below. The application's listener
 * hears the outcome once: the winning attempt's headers, message and trailers, or the final failure as a
 * status whose description is the Blastwall exception's message (and whose cause is the exception).
 *
 * <p><b>Server-streaming calls</b> run through the same pipeline until they are committed: the request is buffered
 * and each attempt is a fresh call, retried on a retryable failure before the first response message; the first
 * message (or an OK close) commits the call, and later failures reach the application as they are. The call's
 * deadline covers the whole stream. See {@code RetryingServerStreamCall}.
 *
 * <p><b>Client-streaming and bidirectional calls</b> run through the pipeline until they are committed: sent
 * messages go to the attempt in flight and are kept for replay (up to 64 messages or 1 MiB); a retryable failure
 * before any response, with nothing dropped from the buffer, replays headers, messages and half-close on a fresh
 * attempt. The first response message, an OK close, or a buffer overflow commits the call. See
 * {@code RetryingClientStreamCall}.
 *
 * <p>gRPC's own retries must be off, or they would multiply Blastwall's: build the channel with
 * {@code disableRetry()}, e.g. through {@link BlastwallChannels#forTarget}. Place this interceptor outermost
 * (added last): interceptors below it run once per attempt, interceptors above it once per logical call.
 *
 * <p>Thread-safe; one interceptor serves a whole channel.
 */
public final class BlastwallClientInterceptor implements ClientInterceptor {

  /**
   * A caller-chosen idempotency key for one call ({@code stub.withOption(IDEMPOTENCY_KEY, "order-42")}), used
   * instead of a generated one, e.g. to carry a key the application already received from its own client. It is the
   * caller's promise that the server deduplicates on the key: the call is then retried like a
   * {@linkplain GrpcClientPolicy.Builder#keyed keyed} method's, also after its request may have run.
   */
  public static final CallOptions.Key<String> IDEMPOTENCY_KEY = CallOptions.Key.create("blastwall-idempotency-key");

  private final GrpcClientPolicy policy;

  private BlastwallClientInterceptor(GrpcClientPolicy policy) {
    this.policy = policy;
  }

  /** An interceptor applying {@code policy}. */
  public static BlastwallClientInterceptor create(GrpcClientPolicy policy) {
    return new BlastwallClientInterceptor(policy);
  }

  /** The policy this interceptor applies. */
  public GrpcClientPolicy policy() {
    return policy;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
      CallOptions callOptions, Channel next) {
    MethodPlan plan = policy.plan(method);
    if (method.getType() == MethodDescriptor.MethodType.UNARY) {
      return new RetryingUnaryCall<>(method, callOptions, next, policy, plan);
    }
    if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
      return new RetryingServerStreamCall<>(method, callOptions, next, policy, plan);
    }
    if (method.getType() == MethodDescriptor.MethodType.CLIENT_STREAMING
        || method.getType() == MethodDescriptor.MethodType.BIDI_STREAMING) {
      return new RetryingClientStreamCall<>(method, callOptions, next, policy, plan);
    }
    return PropagatingCall.create(method, callOptions, next, policy, plan);
  }
}
