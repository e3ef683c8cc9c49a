package dev.blastwall.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A streaming call that is retried until it is <em>committed</em>: an attempt commits the call when its first
 * response message arrives, or when it closes OK without any; from then on the application hears that attempt only,
 * its later failures included, and nothing is retried. A failure before the commit is the pipeline's to judge. The
 * commit is one compare-and-set on {@link #owner}.
 *
 * <p>The gRPC deadline of every attempt is the logical call's deadline less the slack: it bounds the whole stream,
 * not one attempt. The policy's per-method attempt timeout does not apply to streams (it would cut a long stream
 * short); the pipeline's own {@code attemptTimeout} bounds the time to the first message (the commit).
 *
 * <p>Flow control passes through: each attempt is asked for the messages the application {@code request}ed (the
 * same total, since no attempt delivered anything before the commit), so an attempt never sends the application
 * more than it asked for. {@code onReady} is relayed only from the committed attempt.
 *
 * <p>Subclasses say what is sent to each attempt and what an attempt's commit or loss does to their buffers.
 */
abstract class CommittingCall<ReqT, RespT> extends LogicalCall<ReqT, RespT, Boolean> {

  /** In {@link #owner} when the call was closed without any attempt committing it. */
  private static final Object CLOSED = new Object();

  /** The plan without the per-attempt timeout, for attempts' gRPC deadlines: a stream's deadline is the call's. */
  private final MethodPlan streamPlan;
  /** Messages the application requested in total. */
  private final AtomicLong requested = new AtomicLong();
  /** The committed attempt, {@link #CLOSED}, or null while attempts may still be retried. */
  private final AtomicReference<@Nullable Object> owner = new AtomicReference<>();
  private volatile @Nullable Attempt committed;
  private volatile @Nullable Attempt current;

  CommittingCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next,
      GrpcClientPolicy policy, MethodPlan plan) {
    super(method, callOptions, next, policy, plan);
    this.streamPlan = new MethodPlan(plan.pipeline(), plan.idempotency(), plan.keyed(), -1);
  }

  @Override
  public final void start(Listener<RespT> responseListener, Metadata requestHeaders) {
    open(responseListener, requestHeaders);
    Status early = cancelled();
    if (early != null) {
      close(early, new Metadata());
      return;
    }
    started(requestHeaders);
  }

  /** The application started the call (and had not cancelled it before). */
  void started(Metadata requestHeaders) {}

  @Override
  public final void request(int numMessages) {
    checkRequest(numMessages);
    requested.addAndGet(numMessages);
    Attempt attempt = committed;
    if (attempt != null) {
      attempt.drain();
    } else {
      drainUncommitted();
    }
  }

  /** Passes the application's demand on to the attempts in flight before the commit. */
  void drainUncommitted() {
    Attempt attempt = current;
    if (attempt != null) {
      attempt.drain();
    }
  }

  @Override
  public final boolean isReady() {
    Attempt attempt = committed;
    return attempt != null ? attempt.call.isReady() : owner.get() == null;
  }

  @Override
  public final Attributes getAttributes() {
    Attempt attempt = committed;
    if (attempt == null) {
      attempt = current;
    }
    return attempt == null ? Attributes.EMPTY : attempt.call.getAttributes();
  }

  @Override
  final void afterCancel(@Nullable String message, @Nullable Throwable cause) {
    Attempt attempt = committed;
    if (attempt != null) {
      // After the commit: the stream itself is cancelled, and its close reaches the application.
      attempt.call.cancel(message, cause);
    }
  }

  /** The committed attempt, or null. */
  final @Nullable Attempt committed() {
    return committed;
  }

  /** Whether the call was committed to an attempt or closed without one. */
  @Override
  final boolean isSettled() {
    return owner.get() != null;
  }

  /** The pipeline's verdict: a success means an attempt committed; a failure closes the call, unless one did. */
  @Override
  public final void accept(@Nullable Boolean unusedCommitted, @Nullable Throwable failure) {
    if (failure != null) {
      fail(failure);
    }
  }

  /** Closes the application's call without any attempt having committed it; at most once. */
  @Override
  final void close(Status status, Metadata trailers) {
    Listener<RespT> target = listener;
    if (target == null || !owner.compareAndSet(null, CLOSED)) {
      return;
    }
    closedUncommitted(status);
    deliver(() -> target.onClose(status, trailers));
  }

  /** The call was closed without a commit: the attempts still in flight are to be cancelled. */
  void closedUncommitted(Status status) {}

  /** A new attempt, its call opened (not started) with the stream's deadline; runs with its context current. */
  final Attempt newAttempt() {
    CallContext attemptContext = CallContext.current();
    SendTracker sendTracker = newSendTracker();
    ClientCall<ReqT, RespT> call = newAttemptCall(policy.attemptDeadline(attemptContext.deadline(), streamPlan),
        /* ownTimeout= */ false, sendTracker);
    return new Attempt(call, attemptContext, sendTracker);
  }

  /**
   * Makes {@code attempt}, whose call was started, the one in flight: it is asked for what the application
   * requested, and cancelled when its context is (unless it committed the call by then).
   */
  final CompletableFuture<Boolean> launched(Attempt attempt) {
    current = attempt;
    attempt.drain();
    attempt.context.cancellation().onCancel(() -> {
      if (owner.get() != attempt) {
        cancelBelow(attempt.call, attempt.context.cancellation(), "attempt cancelled");
      }
    });
    return attempt.result;
  }

  /** {@code winner} commits the call: it becomes {@link #committed}; subclasses drop their buffers here too. */
  void committing(Attempt winner) {
    markCommitted(winner);
  }

  /** Sets {@link #committed}, for subclasses that override {@link #committing}. */
  final void markCommitted(Attempt winner) {
    committed = winner;
  }

  /** {@code loser} closed before any commit, with {@code status}. */
  void lost(Attempt loser, Status status) {}

  /**
   * One attempt: its call below and the listener of that call. gRPC serializes a listener's callbacks (on the
   * stub's executor when it has one), so the application's listener hears the committed attempt in order.
   */
  final class Attempt extends ClientCall.Listener<RespT> {
    final ClientCall<ReqT, RespT> call;
    final CompletableFuture<Boolean> result = new CompletableFuture<>();
    /** Messages requested from this call so far. */
    private final AtomicLong forwarded = new AtomicLong();
    private volatile @Nullable Metadata responseHeaders;
    private Cancellation.Registration callerRegistration = Cancellation.Registration.NONE;

    private final CallContext context;
    private final @Nullable SendTracker sendTracker;

    private Attempt(ClientCall<ReqT, RespT> call, CallContext context, @Nullable SendTracker sendTracker) {
      this.call = call;
      this.context = context;
      this.sendTracker = sendTracker;
    }

    /** The attempt's context. */
    CallContext context() {
      return context;
    }

    /** Requests from this call what the application requested and this call was not asked for yet. */
    void drain() {
      long target = requested.get();
      long before = forwarded.getAndAccumulate(target, Math::max);
      if (target > before) {
        call.request((int) Math.min(target - before, Integer.MAX_VALUE));
      }
    }

    /** Fails this attempt with {@code failure} from starting or replaying its call, which is cancelled. */
    CompletableFuture<Boolean> failedToSend(Throwable failure) {
      call.cancel("failed to send the request", failure);
      result.completeExceptionally(failure);
      return result;
    }

    @Override
    public void onHeaders(Metadata received) {
      if (owner.get() == this) {
        app().onHeaders(received);
      } else {
        // Held until the commit; replayed then (a committed-by-overflow attempt may still get its headers later).
        this.responseHeaders = received;
      }
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
      lost(this, status);
      // Not committed: the pipeline judges the failure (a late close of a losing attempt is ignored there).
      // This side cancelled it when the attempt's or the application's context was cancelled, or the call is
      // already another attempt's or closed (the losers and leftovers are cancelled then).
      result.completeExceptionally(status.isOk()
          ? GrpcStatusMapping.toFailure(Status.CANCELLED.withDescription("another attempt answered"), trailers)
          : attemptFailure(status, trailers, sendTracker, /* ownTimeout= */ false, context, owner.get() != null));
    }

    @Override
    public void onReady() {
      if (owner.get() == this) {
        app().onReady();
      }
    }

    /** Makes this attempt the call's for good; false if another attempt (or a close) got there first. */
    boolean commit() {
      if (!owner.compareAndSet(null, this)) {
        return false;
      }
      committing(this);
      drain();
      // The pipeline is done (no retry after this); the caller's cancellation now reaches the stream directly.
      result.complete(Boolean.TRUE);
      CallContext caller = logicalContext();
      if (caller != null) {
        callerRegistration = caller.cancellation().onCancel(
            () -> cancelBelow(call, caller.cancellation(), "caller cancelled"));
      }
      Status cancelStatus = cancelled();
      if (cancelStatus != null) {
        call.cancel(cancelStatus.getDescription(), cancelStatus.getCause());
      }
      Metadata held = responseHeaders;
      if (held != null) {
        responseHeaders = null;
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
