package dev.blastwall.grpc;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.time.Ticker;
import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Gives each incoming call a Blastwall {@link CallContext} and maps Blastwall failures to statuses.
 *
 * <p>For every call it:
 * <ol>
 *   <li>reads the deadline from gRPC's {@code Context} (gRPC decoded {@code grpc-timeout} into it) and answers
 *       DEADLINE_EXCEEDED, without running the handler, when it has already passed;
 *   <li>builds a {@link CallContext} with that deadline and the criticality, idempotency key, attempt number and
 *       do-not-retry mark from {@link BlastwallMetadata} (a malformed idempotency key is answered
 *       INVALID_ARGUMENT), whose cancellation fires as soon as gRPC cancels the call (client cancel, deadline,
 *       broken connection), not when the call completes normally;
 *   <li>asks the {@link Admission} hook, if any, and answers a refusal RESOURCE_EXHAUSTED with pushback and the
 *       do-not-retry mark;
 *   <li>makes the context current around the handler's start and each of its callbacks ({@code onMessage},
 *       {@code onHalfClose}, {@code onReady}, {@code onCancel}, {@code onComplete}), which gRPC runs on its executor
 *       threads, so handler code and the Blastwall clients it calls see {@code CallContext.current()};
 *   <li>maps failures to statuses ({@link GrpcStatusMapping#toStatusException}): a Blastwall exception or
 *       {@code RemoteFailure} (or a gRPC status exception) thrown by a callback, and one passed to
 *       {@code responseObserver.onError}, which gRPC would otherwise send as UNKNOWN. Other exceptions are left to
 *       gRPC.
 * </ol>
 *
 * <p>The attempt kind is {@code ORIGINAL} for attempt 1 and {@code RETRY} after it; the wire does not tell hedges
 * from retries. Immutable and thread-safe; one interceptor serves a whole server.
 */
public final class BlastwallServerInterceptor implements ServerInterceptor {

  private static final Executor DIRECT = Runnable::run;

  private final Ticker ticker;
  private final @Nullable Admission admission;
  private final Criticality defaultCriticality;

  private BlastwallServerInterceptor(Builder builder) {
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.admission = builder.admission;
    this.defaultCriticality = builder.defaultCriticality != null ? builder.defaultCriticality : Criticality.CRITICAL;
  }

  /** An interceptor with the defaults: system ticker, no admission control, CRITICAL when the caller sends none. */
  public static BlastwallServerInterceptor create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    MappingCall<ReqT, RespT> mapping = new MappingCall<>(call);
    Context grpcContext = Context.current();
    io.grpc.Deadline grpcDeadline = grpcContext.getDeadline();
    Deadline deadline = grpcDeadline == null ? null
        : Deadline.afterNanos(grpcDeadline.timeRemaining(TimeUnit.NANOSECONDS), ticker);
    if (deadline != null && deadline.isExpired()) {
      mapping.closeOnce(Status.DEADLINE_EXCEEDED.withDescription(
          "deadline passed before the call started (" + deadline + "); the handler did not run"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Idempotency idempotency;
    try {
      String key = headers.get(BlastwallMetadata.IDEMPOTENCY_KEY);
      idempotency = key == null ? Idempotency.NON_IDEMPOTENT : Idempotency.withKey(key);
    } catch (IllegalArgumentException invalid) {
      mapping.closeOnce(Status.INVALID_ARGUMENT.withDescription(
          BlastwallMetadata.IDEMPOTENCY_KEY.name() + ": " + invalid.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Criticality criticality = BlastwallMetadata.parseCriticality(headers.get(BlastwallMetadata.CRITICALITY));
    int attempt = BlastwallMetadata.parseAttempt(headers.get(BlastwallMetadata.ATTEMPT));
    Cancellation cancellation = Cancellation.create();
    CallContext context = CallContext.ROOT
        .forAttempt(attempt, attempt > 1 ? AttemptKind.RETRY : AttemptKind.ORIGINAL, cancellation)
        .withDeadline(deadline)
        .withCriticality(criticality != null ? criticality : defaultCriticality)
        .withIdempotency(idempotency)
        .withDoNotRetry(BlastwallMetadata.parseDoNotRetry(headers.get(BlastwallMetadata.DO_NOT_RETRY)));

    CallState state = new CallState(context, admission, ticker);
    // gRPC cancels the call's Context from the transport or timer thread the moment the client cancels, the
    // deadline passes or the connection breaks; the listener's onCancel would wait behind a handler callback that
    // is still running (a blocking handler waiting on its own outgoing call), so the signal is taken from here.
    grpcContext.addListener(cancelled -> state.cancel(cancelled.cancellationCause()), DIRECT);

    if (admission != null) {
      OverloadedException refused = admission.tryAdmit(context);
      if (refused != null) {
        state.completed.set(true);
        StatusRuntimeException answer = GrpcStatusMapping.toStatusException(refused);
        mapping.closeOnce(answer.getStatus(), trailers(answer));
        return new ServerCall.Listener<>() {};
      }
      state.admitted(ticker.nanos());
    }

    ServerCall.Listener<ReqT> delegate;
    CallContext previous = context.attach();
    try {
      delegate = next.startCall(mapping, headers);
    } catch (RuntimeException failure) {
      state.release();
      if (GrpcStatusMapping.isMapped(failure)) {
        mapping.closeMapped(failure);
        return new ServerCall.Listener<>() {};
      }
      throw failure;
    } finally {
      context.detach(previous);
    }
    return new ContextListener<>(delegate, mapping, state);
  }

  @Override
  public String toString() {
    return "BlastwallServerInterceptor[admission=" + (admission != null ? admission : "none")
        + ", defaultCriticality=" + defaultCriticality + "]";
  }

  private static Metadata trailers(StatusRuntimeException exception) {
    Metadata trailers = exception.getTrailers();
    return trailers != null ? trailers : new Metadata();
  }

  /** One call's context and the bookkeeping of its end: admission released once, cancellation only if cancelled. */
  private static final class CallState {
    final CallContext context;
    final @Nullable Admission admission;
    final Ticker ticker;
    final AtomicBoolean completed = new AtomicBoolean();
    final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean admitted;
    private volatile long admittedAtNanos;

    CallState(CallContext context, @Nullable Admission admission, Ticker ticker) {
      this.context = context;
      this.admission = admission;
      this.ticker = ticker;
    }

    void admitted(long nowNanos) {
      admittedAtNanos = nowNanos;
      admitted = true;
    }

    /** gRPC cancelled the call, or closed its Context after it completed (then nothing happens). */
    void cancel(@Nullable Throwable cause) {
      if (completed.get()) {
        return;
      }
      CancellationException signal = new CancellationException(
          cause == null ? "gRPC call cancelled" : "gRPC call cancelled: " + cause);
      if (cause != null) {
        signal.initCause(cause);
      }
      context.cancellation().cancel(signal);
    }

    void release() {
      Admission hook = admission;
      if (hook != null && admitted && released.compareAndSet(false, true)) {
        hook.release(context, ticker.nanos() - admittedAtNanos);
      }
    }
  }

  /** Makes the call's context current around every handler callback, and maps the failures they throw. */
  private static final class ContextListener<ReqT, RespT>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
    private final MappingCall<ReqT, RespT> call;
    private final CallState state;

    ContextListener(ServerCall.Listener<ReqT> delegate, MappingCall<ReqT, RespT> call, CallState state) {
      super(delegate);
      this.call = call;
      this.state = state;
    }

    @Override
    public void onMessage(ReqT message) {
      CallContext previous = state.context.attach();
      try {
        super.onMessage(message);
      } catch (RuntimeException failure) {
        handle(failure);
      } finally {
        state.context.detach(previous);
      }
    }

    @Override
    public void onHalfClose() {
      CallContext previous = state.context.attach();
      try {
        super.onHalfClose();
      } catch (RuntimeException failure) {
        handle(failure);
      } finally {
        state.context.detach(previous);
      }
    }

    @Override
    public void onReady() {
      CallContext previous = state.context.attach();
      try {
        super.onReady();
      } catch (RuntimeException failure) {
        handle(failure);
      } finally {
        state.context.detach(previous);
      }
    }

    @Override
    public void onCancel() {
      // Normally done already by the Context listener; this covers servers whose Context is not cancellable.
      state.cancel(null);
      CallContext previous = state.context.attach();
      try {
        super.onCancel();
      } finally {
        state.context.detach(previous);
        state.release();
      }
    }

    @Override
    public void onComplete() {
      state.completed.set(true);
      CallContext previous = state.context.attach();
      try {
        super.onComplete();
      } finally {
        state.context.detach(previous);
        state.release();
      }
    }

    private void handle(RuntimeException failure) {
      if (!GrpcStatusMapping.isMapped(failure)) {
        throw failure;
      }
      call.closeMapped(failure);
    }
  }

  /**
   * Remaps a close whose status gRPC made UNKNOWN from a Blastwall failure ({@code onError(exception)} does that),
   * and lets this interceptor close a call at most once, after the handler or instead of it.
   */
  private static final class MappingCall<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private final AtomicBoolean closed = new AtomicBoolean();

    MappingCall(ServerCall<ReqT, RespT> delegate) {
      super(delegate);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      closed.set(true);
      Throwable cause = status.getCause();
      if (status.getCode() == Status.Code.UNKNOWN && cause != null && GrpcStatusMapping.isMapped(cause)) {
        StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(cause);
        trailers.merge(BlastwallServerInterceptor.trailers(mapped));
        super.close(mapped.getStatus(), trailers);
        return;
      }
      super.close(status, trailers);
    }

    void closeMapped(Throwable failure) {
      StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(failure);
      closeOnce(mapped.getStatus(), BlastwallServerInterceptor.trailers(mapped));
    }

    void closeOnce(Status status, Metadata trailers) {
      if (closed.compareAndSet(false, true)) {
        try {
          super.close(status, trailers);
        } catch (IllegalStateException raced) {
          // The handler closed the call at the same moment on another thread; its answer stands.
        }
      }
    }
  }

  /** Builds a {@link BlastwallServerInterceptor}; each option may be set once. Not thread-safe. */
  public static final class Builder {
    private @Nullable Ticker ticker;
    private @Nullable Admission admission;
    private @Nullable Criticality defaultCriticality;

    private Builder() {}

    /**
     * The ticker on which incoming deadlines are placed; default {@link Ticker#system()}. It must be the ticker of
     * the pipelines the handlers call through.
     */
    public Builder ticker(Ticker newTicker) {
      Args.checkNotSet("ticker", ticker != null);
      this.ticker = newTicker;
      return this;
    }

    /** Admission control, asked before each handler starts; default none (everything is admitted). */
    public Builder admission(Admission newAdmission) {
      Args.checkNotSet("admission", admission != null);
      this.admission = newAdmission;
      return this;
    }

    /** The criticality of calls that carry none (or an unknown one); default {@link Criticality#CRITICAL}. */
    public Builder defaultCriticality(Criticality criticality) {
      Args.checkNotSet("defaultCriticality", defaultCriticality != null);
      this.defaultCriticality = criticality;
      return this;
    }

    public BlastwallServerInterceptor build() {
      return new BlastwallServerInterceptor(this);
    }
  }
}
