package dev.blastwall.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.grpc.balance.BlastwallBalancing;
import dev.blastwall.time.Ticker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** What both call wrappers put on the wire, and the conversions between gRPC's and Blastwall's deadlines. */
final class Propagation {

  // The attempt numbers nearly every call sends, as text made once: Integer.toString would allocate per attempt.
  private static final String[] ATTEMPT_TEXT = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

  private Propagation() {}

  /**
   * Replaces any Blastwall keys in {@code headers} with the values of {@code context}, sent as attempt
   * {@code attempt}; the attempt number only from attempt 2 on (its absence means 1).
   */
  static void writeHeaders(Metadata headers, CallContext context, int attempt) {
    headers.discardAll(BlastwallMetadata.CRITICALITY);
    headers.discardAll(BlastwallMetadata.IDEMPOTENCY_KEY);
    headers.discardAll(BlastwallMetadata.ATTEMPT);
    headers.discardAll(BlastwallMetadata.DO_NOT_RETRY);
    headers.put(BlastwallMetadata.CRITICALITY, context.criticality().name());
    String key = context.idempotency().key();
    if (key != null) {
      headers.put(BlastwallMetadata.IDEMPOTENCY_KEY, key);
    }
    if (attempt > 1) {
      // Absent means attempt 1 to the server: most calls succeed at once, and each header costs both sides
      // allocation and wire work on every call.
      headers.put(BlastwallMetadata.ATTEMPT, attemptText(attempt));
    }
    if (context.doNotRetry()) {
      headers.put(BlastwallMetadata.DO_NOT_RETRY, "true");
    }
  }

  /** {@code attempt} in decimal. */
  static String attemptText(int attempt) {
    return attempt >= 0 && attempt < ATTEMPT_TEXT.length ? ATTEMPT_TEXT[attempt] : Integer.toString(attempt);
  }

  /**
   * The logical call's deadline: the earliest of the caller's context deadline, gRPC's context deadline (a server
   * handler's incoming deadline) and the stub's {@code withDeadline}; {@code null} when none is set.
   */
  static @Nullable Deadline callDeadline(CallContext caller, Context grpcContext, CallOptions options, Ticker ticker) {
    io.grpc.Deadline grpc = min(options.getDeadline(), grpcContext.getDeadline());
    Deadline own = grpc == null ? null : Deadline.afterNanos(grpc.timeRemaining(TimeUnit.NANOSECONDS), ticker);
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
    writeHeaders(headers, attempt, attempt.attempt());
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
