package dev.blastwall.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.grpc.balance.BlastwallBalancing;
import dev.blastwall.propagation.ContextCodec;
import dev.blastwall.propagation.Headers;
import dev.blastwall.time.Ticker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** What both call wrappers put on the wire, and the conversions between gRPC's and Blastwall's deadlines. */
final class Propagation {

  /** gRPC carries the deadline itself, as {@code grpc-timeout}: the codec writes the rest of the context. */
  static final ContextCodec CODEC = ContextCodec.withoutDeadline();

  // What writeHeaders clears before writing: the codec's keys, except the trace headers, which an application's
  // tracing interceptor may have set (and then keeps; see BlastwallMetadata.sink).
  private static final List<Metadata.Key<String>> CLEARED = CODEC.names().stream()
      .filter(name -> !name.equals(Headers.TRACEPARENT) && !name.equals(Headers.TRACESTATE))
      .map(BlastwallMetadata::keyOf)
      .toList();

  private Propagation() {}

  /**
   * Replaces any Blastwall keys in {@code headers} with the values of {@code attempt}, the context of one attempt;
   * the attempt number only from attempt 2 on (its absence means 1).
   */
  static void writeHeaders(Metadata headers, CallContext attempt) {
    for (Metadata.Key<String> key : CLEARED) {
      headers.discardAll(key);
    }
    CODEC.write(attempt, BlastwallMetadata.sink(headers));
  }

  /**
   * {@code grpc} as a Blastwall deadline on {@code ticker}: the one conversion from gRPC's clock, used for a server's
   * incoming deadline and for a client's {@code withDeadline}.
   */
  static Deadline fromGrpc(io.grpc.Deadline grpc, Ticker ticker) {
    return Deadline.afterNanos(grpc.timeRemaining(TimeUnit.NANOSECONDS), ticker);
  }

  /**
   * The logical call's deadline: the earliest of the caller's context deadline, gRPC's context deadline (a server
   * handler's incoming deadline) and the stub's {@code withDeadline}; {@code null} when none is set.
   */
  static @Nullable Deadline callDeadline(CallContext caller, Context grpcContext, CallOptions options, Ticker ticker) {
    io.grpc.Deadline grpc = min(options.getDeadline(), grpcContext.getDeadline());
    Deadline own = grpc == null ? null : fromGrpc(grpc, ticker);
    Deadline inherited = caller.deadline();
    if (own == null) {
      return inherited;
    }
    return own.min(inherited);
  }

  /** The headers of one attempt: the application's, with the attempt's Blastwall keys. */
  static Metadata attemptHeaders(Metadata requestHeaders, CallContext attempt) {
    Metadata headers = new Metadata();
    headers.merge(requestHeaders);
    writeHeaders(headers, attempt);
    return headers;
  }

  /**
   * The options of one attempt: the application's, with the attempt's {@code deadline}; marked
   * {@link BlastwallBalancing#ATTEMPT_DEADLINE} when that deadline is the attempt's {@code ownTimeout} (Blastwall's
   * balancers then count its DEADLINE_EXCEEDED against the endpoint), and with the attempt's {@code sendTracker}.
   */
  static CallOptions attemptOptions(CallOptions options, @Nullable Deadline deadline, boolean ownTimeout,
      @Nullable SendTracker sendTracker) {
    CallOptions attempt = deadline == null ? options : options.withDeadline(toGrpc(deadline));
    if (ownTimeout) {
      attempt = attempt.withOption(BlastwallBalancing.ATTEMPT_DEADLINE, Boolean.TRUE);
    }
    return sendTracker == null ? attempt : attempt.withStreamTracerFactory(sendTracker);
  }

  /**
   * Opens the underlying call of one attempt, with the attempt's options, under the application's gRPC context:
   * gRPC ties a call to the context current at its creation, so a cancelled server handler cancels its outgoing
   * calls, also for retries that start on the scheduler's threads.
   */
  static <ReqT, RespT> ClientCall<ReqT, RespT> newAttemptCall(Channel next, MethodDescriptor<ReqT, RespT> method,
      CallOptions attemptOptions, Context grpcContext) {
    if (Context.current() == grpcContext) {
      // The first attempt usually starts on the application's thread, where that context is already current.
      return next.newCall(method, attemptOptions);
    }
    Context previous = grpcContext.attach();
    try {
      return next.newCall(method, attemptOptions);
    } finally {
      grpcContext.detach(previous);
    }
  }

  /** {@code deadline} as a gRPC deadline on gRPC's own clock. */
  static io.grpc.Deadline toGrpc(Deadline deadline) {
    return io.grpc.Deadline.after(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
  }

  private static io.grpc.@Nullable Deadline min(io.grpc.@Nullable Deadline a, io.grpc.@Nullable Deadline b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a.minimum(b);
  }
}
