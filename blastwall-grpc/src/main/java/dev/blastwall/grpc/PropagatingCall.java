package dev.blastwall.grpc;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * A call of a type Blastwall does not retry (method type {@code UNKNOWN}), passed through: it gets the deadline
 * (with the caller's slack kept back), the criticality, an idempotency key, attempt 1 and the do-not-retry mark of
 * the caller's {@link CallContext}, and is cancelled when that context is.
 */
final class PropagatingCall<ReqT, RespT> extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {

  private final CallContext context;

  private PropagatingCall(ClientCall<ReqT, RespT> delegate, CallContext context) {
    super(delegate);
    this.context = context;
  }

  static <ReqT, RespT> ClientCall<ReqT, RespT> create(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions,
      Channel next, GrpcClientPolicy policy, MethodPlan plan) {
    CallContext caller = CallContext.current();
    Deadline callDeadline = Propagation.callDeadline(caller, Context.current(), callOptions, policy.ticker());
    Deadline deadline = policy.attemptDeadline(callDeadline, plan);
    CallOptions options = deadline == null ? callOptions : callOptions.withDeadline(Propagation.toGrpc(deadline));
    CallContext context = caller.withDeadline(deadline).withIdempotency(LogicalCall.idempotency(callOptions, plan));
    return new PropagatingCall<>(next.newCall(method, options), context);
  }

  @Override
  public void start(Listener<RespT> responseListener, Metadata headers) {
    // A pass-through call is its own first attempt, whatever attempt of its caller's call runs it.
    Propagation.writeHeaders(headers, context.forAttempt(1, AttemptKind.ORIGINAL, context.cancellation()));
    super.start(responseListener, headers);
    context.cancellation().onCancel(
        () -> LogicalCall.cancelBelow(delegate(), context.cancellation(), "caller cancelled"));
  }
}
