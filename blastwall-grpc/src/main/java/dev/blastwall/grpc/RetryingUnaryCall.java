package dev.blastwall.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
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
 *
 * <p>The success path allocates little on purpose, since every unary call takes it: the call itself is the
 * pipeline's task ({@link Supplier}), the logical future's callback ({@link BiConsumer}) and the delivery to the
 * application's executor ({@link Runnable}); each attempt is one future and one listener, and a successful
 * attempt's listener is the outcome the application hears.
 */
final class RetryingUnaryCall<ReqT, RespT>
    extends LogicalCall<ReqT, RespT, RetryingUnaryCall.Answer<RespT>>
    implements Supplier<CompletionStage<RetryingUnaryCall.Answer<RespT>>>, Runnable {

  private static final VarHandle DEMAND;
  private static final VarHandle DELIVERED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      DEMAND = lookup.findVarHandle(RetryingUnaryCall.class, "demand", int.class);
      DELIVERED = lookup.findVarHandle(RetryingUnaryCall.class, "delivered", boolean.class);
    } catch (ReflectiveOperationException impossible) {
      throw new ExceptionInInitializerError(impossible);
    }
  }

  // Atomic through DEMAND and DELIVERED: fields instead of AtomicInteger and AtomicBoolean objects.
  private volatile int demand;
  @SuppressWarnings("unused") // accessed through DELIVERED
  private volatile boolean delivered;
  private volatile @Nullable Outcome<RespT> outcome;
  private volatile @Nullable ClientCall<ReqT, RespT> latestAttempt;
  // What run() delivers: written once, by the thread that won DELIVERED, before it hands run() to the executor.
  private @Nullable Outcome<RespT> delivering;
  private @Nullable Listener<RespT> deliverTo;

  RetryingUnaryCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next,
      GrpcClientPolicy policy, MethodPlan plan) {
    super(method, callOptions, next, policy, plan);
  }

  @Override
  public void start(Listener<RespT> responseListener, Metadata requestHeaders) {
    open(responseListener, requestHeaders);
    maybeDeliver();
  }

  @Override
  public void request(int numMessages) {
    checkRequest(numMessages);
    DEMAND.getAndAdd(this, numMessages);
    maybeDeliver();
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
    if (requestToSend("unary") != null) {
      startPipeline(this);
    }
  }

  /**
   * Starts one attempt, as the pipeline's task; runs with the attempt's {@link CallContext} current. Not for the
   * application: it is public only as {@link Supplier#get}.
   */
  @Override
  public CompletionStage<Answer<RespT>> get() {
    CallContext attempt = CallContext.current();
    Metadata requestHeaders = headers;
    ReqT message = request;
    if (requestHeaders == null || message == null) {
      // halfClose checked both before it started the pipeline, which is the only way here.
      throw new IllegalStateException("attempt started before halfClose");
    }
    Metadata attemptHeaders = Propagation.attemptHeaders(requestHeaders, attempt);
    Deadline callDeadline = attempt.deadline();
    boolean ownTimeout = policy.attemptTimeoutBinds(callDeadline, plan);
    SendTracker sendTracker = newSendTracker();
    ClientCall<ReqT, RespT> call = newAttemptCall(policy.attemptDeadline(callDeadline, plan), ownTimeout,
        sendTracker);
    latestAttempt = call;
    Attempt<ReqT, RespT> result = new Attempt<>(this, call, attempt, sendTracker, ownTimeout);
    try {
      call.start(result.listener(), attemptHeaders);
      Boolean compressed = compression;
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
    }
    return result;
  }

  /**
   * Settles the call when the logical future completes. Not for the application: it is public only as
   * {@link BiConsumer#accept}.
   */
  @Override
  public void accept(@Nullable Answer<RespT> response, @Nullable Throwable failure) {
    if (failure == null && response != null) {
      outcome = response;
      maybeDeliver();
    } else {
      fail(failure);
    }
  }

  @Override
  boolean isSettled() {
    return outcome != null;
  }

  @Override
  void close(Status status, Metadata trailers) {
    if (outcome == null) {
      outcome = new Failed<>(status, trailers);
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
    if (settled.response() != null && demand <= 0) {
      return;
    }
    if (!DELIVERED.compareAndSet(this, false, true)) {
      return;
    }
    delivering = settled;
    deliverTo = target;
    deliver(this);
  }

  /**
   * Tells the application's listener the outcome. Not for the application: it is public only as
   * {@link Runnable#run}, handed to the call's executor once.
   */
  @Override
  public void run() {
    Outcome<RespT> settled = delivering;
    Listener<RespT> target = deliverTo;
    if (settled == null || target == null) {
      throw new IllegalStateException("nothing to deliver");
    }
    Metadata responseHeaders = settled.responseHeaders();
    if (responseHeaders != null) {
      target.onHeaders(responseHeaders);
    }
    RespT message = settled.response();
    if (message != null) {
      target.onMessage(message);
    }
    target.onClose(settled.status(), settled.trailers());
  }

  /** What the application's listener hears: headers and message only for a success. */
  interface Outcome<RespT> {
    @Nullable Metadata responseHeaders();

    @Nullable RespT response();

    Status status();

    Metadata trailers();
  }

  /** A call that failed or was cancelled. */
  private record Failed<RespT>(Status status, Metadata trailers) implements Outcome<RespT> {
    @Override
    public @Nullable Metadata responseHeaders() {
      return null;
    }

    @Override
    public @Nullable RespT response() {
      return null;
    }
  }

  /**
   * One attempt: the future the pipeline waits on, completed with the attempt's {@link Answer} when the call below
   * answered.
   *
   * <p>The pipeline cancels an attempt's future when the attempt's cancellation fires (attempt timeout, caller
   * cancelled, another attempt won), so cancelling the future is what cancels the call below; no listener of
   * its own on the cancellation is needed.
   */
  private static final class Attempt<ReqT, RespT> extends CompletableFuture<Answer<RespT>> {
    private final LogicalCall<ReqT, RespT, ?> logical;
    private final ClientCall<ReqT, RespT> call;
    private final CallContext context;
    private final @Nullable SendTracker sendTracker;
    private final boolean ownTimeout;
    private final Answer<RespT> answer;

    Attempt(LogicalCall<ReqT, RespT, ?> logical, ClientCall<ReqT, RespT> call, CallContext context,
        @Nullable SendTracker sendTracker, boolean ownTimeout) {
      this.logical = logical;
      this.call = call;
      this.context = context;
      this.sendTracker = sendTracker;
      this.ownTimeout = ownTimeout;
      this.answer = new Answer<>(this, call);
    }

    Answer<RespT> listener() {
      return answer;
    }

    /** Fails the attempt with what its close says, read with what only the attempt knows. */
    void failed(Status status, Metadata trailers) {
      Deadline callDeadline = context.deadline();
      completeExceptionally(logical.attemptFailure(status, trailers, sendTracker,
          ownTimeout && (callDeadline == null || !callDeadline.isExpired()), context, /* cancelledHere= */ false));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelBelow(call, context.cancellation(), "attempt cancelled");
      return super.cancel(mayInterruptIfRunning);
    }
  }

  /**
   * Listens to one attempt's call, collects its answer and completes the attempt's future when it closes: with
   * itself when it succeeded, so a successful answer is the call's outcome as it is.
   */
  static final class Answer<RespT> extends ClientCall.Listener<RespT> implements Outcome<RespT> {
    private final Attempt<?, RespT> attempt;
    private final ClientCall<?, RespT> call;
    // gRPC serializes a listener's callbacks, so plain fields are safe here; they are read after the completion.
    private @Nullable Metadata headers;
    private @Nullable RespT message;
    private @Nullable Metadata trailers;
    private boolean tooMany;

    Answer(Attempt<?, RespT> attempt, ClientCall<?, RespT> call) {
      this.attempt = attempt;
      this.call = call;
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
    public void onClose(Status status, Metadata responseTrailers) {
      if (tooMany) {
        attempt.completeExceptionally(GrpcStatusMapping.toFailure(
            Status.INTERNAL.withDescription("more than one response message for a unary call"), responseTrailers));
      } else if (!status.isOk()) {
        attempt.failed(status, responseTrailers);
      } else if (message == null) {
        attempt.completeExceptionally(GrpcStatusMapping.toFailure(
            Status.INTERNAL.withDescription("no response message for a unary call"), responseTrailers));
      } else {
        this.trailers = responseTrailers;
        attempt.complete(this);
      }
    }

    @Override
    public @Nullable Metadata responseHeaders() {
      Metadata responseHeaders = headers;
      return responseHeaders != null ? responseHeaders : new Metadata();
    }

    @Override
    public @Nullable RespT response() {
      return message;
    }

    @Override
    public Status status() {
      return Status.OK;
    }

    @Override
    public Metadata trailers() {
      Metadata responseTrailers = trailers;
      return responseTrailers != null ? responseTrailers : new Metadata();
    }
  }
}
