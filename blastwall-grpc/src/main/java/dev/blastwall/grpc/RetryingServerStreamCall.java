package dev.blastwall.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Idempotency;
import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
import dev.blastwall.internal.Checks;
import io.grpc.Attributes;
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
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A server-streaming call (one request, many responses) run through a {@link dev.blastwall.pipeline.Pipeline}
 * until it is <em>committed</em>: the request and headers are buffered, and each attempt the pipeline makes is a
 * fresh call on the channel below (same idempotency key, next attempt number). An attempt commits the call when
 * its first response message arrives, or when it closes OK without any: from then on the application hears that
 * attempt only, its later failures included, and nothing is retried (the application has seen part of the
 * stream; resuming is its business, see docs/grpc.md). A failure before the commit is judged by the pipeline like
 * a unary failure, and retried when the pipeline says so.
 *
 * <p>The gRPC deadline of every attempt is the logical call's deadline less the slack: it bounds the whole stream,
 * not one attempt. The policy's per-method attempt timeout does not apply to streams (it would cut a long stream
 * short); the pipeline's own {@code attemptTimeout} bounds the time to the first message (the commit).
 *
 * <p>Flow control passes through: messages the application {@code request}s are requested from each attempt (the
 * same total, since no attempt delivered anything before the commit), so an attempt never sends the application
 * more than it asked for.
 *
 * <p>The application calls {@code start}, {@code sendMessage} and {@code halfClose} from one thread at a time, as
 * {@link ClientCall} requires; {@code request} and {@code cancel} may come from any thread. Shared state is atomic;
 * the commit is one compare-and-set.
 */
