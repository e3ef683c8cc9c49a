package dev.blastwall.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.internal.Checks;
import dev.blastwall.propagation.ContextRead;
import dev.blastwall.server.Admission;
import dev.blastwall.server.GuardedCall;
import dev.blastwall.server.ServerCallGuard;
import dev.blastwall.time.Environment;
import dev.blastwall.time.Ticker;
import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Gives each incoming call a Blastwall {@link CallContext} and maps Blastwall failures to statuses.
 *
 * <p>For every call it:
 * <ol>
 *   <li>reads the deadline from gRPC's {@code Context} (gRPC decoded {@code grpc-timeout} into it);
 *   <li>builds a {@link CallContext} with that deadline and the criticality, idempotency key, attempt number and
 *       do-not-retry mark from {@link BlastwallMetadata} (a malformed idempotency key is answered
 *       INVALID_ARGUMENT, quoting at most 64 characters of it, escaped), whose cancellation fires as soon as gRPC cancels the call (client cancel, deadline,
 *       broken connection), not when the call completes normally;
 *   <li>enters the call through core's {@link ServerCallGuard}: a deadline that already passed is answered
 *       DEADLINE_EXCEEDED without running the handler; a refusal of the {@link Admission}, if any, is answered
 *       RESOURCE_EXHAUSTED with pushback and the do-not-retry mark; an admitted call's permit is released exactly
 *       once, when the call completes (as a success if its status is OK, dropped if DEADLINE_EXCEEDED or
 *       RESOURCE_EXHAUSTED, ignored otherwise), is cancelled (ignored), or its handler fails to start (ignored);
 *   <li>makes the context current around the handler's start and each of its callbacks ({@code onMessage},
 *       {@code onHalfClose}, {@code onReady}, {@code onCancel}, {@code onComplete}), which gRPC runs on its executor
 *       threads, so handler code and the Blastwall clients it calls see {@code CallContext.current()};
 *   <li>maps failures to statuses ({@link GrpcStatusMapping#toStatusException}): a Blastwall exception or
 *       {@code RemoteFailure} (or a gRPC status exception) thrown by a callback, and one passed to
 *       {@code responseObserver.onError}, which gRPC would otherwise send as UNKNOWN. Other exceptions are left to
 *       gRPC.
 * </ol>
 *
 * <p>The headers are read by core's {@link dev.blastwall.propagation.ContextCodec}; the attempt kind is
 * {@code ORIGINAL} for attempt 1, {@code HEDGE} when {@code blastwall-attempt-kind} says so, {@code RETRY}
 * otherwise. A well-formed tenant and W3C trace ride in the context's baggage to the handler's own calls. Immutable
 * and thread-safe; one interceptor serves a whole server.
 */
public final class BlastwallServerInterceptor implements ServerInterceptor {

  private static final Executor DIRECT = Runnable::run;

  private final Ticker ticker;
  private final ServerCallGuard guard;
  private final Criticality defaultCriticality;

  private BlastwallServerInterceptor(Builder builder) {
    this.ticker = (builder.environment != null ? builder.environment : Environment.system()).ticker();
    this.guard = ServerCallGuard.of(builder.admission != null ? builder.admission : Admission.ALWAYS);
    this.defaultCriticality = builder.defaultCriticality != null ? builder.defaultCriticality : Criticality.CRITICAL;
  }

  /**
   * An interceptor with the defaults: the system environment, no admission control, CRITICAL when the caller sends
   * none.
   */
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
    Deadline deadline = grpcDeadline == null ? null : Propagation.fromGrpc(grpcDeadline, ticker);
    ContextRead read = Propagation.CODEC.read(BlastwallMetadata.source(headers), ticker);
    String badKey = read.idempotencyKey().refusal();
    if (badKey != null) {
      // Quotes a bounded, escaped prefix only: the whole key could outgrow the client's trailers (gRPC
      // percent-encodes the description), and its control bytes would reach the loggers of both sides. Every
      // other malformed header is ignored: the call runs with that value's default.
      mapping.closeOnce(Status.INVALID_ARGUMENT.withDescription(badKey), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Cancellation cancellation = Cancellation.create();
    CallContext context = read.context(defaultCriticality, cancellation).withDeadline(deadline);

    GuardedCall guarded = guard.enter(context);
    if (guarded.expired()) {
      mapping.closeOnce(Status.DEADLINE_EXCEEDED.withDescription(
          "deadline passed before the call started (" + deadline + "); the handler did not run"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Throwable refused = guarded.refusal();
    if (refused != null) {
      StatusRuntimeException answer = GrpcStatusMapping.toStatusException(refused);
      mapping.closeOnce(answer.getStatus(), trailers(answer));
      return new ServerCall.Listener<>() {};
    }

    CallListener<ReqT, RespT> listener = new CallListener<>(mapping, context, guarded);
    // gRPC cancels the call's Context from the transport or timer thread the moment the client cancels, the
    // deadline passes or the connection breaks; the listener's onCancel would wait behind a handler callback that
    // is still running (a blocking handler waiting on its own outgoing call), so the signal is taken from here.
    grpcContext.addListener(listener, DIRECT);

    CallContext previous = context.attach();
    try {
      listener.delegate = next.startCall(mapping, headers);
    } catch (RuntimeException failure) {
      guarded.onIgnore();
      if (GrpcStatusMapping.isMapped(failure)) {
        mapping.closeMapped(failure);
        return new ServerCall.Listener<>() {};
      }
      throw failure;
    } finally {
      context.detach(previous);
    }
    return listener;
  }

  @Override
  public String toString() {
    return "BlastwallServerInterceptor[admission=" + (guard.admission() != Admission.ALWAYS ? guard.admission() : "none")
        + ", defaultCriticality=" + defaultCriticality + "]";
  }

  private static Metadata trailers(StatusRuntimeException exception) {
    Metadata trailers = exception.getTrailers();
    return trailers != null ? trailers : new Metadata();
  }

  /**
   * Makes the call's context current around every handler callback and maps the failures they throw; also the
   * bookkeeping of the call's end (the guarded call ended, the context's cancellation fired only if gRPC
   * cancelled the call) and the listener of gRPC's {@code Context}. One object per call does all of it, since
   * every call needs it.
   */
  private static final class CallListener<ReqT, RespT> extends ServerCall.Listener<ReqT>
      implements Context.CancellationListener {
    private final MappingCall<ReqT, RespT> call;
    private final CallContext context;
    private final GuardedCall guarded;
    // The handler's listener: set once the handler started, before gRPC can deliver any callback to this one
    // (gRPC calls a listener only after interceptCall returned it).
    private ServerCall.@Nullable Listener<ReqT> delegate;
    private volatile boolean completed;

    CallListener(MappingCall<ReqT, RespT> call, CallContext context, GuardedCall guarded) {
      this.call = call;
      this.context = context;
      this.guarded = guarded;
    }

    /** gRPC's Context was cancelled: the call was cancelled, or it completed (then nothing happens). */
    @Override
    public void cancelled(Context grpcContext) {
      cancel(grpcContext.cancellationCause());
    }

    private void cancel(@Nullable Throwable cause) {
      if (completed) {
        return;
      }
      CancellationException signal = new CancellationException(
          cause == null ? "gRPC call cancelled" : "gRPC call cancelled: " + cause);
      if (cause != null) {
        signal.initCause(cause);
      }
      context.cancellation().cancel(signal);
    }

    /** Ends the guarded call by the status it was closed with: what the call's work said about load. */
    private void endByStatus() {
      Status.Code code = call.closedWith;
      if (code == Status.Code.OK) {
        guarded.onSuccess();
      } else if (code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.RESOURCE_EXHAUSTED) {
        guarded.onDropped();
      } else {
        guarded.onIgnore();
      }
    }

    @Override
    public void onMessage(ReqT message) {
      CallContext previous = context.attach();
      try {
        handler().onMessage(message);
      } catch (RuntimeException failure) {
        handle(failure);
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onHalfClose() {
      CallContext previous = context.attach();
      try {
        handler().onHalfClose();
      } catch (RuntimeException failure) {
        handle(failure);
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onReady() {
      CallContext previous = context.attach();
      try {
        handler().onReady();
      } catch (RuntimeException failure) {
        handle(failure);
      } finally {
        context.detach(previous);
      }
    }

    @Override
    public void onCancel() {
      // Normally done already by the Context listener; this covers servers whose Context is not cancellable.
      cancel(null);
      CallContext previous = context.attach();
      try {
        handler().onCancel();
      } finally {
        context.detach(previous);
        guarded.onIgnore();
      }
    }

    @Override
    public void onComplete() {
      completed = true;
      CallContext previous = context.attach();
      try {
        handler().onComplete();
      } finally {
        context.detach(previous);
        endByStatus();
      }
    }

    private ServerCall.Listener<ReqT> handler() {
      ServerCall.Listener<ReqT> handler = delegate;
      if (handler == null) {
        throw new IllegalStateException("a callback before the handler started");
      }
      return handler;
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
    private static final VarHandle CLOSED;

    static {
      try {
        CLOSED = MethodHandles.lookup().findVarHandle(MappingCall.class, "closed", boolean.class);
      } catch (ReflectiveOperationException impossible) {
        throw new ExceptionInInitializerError(impossible);
      }
    }

    @SuppressWarnings("unused") // read through CLOSED
    private volatile boolean closed;
    // The code of the status the call was closed with, once closed: read when it completes.
    volatile Status.@Nullable Code closedWith;

    MappingCall(ServerCall<ReqT, RespT> delegate) {
      super(delegate);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      closed = true;
      Throwable cause = status.getCause();
      if (status.getCode() == Status.Code.UNKNOWN && cause != null && GrpcStatusMapping.isMapped(cause)) {
        StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(cause);
        trailers.merge(BlastwallServerInterceptor.trailers(mapped));
        closedWith = mapped.getStatus().getCode();
        super.close(mapped.getStatus(), trailers);
        return;
      }
      closedWith = status.getCode();
      super.close(status, trailers);
    }

    void closeMapped(Throwable failure) {
      StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(failure);
      closeOnce(mapped.getStatus(), BlastwallServerInterceptor.trailers(mapped));
    }

    void closeOnce(Status status, Metadata trailers) {
      if (CLOSED.compareAndSet(this, false, true)) {
        closedWith = status.getCode();
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
    private @Nullable Environment environment;
    private @Nullable Admission admission;
    private @Nullable Criticality defaultCriticality;

    private Builder() {}

    /**
     * The environment whose ticker places incoming deadlines; default {@link Environment#system()}. Give it the
     * environment of the pipelines and client policies the handlers call through: the incoming deadline then
     * compares with their timeouts and bounds each outgoing call.
     */
    public Builder environment(Environment newEnvironment) {
      Checks.checkNotSet("environment", environment != null);
      this.environment = newEnvironment;
      return this;
    }

    /**
     * Admission control, asked before each handler starts through core's {@link ServerCallGuard}; an
     * {@code AdmissionController}, {@code ConcurrencyLimiter} or {@code PartitionedLimiter} is one. Default none
     * (everything with time left is admitted). The interceptor is installed per service: leave admission off the
     * health service, so a busy server is not mistaken for a dead one.
     */
    public Builder admission(Admission newAdmission) {
      Checks.checkNotSet("admission", admission != null);
      this.admission = newAdmission;
      return this;
    }

    /** The criticality of calls that carry none (or an unknown one); default {@link Criticality#CRITICAL}. */
    public Builder defaultCriticality(Criticality criticality) {
      Checks.checkNotSet("defaultCriticality", defaultCriticality != null);
      this.defaultCriticality = criticality;
      return this;
    }

    public BlastwallServerInterceptor build() {
      return new BlastwallServerInterceptor(this);
    }
  }
}
