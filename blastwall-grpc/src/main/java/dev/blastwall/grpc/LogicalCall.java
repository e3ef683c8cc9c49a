package dev.blastwall.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
import dev.blastwall.internal.Checks;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What the three retrying call wrappers share: a call as the application sees it, run as one logical call through
 * the method's {@link dev.blastwall.pipeline.Pipeline}, each attempt a fresh call on the channel below. This class
 * captures the caller's contexts when the call is made, works out the logical call's deadline and idempotency (its
 * key included), starts the pipeline with itself as the settling callback ({@link #accept}), opens each attempt's
 * call (deadline, {@link SendTracker}, the application's gRPC context), turns the application's cancel into the
 * pipeline's, closes the call with the status the application hears, and delivers on the application's executor.
 * The subclasses keep what differs: what is buffered and replayed, flow control, and when the call is settled.
 *
 * <p>Unary and server-streaming calls send one request message, buffered here until {@code halfClose}; a client
 * stream overrides {@link #sendMessage} with its replay buffer.
 *
 * <p>The application calls {@code start}, {@code sendMessage} and {@code halfClose} from one thread at a time, as
 * {@link ClientCall} requires; {@code request} and {@code cancel} may come from any thread.
 *
 * @param <R> what an attempt's future completes with: the answer (unary) or that the attempt committed (streams)
 */
abstract class LogicalCall<ReqT, RespT, R> extends ClientCall<ReqT, RespT>
    implements BiConsumer<@Nullable R, @Nullable Throwable> {

  final MethodDescriptor<ReqT, RespT> method;
  final CallOptions callOptions;
  final GrpcClientPolicy policy;
  final MethodPlan plan;
  private final Channel next;
  // Captured when the call is created, on the application's thread: the call belongs to that context.
  private final CallContext caller;
  final Context grpcContext;

  // Written by the application in start, before anything reads them on other threads.
  volatile @Nullable Listener<RespT> listener;
  @Nullable Metadata headers;
  // The request of a unary or server-streaming call, and the compression asked for: written before halfClose,
  // read by attempts, which all start after it.
  @Nullable ReqT request;
  private int requestCount;
  @Nullable Boolean compression;

  private volatile @Nullable CompletableFuture<R> logical;
  // Written once before the pipeline starts; read by attempts and the settling, which all come after that.
  private @Nullable CallContext logicalContext;
  private volatile @Nullable Status cancelled;

  LogicalCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next, GrpcClientPolicy policy,
      MethodPlan plan) {
    this.method = method;
    this.callOptions = callOptions;
    this.next = next;
    this.policy = policy;
    this.plan = plan;
    this.caller = CallContext.current();
    this.grpcContext = Context.current();
  }

  /**
   * The idempotency of a call made with {@code options} under {@code plan}: the method's, with the caller's key
   * ({@link BlastwallClientInterceptor#IDEMPOTENCY_KEY}) or, for a keyed method, a fresh one.
   */
  static Idempotency idempotency(CallOptions options, MethodPlan plan) {
    String key = options.getOption(BlastwallClientInterceptor.IDEMPOTENCY_KEY);
    if (key == null && plan.keyed()) {
      key = UUID.randomUUID().toString();
    }
    return key == null ? plan.idempotency() : new Idempotency(plan.idempotency().idempotent(), key);
  }

  /** Cancels {@code call} because {@code cancellation} fired, giving its cause (or {@code otherwise}) as the reason. */
  static void cancelBelow(ClientCall<?, ?> call, Cancellation cancellation, String otherwise) {
    Throwable why = cancellation.cause();
    call.cancel("cancelled by Blastwall: " + (why != null ? why.getMessage() : otherwise), why);
  }

  /** Fails the request when {@code numMessages} is negative. */
  static void checkRequest(int numMessages) {
    if (numMessages < 0) {
      throw Checks.invalidArgument("numMessages", numMessages, ">= 0");
    }
  }

  /** Takes the application's listener and headers, once. */
  final void open(Listener<RespT> responseListener, Metadata requestHeaders) {
    if (listener != null) {
      throw new IllegalStateException("call already started");
    }
    this.listener = responseListener;
    this.headers = requestHeaders;
  }

  /** The application's request headers; fails when the call was not started. */
  final Metadata startedHeaders() {
    Metadata requestHeaders = headers;
    if (listener == null || requestHeaders == null) {
      throw new IllegalStateException("call not started");
    }
    return requestHeaders;
  }

  /** Buffers the one request message of a unary or server-streaming call. */
  @Override
  public void sendMessage(ReqT message) {
    if (listener == null) {
      throw new IllegalStateException("call not started");
    }
    requestCount++;
    this.request = message;
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    this.compression = enabled;
  }

  /**
   * The request to send once the application half-closed a {@code kind} call (unary, server-streaming), or
   * {@code null} when there is none to send: the call was cancelled or settled, or the application did not send
   * exactly one message (the call is then closed with INTERNAL).
   */
  final @Nullable ReqT requestToSend(String kind) {
    var unused = startedHeaders();
    if (cancelled != null || isSettled()) {
      return null;
    }
    ReqT message = request;
    if (message == null || requestCount != 1) {
      close(Status.INTERNAL.withDescription(
          "a " + kind + " call sends exactly one request message (sent: " + requestCount + ")"), new Metadata());
      return null;
    }
    return message;
  }

  /**
   * Starts the logical call through the pipeline, under the caller's context with the call's deadline, with
   * {@code task} starting each attempt; the pipeline's verdict comes to {@link #accept}.
   */
  final void startPipeline(Supplier<? extends CompletionStage<R>> task) {
    CallContext context = caller.withDeadline(
        Propagation.callDeadline(caller, grpcContext, callOptions, policy.ticker()));
    Idempotency idempotency = idempotency(callOptions, plan);
    // Outside any call, the pipeline would derive a context with the method's idempotency per call; the plan
    // holds that context ready. It is the same context either way.
    if (context == CallContext.ROOT && idempotency.key() == null) {
      context = plan.outsideAnyCall();
    }
    logicalContext = context;
    CompletableFuture<R> result;
    CallContext previous = context.attach();
    try {
      result = plan.pipeline().callAsync(idempotency, task);
    } finally {
      context.detach(previous);
    }
    logical = result;
    var unused = result.whenComplete(this);
    if (cancelled != null) {
      // cancel() ran while the pipeline was starting and may not have seen the future.
      result.cancel(/* mayInterruptIfRunning= */ false);
    }
  }

  /** Cancels the logical call's future, if the pipeline started: stops the attempt in flight and any retry. */
  final void cancelPipeline() {
    CompletableFuture<R> result = logical;
    if (result != null) {
      result.cancel(/* mayInterruptIfRunning= */ false);
    }
  }

  /** The logical call's context (the caller's, with the call's deadline); null before the pipeline started. */
  final @Nullable CallContext logicalContext() {
    return logicalContext;
  }

  /** The status the application cancelled the call with, or null. */
  final @Nullable Status cancelled() {
    return cancelled;
  }

  @Override
  public final void cancel(@Nullable String message, @Nullable Throwable cause) {
    if (cancelled != null) {
      return;
    }
    Status status = Status.CANCELLED.withDescription(message != null ? message : "call cancelled");
    Status cancelStatus = cause != null ? status.withCause(cause) : status;
    cancelled = cancelStatus;
    CompletableFuture<R> result = logical;
    if (result != null) {
      // Cancels the attempt in flight (its context's cancellation cancels the call below) and stops retries; the
      // settling then closes the call with cancelStatus.
      result.cancel(/* mayInterruptIfRunning= */ false);
    } else {
      close(cancelStatus, new Metadata());
    }
    afterCancel(message, cause);
  }

  /** After the application cancelled: a stream that committed to an attempt cancels that attempt's call. */
  void afterCancel(@Nullable String message, @Nullable Throwable cause) {}

  /** Whether the application's call already has its outcome (so there is nothing left to start). */
  abstract boolean isSettled();

  /** Closes the application's call with {@code status} unless it already has its outcome; at most once. */
  abstract void close(Status status, Metadata trailers);

  /**
   * Closes the call after the pipeline failed with {@code failure}: the application hears its own cancellation if it
   * cancelled, whatever the attempt in flight ended with, and otherwise the failure as a status.
   */
  void fail(@Nullable Throwable failure) {
    Status cancelStatus = cancelled;
    if (cancelStatus != null) {
      close(cancelStatus, new Metadata());
      return;
    }
    StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(
        failure != null ? failure : new IllegalStateException("no response"));
    Metadata trailers = mapped.getTrailers();
    close(mapped.getStatus(), trailers != null ? trailers : new Metadata());
  }

  /**
   * A tracker telling whether an attempt's request left the client, which matters only for a method that is not
   * idempotent (see {@link SendTracker}); null for the others.
   */
  final @Nullable SendTracker newSendTracker() {
    return plan.idempotency().idempotent() ? null : new SendTracker();
  }

  /**
   * Opens the call of one attempt with gRPC deadline {@code deadline} (marked as the attempt's {@code ownTimeout})
   * and {@code sendTracker}, under the application's gRPC context.
   */
  final ClientCall<ReqT, RespT> newAttemptCall(@Nullable Deadline deadline, boolean ownTimeout,
      @Nullable SendTracker sendTracker) {
    return Propagation.newAttemptCall(next, method,
        Propagation.attemptOptions(callOptions, deadline, ownTimeout, sendTracker), grpcContext);
  }

  /**
   * What an attempt's close with {@code status} (not OK) means, with what only this side knows of it.
   *
   * @param cancelledHere whether this side cancelled the attempt (besides its context or the application's gRPC
   *     context, which are checked here)
   */
  final GrpcRemoteFailure attemptFailure(Status status, Metadata trailers, @Nullable SendTracker sendTracker,
      boolean ownTimeout, CallContext attempt, boolean cancelledHere) {
    return GrpcStatusMapping.toAttemptFailure(status, trailers, sendTracker != null && sendTracker.neverSent(),
        ownTimeout, cancelledHere || attempt.cancellation().isCancelled() || grpcContext.isCancelled());
  }

  /**
   * Runs {@code delivery} on the application's executor when it named one (a blocking stub waits for callbacks on
   * exactly that executor), else here.
   */
  final void deliver(Runnable delivery) {
    Executor executor = callOptions.getExecutor();
    if (executor != null) {
      executor.execute(delivery);
    } else {
      delivery.run();
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + method.getFullMethodName() + ", " + plan.pipeline().upstream() + "]";
  }
}
