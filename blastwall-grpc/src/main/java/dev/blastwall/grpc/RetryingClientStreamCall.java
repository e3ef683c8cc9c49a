package dev.blastwall.grpc;

import com.google.protobuf.MessageLite;
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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A client-streaming or bidirectional call run through a {@link dev.blastwall.pipeline.Pipeline} until it is
 * <em>committed</em>. The call starts at once (messages flow live to the attempt in flight) and every message sent is
 * also kept in a replay buffer, up to {@link #MAX_BUFFERED_MESSAGES} messages or {@link #MAX_BUFFERED_BYTES} bytes.
 * While nothing was received and the buffer holds everything sent, a failure the pipeline retries starts a fresh
 * attempt that replays the headers, the buffered messages and the half-close if the application already sent it.
 *
 * <p>The call commits to an attempt when that attempt's first response message arrives, when it closes OK, or when
 * the buffer overflows (the messages could no longer be replayed): from then on the application hears that attempt
 * only, its failures included, the buffer is dropped and nothing is retried. If the buffer overflows while no
 * attempt is in flight (between a failure and its retry), the call fails with the last attempt's status.
 *
 * <p>As for server streams, the gRPC deadline of every attempt is the logical call's deadline less the slack (it
 * bounds the whole stream); flow control passes through (each attempt is asked for what the application asked for).
 * Before the commit {@code isReady()} is true (messages are buffered), and {@code onReady} is only relayed from the
 * committed attempt.
 *
 * <p>The application's {@code sendMessage}, {@code halfClose} and the starting of attempts (on the pipeline's
 * threads) are ordered by one lock, so each attempt sees the messages in the application's order; the lock is held
 * only to hand messages to gRPC, which does not block.
 */
