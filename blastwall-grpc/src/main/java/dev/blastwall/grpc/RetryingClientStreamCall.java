package dev.blastwall.grpc;

import com.google.protobuf.MessageLite;
import dev.blastwall.context.CallContext;
import dev.blastwall.grpc.GrpcClientPolicy.MethodPlan;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A client-streaming or bidirectional call run through a {@link dev.blastwall.pipeline.Pipeline} until it is
 * committed (see {@link CommittingCall}). The call starts at once (messages flow live to the attempt in flight) and
 * every message sent is also kept in a replay buffer, up to {@link #MAX_BUFFERED_MESSAGES} messages or
 * {@link #MAX_BUFFERED_BYTES} bytes. While nothing was received and the buffer holds everything sent, a failure the
 * pipeline retries starts a fresh attempt that replays the headers, the buffered messages and the half-close if the
 * application already sent it.
 *
 * <p>Besides the first response message and an OK close, a buffer overflow commits the call to the attempt in
 * flight (the messages could no longer be replayed): the buffer is dropped and nothing is retried. If the buffer
 * overflows while no attempt is in flight (between a failure and its retry), the call fails with the last attempt's
 * status. Before the commit {@code isReady()} is true (messages are buffered).
 *
 * <p>The application's {@code sendMessage}, {@code halfClose} and the starting of attempts (on the pipeline's
 * threads) are ordered by one lock, so each attempt sees the messages in the application's order; the lock is held
 * only to hand messages to gRPC, which does not block.
 */
final class RetryingClientStreamCall<ReqT, RespT> extends CommittingCall<ReqT, RespT> {

  /** The most messages kept for replay; one more commits the call. */
  static final int MAX_BUFFERED_MESSAGES = 64;

  /** The most bytes (serialized protobuf size) kept for replay; more commits the call. */
  static final long MAX_BUFFERED_BYTES = 1024 * 1024;

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  private final List<ReqT> buffer = new ArrayList<>();
  private long bufferedBytes;
  private boolean overflowed;
  private boolean halfClosed;
  private final List<Attempt> live = new ArrayList<>();
  private @Nullable Status lastFailure;

  RetryingClientStreamCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next,
      GrpcClientPolicy policy, MethodPlan plan) {
    super(method, callOptions, next, policy, plan);
  }

  @Override
  void started(Metadata requestHeaders) {
    startPipeline(() -> startAttempt(requestHeaders));
  }

  @Override
  void drainUncommitted() {
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
      Attempt winner = committed();
      if (winner != null) {
        winner.call.sendMessage(message);
        return;
      }
      // Settled but not committed yet: an attempt won the commit's compare-and-set and its committing() waits for
      // this lock, or the call was closed. The message goes to the live attempts unbuffered: the winner is one of
      // them (returning here dropped it), and after a close they are about to be cancelled.
      if (!overflowed && !isSettled()) {
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
      close((last != null ? last : Status.UNAVAILABLE).withDescription(
          "retry buffer overflowed while no attempt was in flight"
              + (last != null && last.getDescription() != null ? ": " + last.getDescription() : "")),
          new Metadata());
      cancelPipeline();
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
      Attempt winner = committed();
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

  /** Starts one attempt and replays what was sent so far; runs with the attempt's {@link CallContext} current. */
  private CompletableFuture<Boolean> startAttempt(Metadata requestHeaders) {
    Attempt attempt = newAttempt();
    ClientCall<ReqT, RespT> call = attempt.call;
    Metadata attemptHeaders = Propagation.attemptHeaders(requestHeaders, attempt.context());
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
      return attempt.failedToSend(failure);
    } finally {
      lock.unlock();
    }
    return launched(attempt);
  }

  /**
   * Also closes with CANCELLED when the caller's {@link CallContext} was cancelled, as with a plain gRPC call.
   */
  @Override
  void fail(@Nullable Throwable failure) {
    CallContext context = logicalContext();
    if (cancelled() == null && context != null && context.cancellation().isCancelled()) {
      Throwable why = context.cancellation().cause();
      Status status = Status.CANCELLED.withDescription(
          "cancelled by Blastwall: " + (why != null ? why.getMessage() : "caller cancelled"));
      close(why != null ? status.withCause(why) : status, new Metadata());
      return;
    }
    super.fail(failure);
  }

  @Override
  void closedUncommitted(Status status) {
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
  }

  @Override
  void committing(Attempt winner) {
    lock.lock();
    try {
      markCommitted(winner);
      buffer.clear();
      for (Attempt other : live) {
        if (other != winner) {
          other.call.cancel("another attempt committed the call", null);
        }
      }
      live.clear();
    } finally {
      lock.unlock();
    }
  }

  @Override
  void lost(Attempt loser, Status status) {
    lock.lock();
    try {
      live.remove(loser);
      if (!status.isOk()) {
        lastFailure = status;
      }
    } finally {
      lock.unlock();
    }
  }
}