final class RetryingServerStreamCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

  /** In {@link #owner} when the call was closed without any attempt committing it. */
  private static final Object CLOSED = new Object();

  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final Channel next;
  private final GrpcClientPolicy policy;
  private final MethodPlan plan;
  /** The plan without the per-attempt timeout, for attempts' gRPC deadlines: a stream's deadline is the call's. */
  private final MethodPlan streamPlan;
  private final CallContext caller;
  private final Context grpcContext;

  private @Nullable Listener<RespT> listener;
  private @Nullable Metadata headers;
  private @Nullable ReqT request;
  private int requestCount;
  private @Nullable Boolean compression;

  /** Messages the application requested in total. */
  private final AtomicLong requested = new AtomicLong();
  /** The committed attempt, {@link #CLOSED}, or null while attempts may still be retried. */
  private final AtomicReference<@Nullable Object> owner = new AtomicReference<>();
  private volatile @Nullable Attempt committed;
  private volatile @Nullable Attempt current;
  private volatile @Nullable CompletableFuture<Boolean> logical;
  private volatile @Nullable CallContext logicalContext;
  private volatile @Nullable Status cancelled;

  RetryingServerStreamCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next,
      GrpcClientPolicy policy, MethodPlan plan) {
    this.method = method;
    this.callOptions = callOptions;
    this.next = next;
    this.policy = policy;
    this.plan = plan;
    this.streamPlan = new MethodPlan(plan.pipeline(), plan.idempotency(), plan.keyed(), -1);
    this.caller = CallContext.current();
    this.grpcContext = Context.current();
  }

  @Override
  public void start(Listener<RespT> responseListener, Metadata requestHeaders) {
    if (listener != null) {
      throw new IllegalStateException("call already started");
    }
    this.listener = responseListener;
    this.headers = requestHeaders;
    Status early = cancelled;
    if (early != null) {
      closeUncommitted(early, new Metadata());
    }
  }

  @Override
  public void request(int numMessages) {
    if (numMessages < 0) {
      throw Checks.invalidArgument("numMessages", numMessages, ">= 0");
    }
    requested.addAndGet(numMessages);
    Attempt attempt = committed;
    if (attempt == null) {
      attempt = current;
    }
    if (attempt != null) {
      attempt.drain();
    }
  }

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

  @Override
  public boolean isReady() {
    Attempt attempt = committed;
    return attempt != null ? attempt.call.isReady() : owner.get() == null;
  }

  @Override
  public Attributes getAttributes() {
    Attempt attempt = committed;
    if (attempt == null) {
      attempt = current;
    }
    return attempt == null ? Attributes.EMPTY : attempt.call.getAttributes();
  }

  @Override
  public void halfClose() {
    Metadata requestHeaders = headers;
    if (listener == null || requestHeaders == null) {
      throw new IllegalStateException("call not started");
    }
    if (cancelled != null || owner.get() != null) {
      return;
    }
    ReqT message = request;
    if (message == null || requestCount != 1) {
      closeUncommitted(Status.INTERNAL.withDescription(
          "a server-streaming call sends exactly one request message (sent: " + requestCount + ")"), new Metadata());
      return;
    }
    CallContext context = caller.withDeadline(
        Propagation.callDeadline(caller, grpcContext, callOptions, policy.ticker()));
    logicalContext = context;
    CompletableFuture<Boolean> result;
    CallContext previous = context.attach();
    try {
      result = plan.pipeline().callAsync(idempotency(),
          () -> startAttempt(requestHeaders, message, compression));
    } finally {
      context.detach(previous);
    }
    logical = result;
    var unused = result.whenComplete(this::settle);
    if (cancelled != null) {
      result.cancel(/* mayInterruptIfRunning= */ false);
    }
  }

  @Override
  public void cancel(@Nullable String message, @Nullable Throwable cause) {
    if (cancelled != null) {
      return;
    }
    Status status = Status.CANCELLED.withDescription(message != null ? message : "call cancelled");
    Status cancelStatus = cause != null ? status.withCause(cause) : status;
    cancelled = cancelStatus;
    CompletableFuture<Boolean> result = logical;
    if (result != null) {
      // Before the commit: stops the attempt in flight and any retry; settle() then closes with cancelStatus.
      result.cancel(/* mayInterruptIfRunning= */ false);
    } else if (listener != null) {
      closeUncommitted(cancelStatus, new Metadata());
    }
    Attempt attempt = committed;
    if (attempt != null) {
      // After the commit: the stream itself is cancelled, and its close reaches the application.
      attempt.call.cancel(message, cause);
    }
  }

  private Idempotency idempotency() {
    String key = callOptions.getOption(BlastwallClientInterceptor.IDEMPOTENCY_KEY);
    if (key == null && plan.keyed()) {
      key = UUID.randomUUID().toString();
    }
    return key == null ? plan.idempotency() : new Idempotency(plan.idempotency().idempotent(), key);
  }

  /** Starts one attempt; runs with the attempt's {@link CallContext} current. */
  private CompletableFuture<Boolean> startAttempt(Metadata requestHeaders, ReqT message,
      @Nullable Boolean compressed) {
    CallContext attemptContext = CallContext.current();
    Metadata attemptHeaders = Propagation.attemptHeaders(requestHeaders, attemptContext);
    // Whether the request left the client matters only for a method that is not idempotent: see SendTracker.
    SendTracker sendTracker = plan.idempotency().idempotent() ? null : new SendTracker();
    ClientCall<ReqT, RespT> call = Propagation.newAttemptCall(next, method, Propagation.attemptOptions(callOptions,
        policy.attemptDeadline(attemptContext.deadline(), streamPlan), /* ownTimeout= */ false, sendTracker),
        grpcContext);
    Attempt attempt = new Attempt(call, attemptContext, sendTracker);
    try {
      call.start(attempt, attemptHeaders);
      if (compressed != null) {
        call.setMessageCompression(compressed);
      }
      call.sendMessage(message);
      call.halfClose();
    } catch (RuntimeException | Error failure) {
      call.cancel("failed to send the request", failure);
      attempt.result.completeExceptionally(failure);
      return attempt.result;
    }
    current = attempt;
    attempt.drain();
    attemptContext.cancellation().onCancel(() -> {
      if (owner.get() != attempt) {
        Throwable why = attemptContext.cancellation().cause();
        call.cancel("cancelled by Blastwall: " + (why != null ? why.getMessage() : "attempt cancelled"), why);
      }
    });
    return attempt.result;
  }

  /** The pipeline's verdict: a success means an attempt committed; a failure closes the call, unless one did. */
  private void settle(@Nullable Boolean unusedCommitted, @Nullable Throwable failure) {
    if (failure == null) {
      return;
    }
    Status cancelStatus = cancelled;
    if (cancelStatus != null) {
      closeUncommitted(cancelStatus, new Metadata());
      return;
    }
    StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(failure);
    Metadata trailers = mapped.getTrailers();
    closeUncommitted(mapped.getStatus(), trailers != null ? trailers : new Metadata());
  }

  /** Closes the application's call without any attempt having committed it; at most once. */
  private void closeUncommitted(Status status, Metadata trailers) {
    Listener<RespT> target = listener;
    if (target == null || !owner.compareAndSet(null, CLOSED)) {
      return;
    }
    Runnable delivery = () -> target.onClose(status, trailers);
    Executor executor = callOptions.getExecutor();
    if (executor != null) {
      executor.execute(delivery);
    } else {
      delivery.run();
    }
  }

  @Override
  public String toString() {
    return "RetryingServerStreamCall[" + method.getFullMethodName() + ", " + plan.pipeline().upstream() + "]";
  }

  /**
   * One attempt: its call below and the listener of that call. gRPC serializes a listener's callbacks (on the
   * stub's executor when it has one), so the application's listener hears the committed attempt in order.
   */
  private final class Attempt extends ClientCall.Listener<RespT> {
    final ClientCall<ReqT, RespT> call;
    final CompletableFuture<Boolean> result = new CompletableFuture<>();
    /** Messages requested from this call so far. */
    private final AtomicLong forwarded = new AtomicLong();
    private @Nullable Metadata responseHeaders;
    private Cancellation.Registration callerRegistration = Cancellation.Registration.NONE;

    private final CallContext context;
    private final @Nullable SendTracker sendTracker;

    Attempt(ClientCall<ReqT, RespT> call, CallContext context, @Nullable SendTracker sendTracker) {
      this.call = call;
      this.context = context;
      this.sendTracker = sendTracker;
    }

    /** Requests from this call what the application requested and this call was not asked for yet. */
    void drain() {
      long target = requested.get();
      long before = forwarded.getAndAccumulate(target, Math::max);
      if (target > before) {
        call.request((int) Math.min(target - before, Integer.MAX_VALUE));
      }
    }

    @Override
    public void onHeaders(Metadata received) {
      // Always before the commit (the first message or the close commits), so held until then.
      this.responseHeaders = received;
    }

    @Override
    public void onMessage(RespT message) {
      if (owner.get() == this || commit()) {
        app().onMessage(message);
      } else {
        call.cancel("another attempt answered, or the call was closed", null);
      }
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (owner.get() == this || (status.isOk() && commit())) {
        callerRegistration.remove();
        app().onClose(status, trailers);
        return;
      }
      // Not committed: the pipeline judges the failure (a late close of a losing attempt is ignored there).
      // This side cancelled it when the attempt's or the application's context was cancelled, or the call is
      // already another attempt's or closed (the losers and leftovers are cancelled then).
      result.completeExceptionally(status.isOk()
          ? GrpcStatusMapping.toFailure(Status.CANCELLED.withDescription("another attempt answered"), trailers)
          : GrpcStatusMapping.toAttemptFailure(status, trailers, sendTracker != null && sendTracker.neverSent(),
              /* ownTimeout= */ false,
              context.cancellation().isCancelled() || grpcContext.isCancelled() || owner.get() != null));
    }

    @Override
    public void onReady() {
      if (owner.get() == this) {
        app().onReady();
      }
    }

    /** Makes this attempt the call's for good; false if another attempt (or a close) got there first. */
    private boolean commit() {
      if (!owner.compareAndSet(null, this)) {
        return false;
      }
      committed = this;
      drain();
      // The pipeline is done (no retry after this); the caller's cancellation now reaches the stream directly.
      result.complete(Boolean.TRUE);
      CallContext context = logicalContext;
      if (context != null) {
        callerRegistration = context.cancellation().onCancel(() -> {
          Throwable why = context.cancellation().cause();
          call.cancel("cancelled by Blastwall: " + (why != null ? why.getMessage() : "caller cancelled"), why);
        });
      }
      Status cancelStatus = cancelled;
      if (cancelStatus != null) {
        call.cancel(cancelStatus.getDescription(), cancelStatus.getCause());
      }
      Metadata held = responseHeaders;
      if (held != null) {
        app().onHeaders(held);
      }
      return true;
    }

    private Listener<RespT> app() {
      Listener<RespT> target = listener;
      if (target == null) {
        throw new IllegalStateException("attempt running before the call started");
      }
      return target;
    }
  }
}