final class RetryingClientStreamCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

  /** The most messages kept for replay; one more commits the call. */
  static final int MAX_BUFFERED_MESSAGES = 64;

  /** The most bytes (serialized protobuf size) kept for replay; more commits the call. */
  static final long MAX_BUFFERED_BYTES = 1024 * 1024;

  /** In {@link #owner} when the call was closed without any attempt committing it. */
  private static final Object CLOSED = new Object();

  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final Channel next;
  private final GrpcClientPolicy policy;
  private final MethodPlan plan;
  private final MethodPlan streamPlan;
  private final CallContext caller;
  private final Context grpcContext;

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  private final List<ReqT> buffer = new ArrayList<>();
  private long bufferedBytes;
  private boolean overflowed;
  private boolean halfClosed;
  private final List<Attempt> live = new ArrayList<>();
  private @Nullable Boolean compression;
  private @Nullable Status lastFailure;

  private volatile @Nullable Listener<RespT> listener;
  private final AtomicLong requested = new AtomicLong();
  private final AtomicReference<@Nullable Object> owner = new AtomicReference<>();
  private volatile @Nullable Attempt committed;
  private volatile @Nullable Attempt current;
  private volatile @Nullable CompletableFuture<Boolean> logical;
  private volatile @Nullable CallContext logicalContext;
  private volatile @Nullable Status cancelled;

  RetryingClientStreamCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next,
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
    Status early = cancelled;
    if (early != null) {
      closeUncommitted(early, new Metadata());
      return;
    }
    CallContext context = caller.withDeadline(
        Propagation.callDeadline(caller, grpcContext, callOptions, policy.ticker()));
    logicalContext = context;
    CompletableFuture<Boolean> result;
    CallContext previous = context.attach();
    try {
      result = plan.pipeline().callAsync(idempotency(), () -> startAttempt(requestHeaders));
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
  public void request(int numMessages) {
    if (numMessages < 0) {
      throw Checks.invalidArgument("numMessages", numMessages, ">= 0");
    }
    requested.addAndGet(numMessages);
    Attempt attempt = committed;
    if (attempt != null) {
      attempt.drain();
      return;
    }
    lock.lock();
    try {
      for (Attempt each : live) {
        each.drain();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void sendMessage(ReqT message) {
    if (listener == null) {
      throw new IllegalStateException("call not started");
    }
    Attempt toCommit = null;
    boolean failForOverflow = false;
    lock.lock();
    try {
      Attempt winner = committed;
      if (winner != null) {
        winner.call.sendMessage(message);
        return;
      }
      if (owner.get() != null) {
        return;
      }
      if (!overflowed) {
        buffer.add(message);
        bufferedBytes += message instanceof MessageLite proto ? proto.getSerializedSize() : 0;
        if (buffer.size() > MAX_BUFFERED_MESSAGES || bufferedBytes > MAX_BUFFERED_BYTES) {
          overflowed = true;
          buffer.clear();
          if (live.isEmpty()) {
            failForOverflow = true;
          } else {
            toCommit = live.get(live.size() - 1);
          }
        }
      }
      for (Attempt each : live) {
        each.call.sendMessage(message);
      }
    } finally {
      lock.unlock();
    }
    if (toCommit != null) {
      // The messages can no longer be replayed: this attempt is the call's, whatever it answers.
      var unused = toCommit.commit();
    } else if (failForOverflow) {
      Status last = lastFailure;
      closeUncommitted((last != null ? last : Status.UNAVAILABLE).withDescription(
          "retry buffer overflowed while no attempt was in flight"
              + (last != null && last.getDescription() != null ? ": " + last.getDescription() : "")),
          new Metadata());
      CompletableFuture<Boolean> result = logical;
      if (result != null) {
        result.cancel(/* mayInterruptIfRunning= */ false);
      }
    }
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    lock.lock();
    try {
      this.compression = enabled;
      for (Attempt each : live) {
        each.call.setMessageCompression(enabled);
      }
    } finally {
      lock.unlock();
    }
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
    if (listener == null) {
      throw new IllegalStateException("call not started");
    }
    lock.lock();
    try {
      if (halfClosed) {
        throw new IllegalStateException("call already half-closed");
      }
      halfClosed = true;
      Attempt winner = committed;
      if (winner != null) {
        winner.call.halfClose();
        return;
      }
      for (Attempt each : live) {
        each.call.halfClose();
      }
    } finally {
      lock.unlock();
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
      result.cancel(/* mayInterruptIfRunning= */ false);
    } else if (listener != null) {
      closeUncommitted(cancelStatus, new Metadata());
    }
    Attempt attempt = committed;
    if (attempt != null) {
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

  /** Starts one attempt and replays what was sent so far; runs with the attempt's {@link CallContext} current. */
  private CompletableFuture<Boolean> startAttempt(Metadata requestHeaders) {
    CallContext attemptContext = CallContext.current();
    Metadata attemptHeaders = Propagation.attemptHeaders(requestHeaders, attemptContext);
    // Whether the request left the client matters only for a method that is not idempotent: see SendTracker.
    SendTracker sendTracker = plan.idempotency().idempotent() ? null : new SendTracker();
    ClientCall<ReqT, RespT> call = Propagation.newAttemptCall(next, method, Propagation.attemptOptions(callOptions,
        policy.attemptDeadline(attemptContext.deadline(), streamPlan), /* ownTimeout= */ false, sendTracker),
        grpcContext);
    Attempt attempt = new Attempt(call, attemptContext, sendTracker);
    lock.lock();
    try {
      if (overflowed) {
        Status last = lastFailure;
        attempt.result.completeExceptionally(GrpcStatusMapping.toFailure(
            (last != null ? last : Status.UNAVAILABLE).withDescription(
                "cannot retry: the sent messages overflowed the retry buffer"), new Metadata()));
        return attempt.result;
      }
      call.start(attempt, attemptHeaders);
      Boolean compressed = compression;
      if (compressed != null) {
        call.setMessageCompression(compressed);
      }
      for (ReqT message : buffer) {
        call.sendMessage(message);
      }
      if (halfClosed) {
        call.halfClose();
      }
      live.add(attempt);
    } catch (RuntimeException | Error failure) {
      call.cancel("failed to send the request", failure);
      attempt.result.completeExceptionally(failure);
      return attempt.result;
    } finally {
      lock.unlock();
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
    CallContext context = logicalContext;
    if (context != null && context.cancellation().isCancelled()) {
      // The caller's CallContext was cancelled: the application hears CANCELLED, as with a plain gRPC call.
      Throwable why = context.cancellation().cause();
      Status status = Status.CANCELLED.withDescription(
          "cancelled by Blastwall: " + (why != null ? why.getMessage() : "caller cancelled"));
      closeUncommitted(why != null ? status.withCause(why) : status, new Metadata());
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
    lock.lock();
    try {
      buffer.clear();
      for (Attempt each : live) {
        each.call.cancel("call closed: " + status.getCode(), null);
      }
      live.clear();
    } finally {
      lock.unlock();
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
    return "RetryingClientStreamCall[" + method.getFullMethodName() + ", " + plan.pipeline().upstream() + "]";
  }

  /** One attempt: its call below and the listener of that call (gRPC serializes a listener's callbacks). */
  private final class Attempt extends ClientCall.Listener<RespT> {
    final ClientCall<ReqT, RespT> call;
    final CompletableFuture<Boolean> result = new CompletableFuture<>();
    private final AtomicLong forwarded = new AtomicLong();
    private volatile @Nullable Metadata responseHeaders;
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
      lock.lock();
      try {
        live.remove(this);
        if (!status.isOk()) {
          lastFailure = status;
        }
      } finally {
        lock.unlock();
      }
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
    boolean commit() {
      if (!owner.compareAndSet(null, this)) {
        return false;
      }
      lock.lock();
      try {
        committed = this;
        buffer.clear();
        for (Attempt other : live) {
          if (other != this) {
            other.call.cancel("another attempt committed the call", null);
          }
        }
        live.clear();
      } finally {
        lock.unlock();
      }
      drain();
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
