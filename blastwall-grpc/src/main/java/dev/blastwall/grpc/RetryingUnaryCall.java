package dev.blastwall.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A unary call as the application sees it, run as one logical call through a {@link dev.blastwall.pipeline.Pipeline}:
 * the request and headers are buffered, and each attempt the pipeline makes is a fresh call on the channel below.
 * The application's listener hears headers, message and close exactly once, from the attempt that settled the call
 * (or the final failure); attempts that were retried stay invisible.
 *
 * <p>The application calls {@code start}, {@code sendMessage} and {@code halfClose} from one thread at a time, as
 * {@link ClientCall} requires; {@code request} and {@code cancel} may come from any thread. Attempts complete on
 * gRPC's executors and the pipeline's scheduler, so everything they share with the application is atomic or
 * published through the logical call's future.
 */
final class RetryingUnaryCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final Channel next;
  private final GrpcClientPolicy policy;
  private final MethodPlan plan;
  // Captured when the call is created, on the application's thread: the call belongs to that context.
  private final CallContext caller;
  private final Context grpcContext;

  private @Nullable Listener<RespT> listener;
  private @Nullable Metadata headers;
  private @Nullable ReqT request;
  private int requestCount;
  private @Nullable Boolean compression;

  private final AtomicInteger demand = new AtomicInteger();
  private final AtomicBoolean delivered = new AtomicBoolean();
  private volatile @Nullable Outcome<RespT> outcome;
  private volatile @Nullable CompletableFuture<Response<RespT>> logical;
  private volatile @Nullable Status cancelled;
  private volatile @Nullable ClientCall<ReqT, RespT> latestAttempt;

  RetryingUnaryCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next,
      GrpcClientPolicy policy, MethodPlan plan) {
    this.method = method;
    this.callOptions = callOptions;
    this.next = next;
    this.policy = policy;
    this.plan = plan;
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
    maybeDeliver();
  }

  @Override
  public void request(int numMessages) {
    if (numMessages < 0) {
      throw Args.invalid("numMessages", numMessages, ">= 0");
    }
    demand.addAndGet(numMessages);
    maybeDeliver();
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
    // The request is buffered until halfClose; nothing is waiting on the wire.
    return outcome == null;
  }

  @Override
  public Attributes getAttributes() {
    ClientCall<ReqT, RespT> attempt = latestAttempt;
    return attempt == null ? Attributes.EMPTY : attempt.getAttributes();
  }

  @Override
  public void halfClose() {
    Metadata requestHeaders = headers;
    if (listener == null || requestHeaders == null) {
      throw new IllegalStateException("call not started");
    }
    if (cancelled != null || outcome != null) {
      return;
    }
    ReqT message = request;
    if (message == null || requestCount != 1) {
      finish(Status.INTERNAL.withDescription(
          "a unary call sends exactly one request message (sent: " + requestCount + ")"), new Metadata());
      return;
    }
    CallContext context = caller.withDeadline(
        Propagation.callDeadline(caller, grpcContext, callOptions, policy.ticker()));
    Attempts attempts = new Attempts(requestHeaders, message, compression);
    CompletableFuture<Response<RespT>> result;
    CallContext previous = context.attach();
    try {
      result = plan.pipeline().callAsync(idempotency(), attempts::start);
    } finally {
      context.detach(previous);
    }
    logical = result;
    var unused = result.whenComplete(this::settle);
    if (cancelled != null) {
      // cancel() ran while the pipeline was starting and may not have seen the future.
      result.cancel(/* mayInterruptIfRunning= */ false);
    }
  }

  @Override
  public void cancel(@Nullable String message, @Nullable Throwable cause) {
    if (cancelled != null) {
      return;
    }
    Status status = Status.CANCELLED.withDescription(message != null ? message : "call cancelled");
    cancelled = cause != null ? status.withCause(cause) : status;
    CompletableFuture<Response<RespT>> result = logical;
    if (result != null) {
      // Cancels the attempt in flight (its context's cancellation cancels the call below) and stops retries.
      result.cancel(/* mayInterruptIfRunning= */ false);
    } else {
      finish(cancelled, new Metadata());
    }
  }

  /** The logical call's idempotency: the method's, with one key for all attempts when it has or needs one. */
  private Idempotency idempotency() {
    String key = callOptions.getOption(BlastwallClientInterceptor.IDEMPOTENCY_KEY);
    if (key == null && plan.keyed()) {
      key = UUID.randomUUID().toString();
    }
    return key == null ? plan.idempotency() : new Idempotency(plan.idempotency().idempotent(), key);
  }

  private void settle(@Nullable Response<RespT> response, @Nullable Throwable failure) {
    Status cancelStatus = cancelled;
    if (failure == null && response != null) {
      outcome = new Outcome<>(response.headers(), response.message(), Status.OK, response.trailers());
    } else if (cancelStatus != null) {
      // The application cancelled: it hears its own cancellation, whatever the attempt in flight ended with.
      outcome = new Outcome<>(null, null, cancelStatus, new Metadata());
    } else {
      StatusRuntimeException mapped = GrpcStatusMapping.toStatusException(
          failure != null ? failure : new IllegalStateException("no response"));
      Metadata trailers = mapped.getTrailers();
      outcome = new Outcome<>(null, null, mapped.getStatus(), trailers != null ? trailers : new Metadata());
    }
    maybeDeliver();
  }

  private void finish(Status status, Metadata trailers) {
    if (outcome == null) {
      outcome = new Outcome<>(null, null, status, trailers);
    }
    maybeDeliver();
  }

  /**
   * Delivers the outcome once the call is started, settled and (for a response message) the application asked
   * for a message. Whichever of {@code start}, {@code request} and the settling comes last delivers; the flag makes
   * it exactly once.
   */
  private void maybeDeliver() {
    Outcome<RespT> settled = outcome;
    Listener<RespT> target = listener;
    if (settled == null || target == null) {
      return;
    }
    if (settled.message() != null && demand.get() <= 0) {
      return;
    }
    if (!delivered.compareAndSet(false, true)) {
      return;
    }
    Runnable delivery = () -> {
      Metadata responseHeaders = settled.headers();
      if (responseHeaders != null) {
        target.onHeaders(responseHeaders);
      }
      RespT message = settled.message();
      if (message != null) {
        target.onMessage(message);
      }
      target.onClose(settled.status(), settled.trailers());
    };
    // The application's executor, when it named one: a blocking stub waits for callbacks on exactly that executor.
    Executor executor = callOptions.getExecutor();
    if (executor != null) {
      executor.execute(delivery);
    } else {
      delivery.run();
    }
  }

  @Override
  public String toString() {
    return "RetryingUnaryCall[" + method.getFullMethodName() + ", " + plan.pipeline().upstream() + "]";
  }

  /** The buffered request, sent once per attempt. */
  private final class Attempts {
    private final Metadata requestHeaders;
    private final ReqT message;
    private final @Nullable Boolean compressed;

    Attempts(Metadata requestHeaders, ReqT message, @Nullable Boolean compressed) {
      this.requestHeaders = requestHeaders;
      this.message = message;
      this.compressed = compressed;
    }

    /** Starts one attempt; runs with the attempt's {@link CallContext} current. */
    CompletableFuture<Response<RespT>> start() {
      CallContext attempt = CallContext.current();
      CompletableFuture<Response<RespT>> result = new CompletableFuture<>();
      Metadata attemptHeaders = Propagation.attemptHeaders(requestHeaders, attempt);
      ClientCall<ReqT, RespT> call = Propagation.newAttemptCall(next, method, callOptions,
          policy.attemptDeadline(attempt.deadline(), plan), grpcContext);
      latestAttempt = call;
      try {
        call.start(new AttemptListener<>(call, result), attemptHeaders);
        if (compressed != null) {
          call.setMessageCompression(compressed);
        }
        // Two, not one: a second message is a protocol error to report, not something to wait for.
        call.request(2);
        call.sendMessage(message);
        call.halfClose();
      } catch (RuntimeException | Error failure) {
        call.cancel("failed to send the request", failure);
        result.completeExceptionally(failure);
        return result;
      }
      attempt.cancellation().onCancel(() -> {
        Throwable why = attempt.cancellation().cause();
        call.cancel("cancelled by Blastwall: " + (why != null ? why.getMessage() : "attempt cancelled"), why);
      });
      return result;
    }
  }

  /** Collects one attempt's answer and completes its future when the attempt closes. */
  private static final class AttemptListener<ReqT, RespT> extends ClientCall.Listener<RespT> {
    private final ClientCall<ReqT, RespT> call;
    private final CompletableFuture<Response<RespT>> result;
    // gRPC serializes a listener's callbacks, so plain fields are safe here.
    private @Nullable Metadata headers;
    private @Nullable RespT message;
    private boolean tooMany;

    AttemptListener(ClientCall<ReqT, RespT> call, CompletableFuture<Response<RespT>> result) {
      this.call = call;
      this.result = result;
    }

    @Override
    public void onHeaders(Metadata responseHeaders) {
      this.headers = responseHeaders;
    }

    @Override
    public void onMessage(RespT response) {
      if (message != null) {
        tooMany = true;
        call.cancel("more than one response message for a unary call", null);
        return;
      }
      message = response;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      RespT response = message;
      if (tooMany) {
        result.completeExceptionally(GrpcStatusMapping.toFailure(
            Status.INTERNAL.withDescription("more than one response message for a unary call"), trailers));
      } else if (!status.isOk()) {
        result.completeExceptionally(GrpcStatusMapping.toFailure(status, trailers));
      } else if (response == null) {
        result.completeExceptionally(GrpcStatusMapping.toFailure(
            Status.INTERNAL.withDescription("no response message for a unary call"), trailers));
      } else {
        Metadata responseHeaders = headers;
        result.complete(new Response<>(responseHeaders != null ? responseHeaders : new Metadata(), response,
            trailers));
      }
    }
  }

  /** A successful attempt's answer. */
  private record Response<RespT>(Metadata headers, RespT message, Metadata trailers) {}

  /** What the application's listener hears: headers and message only for a success. */
  private record Outcome<RespT>(@Nullable Metadata headers, @Nullable RespT message, Status status,
      Metadata trailers) {}
}
