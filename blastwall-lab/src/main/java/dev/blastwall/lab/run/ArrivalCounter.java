package dev.blastwall.lab.run;

import dev.blastwall.lab.run.ReplicaCounters.End;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * The outermost server interceptor of a replica: counts every call that reaches it, including those that Blastwall's
 * interceptor refuses before the handler runs (admission, an expired deadline), which no handler would see.
 */
final class ArrivalCounter implements ServerInterceptor {

  private final ReplicaCounters counters;

  ArrivalCounter(ReplicaCounters counters) {
    this.counters = counters;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Ticket ticket = new Ticket(counters);
    ServerCall<ReqT, RespT> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        if (!ticket.accepted()) {
          ticket.end(refusal(status));
        }
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<ReqT> listener =
        Contexts.interceptCall(Context.current().withValue(Ticket.KEY, ticket), counted, headers, next);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        if (!ticket.accepted()) {
          ticket.end(End.FAILED);
        }
        super.onCancel();
      }
    };
  }

  /** A call closed before the handler took it: refused by admission or for its deadline is shed, else failed. */
  private static End refusal(Status status) {
    return switch (status.getCode()) {
      case OK -> End.COMPLETED;
      case RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED -> End.SHED;
      default -> End.FAILED;
    };
  }
}
