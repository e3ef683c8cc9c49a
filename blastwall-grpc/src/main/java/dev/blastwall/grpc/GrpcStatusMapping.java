package dev.blastwall.grpc;

import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.FailureClassifier;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.internal.Failures;
import dev.blastwall.relay.AttemptFacts;
import dev.blastwall.relay.FailureRelay;
import dev.blastwall.relay.IncomingVerdict;
import dev.blastwall.relay.OutgoingVerdict;
import dev.blastwall.relay.RetryHint;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * Maps gRPC statuses to Blastwall failures (client side) and Blastwall failures back to statuses (server side,
 * and the final failure a Blastwall client hands to its caller). Only the code table and the metadata are gRPC's:
 * what a failure means when it crosses the hop (the pushback, the mark, the attempt's own facts) is core's
 * {@code dev.blastwall.relay.FailureRelay}, which every adapter shares.
 *
 * <h2>Status to failure kind</h2>
 *
 * <table>
 *   <caption>Status codes and the failure kinds they map to</caption>
 *   <tr><th>status</th><th>kind</th><th>retried</th></tr>
 *   <tr><td>UNAVAILABLE</td><td>UNAVAILABLE</td><td>when repeatable (idempotent or keyed)</td></tr>
 *   <tr><td>RESOURCE_EXHAUSTED</td><td>OVERLOADED</td><td>when repeatable, after the pushback if any</td></tr>
 *   <tr><td>DEADLINE_EXCEEDED</td><td>DEADLINE_EXCEEDED</td><td>never at the same layer: the time is gone</td></tr>
 *   <tr><td>DEADLINE_EXCEEDED of an attempt bounded by its own attempt timeout, while the call's deadline has
 *       time left</td><td>TIMEOUT</td><td>only when idempotent by nature</td></tr>
 *   <tr><td>INTERNAL, UNKNOWN, DATA_LOSS</td><td>INTERNAL</td><td>only when idempotent by nature</td></tr>
 *   <tr><td>INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, UNAUTHENTICATED, FAILED_PRECONDITION,
 *       OUT_OF_RANGE, UNIMPLEMENTED, ABORTED</td><td>INVALID</td><td>never</td></tr>
 *   <tr><td>CANCELLED, the client's own doing (the application, the caller's context, Blastwall: timeout, hedge
 *       won)</td><td>CANCELLED</td><td>never</td></tr>
 *   <tr><td>CANCELLED that the client did not ask for (a server stopped with {@code shutdownNow()} resets its
 *       calls): the server went away</td><td>UNAVAILABLE (status UNAVAILABLE)</td><td>when repeatable</td></tr>
 * </table>
 *
 * <p>The last two rows need what only the attempt knows, so they apply to attempts of Blastwall's own calls
 * ({@link BlastwallClientInterceptor}); {@link #toFailure} alone maps the status as the first rows do.
 *
 * <h2>Requests that did not run</h2>
 *
 * <p>A failure whose request certainly did not run ({@code RemoteFailure.didNotRun()}) may be retried for any
 * method, repeatable or not: the attempt's stream was never created on a connection (grpc-java never called its
 * {@code ClientStreamTracer.streamCreated}: no ready backend, the channel shut down, the attempt's time ran out
 * while waiting for a connection), or a Blastwall server refused it before its handler ran (RESOURCE_EXHAUSTED with
 * the do-not-retry mark and a pushback {@code >= 0}: its admission control's rejection).
 *
 * <p><b>ABORTED</b> is a concurrency conflict (a failed test-and-set, an aborted transaction). Sending the same
 * request again replays the same stale read, so it is not retried by the RPC layer and does not count against
 * the upstream's health; the original ABORTED status reaches the application, which owns the read-modify-write
 * sequence and may restart it from the read ("retry at a higher level", as gRPC's status guide puts it).
 *
 * <h2>Pushback and the do-not-retry mark</h2>
 *
 * <p>{@code grpc-retry-pushback-ms} is read on every status, as gRPC does: {@code >= 0} means "retry after exactly
 * that" (it replaces the backoff), negative or unparseable means "do not retry". The {@code blastwall-do-not-retry}
 * trailer means the failure was already retried below, or must not be: the caller that receives it does not retry
 * it, unless the same response also carries a pushback {@code >= 0}. That combination is an overloaded server's
 * own rejection: its immediate caller may retry once the pushback has passed, and nobody above it may.
 *
 * <h2>Failure to status</h2>
 *
 * <p>{@link #toStatusException} maps what a handler threw (or what a Blastwall client finally gives up with) to a
 * status and trailers: an {@link OverloadedException} becomes RESOURCE_EXHAUSTED with the mark and a pushback
 * from its retry-after hint ({@code -1}, i.e. "do not retry", without one); other Blastwall exceptions take the
 * status of their kind (a circuit breaker's rejection is UNAVAILABLE, a passed deadline DEADLINE_EXCEEDED) and
 * carry the mark when they say "do not retry"; a {@link RemoteFailure} from below keeps its status and is marked
 * when it was marked, said "do not retry", or is an overload. Only an {@link OverloadedException} ever sends a
 * positive pushback: a pushback is for the immediate caller of the overloaded server, never relayed upwards.
 * Marked responses also carry pushback {@code -1}, so plain gRPC clients with a retry policy do not retry them either.
 */
public final class GrpcStatusMapping {

  private static final FailureClassifier CLASSIFIER = new StatusClassifier();

  private GrpcStatusMapping() {}

  /** The failure kind of {@code code}; {@code OK} is not a failure and maps to {@link FailureKind#UNKNOWN}. */
  public static FailureKind kindOf(Status.Code code) {
    return switch (code) {
      case UNAVAILABLE -> FailureKind.UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> FailureKind.OVERLOADED;
      case DEADLINE_EXCEEDED -> FailureKind.DEADLINE_EXCEEDED;
      case INTERNAL, UNKNOWN, DATA_LOSS -> FailureKind.INTERNAL;
      case INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, UNAUTHENTICATED, FAILED_PRECONDITION,
          OUT_OF_RANGE, UNIMPLEMENTED, ABORTED -> FailureKind.INVALID;
      case CANCELLED -> FailureKind.CANCELLED;
      case OK -> FailureKind.UNKNOWN;
    };
  }

  /** The status code for a failure of {@code kind} that carries no gRPC status of its own. */
  public static Status.Code codeOf(FailureKind kind) {
    return switch (kind) {
      case UNAVAILABLE -> Status.Code.UNAVAILABLE;
      case OVERLOADED -> Status.Code.RESOURCE_EXHAUSTED;
      // An attempt that ran out of its own time: to the caller, this layer did not answer in time.
      case TIMEOUT, DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
      case INTERNAL -> Status.Code.INTERNAL;
      case INVALID -> Status.Code.INVALID_ARGUMENT;
      case CANCELLED -> Status.Code.CANCELLED;
      case UNKNOWN -> Status.Code.UNKNOWN;
    };
  }

  /**
   * The failure for an attempt that closed with {@code status} (not OK) and {@code trailers}, with the pushback
   * and do-not-retry rules of the class comment applied.
   */
  public static GrpcRemoteFailure toFailure(Status status, @Nullable Metadata trailers) {
    return toAttemptFailure(status, trailers, AttemptFacts.NOT_KNOWN);
  }

  /**
   * The failure for an attempt of a Blastwall call, with what only the attempt knows (see the class comment): an
   * attempt whose stream was never created did not run; a DEADLINE_EXCEEDED that its own attempt timeout caused
   * is a TIMEOUT; a CANCELLED nobody on this side asked for is the server going away, UNAVAILABLE.
   *
   * @param neverSent whether the attempt's stream was never created on a connection
   * @param ownTimeout whether the attempt's deadline was its own attempt timeout, earlier than the call's deadline
   *     (which has not passed)
   * @param cancelledHere whether this side cancelled the attempt: the application, the caller's context or gRPC
   *     context, or Blastwall itself
   */
  static GrpcRemoteFailure toAttemptFailure(Status status, @Nullable Metadata trailers, boolean neverSent,
      boolean ownTimeout, boolean cancelledHere) {
    return toAttemptFailure(status, trailers, new AttemptFacts(neverSent, ownTimeout, cancelledHere));
  }

  private static GrpcRemoteFailure toAttemptFailure(Status status, @Nullable Metadata trailers,
      AttemptFacts attempt) {
    Metadata received = trailers != null ? trailers : new Metadata();
    Status.Code code = status.getCode();
    long pushback = BlastwallMetadata.parsePushbackMillis(received.get(BlastwallMetadata.RETRY_PUSHBACK_MS));
    RetryHint hint = pushback == BlastwallMetadata.NO_PUSHBACK ? RetryHint.none() : RetryHint.afterMillis(pushback);
    IncomingVerdict verdict = FailureRelay.incoming(kindOf(code), code.name(), status.getDescription(),
        BlastwallMetadata.hasDoNotRetry(received), hint, attempt);
    Status reported = status;
    if (code == Status.Code.CANCELLED && verdict.kind() == FailureKind.UNAVAILABLE) {
      // The server went away: report it as gRPC would a server that is gone, with what it said.
      reported = Status.UNAVAILABLE.withCause(status.getCause()).withDescription(verdict.description());
    }
    return new GrpcRemoteFailure(verdict, reported, received);
  }

  /**
   * The status and trailers for {@code failure} (see the class comment). Futures' {@code CompletionException} and
   * {@code ExecutionException} wrappers are looked through. A gRPC status exception keeps its status and trailers;
   * anything Blastwall does not know becomes what gRPC itself would make of it ({@link Status#fromThrowable}).
   */
  public static StatusRuntimeException toStatusException(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    if (unwrapped instanceof StatusRuntimeException exception) {
      return exception;
    }
    if (unwrapped instanceof StatusException exception) {
      return new StatusRuntimeException(exception.getStatus(), exception.getTrailers());
    }
    OutgoingVerdict verdict = FailureRelay.outgoing(unwrapped);
    if (!verdict.recognised()) {
      Status status = Status.fromThrowable(unwrapped);
      Metadata trailers = Status.trailersFromThrowable(unwrapped);
      return new StatusRuntimeException(status, trailers != null ? trailers : new Metadata());
    }
    Metadata trailers = new Metadata();
    Status status;
    if (unwrapped instanceof GrpcRemoteFailure remote) {
      // Keep what the server sent, except its pushback and mark: those were for this layer, and are decided anew.
      trailers.merge(remote.trailers());
      trailers.discardAll(BlastwallMetadata.RETRY_PUSHBACK_MS);
      trailers.discardAll(BlastwallMetadata.DO_NOT_RETRY);
      status = remote.status();
    } else {
      Status.Code code = codeOf(verdict.kind());
      // Keep the code the server really sent (DATA_LOSS, not just INTERNAL) when the last failure was gRPC's.
      if (unwrapped instanceof BlastwallException blastwall && blastwall.getCause() instanceof GrpcRemoteFailure last
          && last.kind() == blastwall.kind()) {
        code = last.status().getCode();
      }
      status = Status.fromCode(code).withDescription(unwrapped.getMessage()).withCause(unwrapped);
    }
    if (verdict.marked()) {
      BlastwallMetadata.markDoNotRetry(trailers);
    }
    RetryHint hint = verdict.hint();
    if (!hint.isNone()) {
      BlastwallMetadata.putPushback(trailers, hint.retryAfterMillisRoundedUp());
    }
    return new StatusRuntimeException(status, trailers);
  }

  /** Whether {@link #toStatusException} knows {@code failure} (a Blastwall, remote, gRPC or cancellation failure). */
  public static boolean isMapped(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    return unwrapped instanceof BlastwallException
        || unwrapped instanceof RemoteFailure
        || unwrapped instanceof StatusRuntimeException
        || unwrapped instanceof StatusException
        || unwrapped instanceof CancellationException;
  }

  /**
   * A classifier for pipelines that wrap gRPC stubs directly ({@code pipeline.call(() -> stub.get(request))})
   * instead of using {@link BlastwallClientInterceptor}: gRPC status exceptions are classified, and their pushback
   * and mark read, as in the class comment; everything else as {@link FailureClassifier#defaults()} does.
   */
  public static FailureClassifier classifier() {
    return CLASSIFIER;
  }

  /** A gRPC status exception as a {@link GrpcRemoteFailure}, or {@code null} for anything else. */
  static @Nullable GrpcRemoteFailure fromStatusException(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    if (unwrapped instanceof StatusRuntimeException exception) {
      return toFailure(exception.getStatus(), exception.getTrailers());
    }
    if (unwrapped instanceof StatusException exception) {
      return toFailure(exception.getStatus(), exception.getTrailers());
    }
    return null;
  }

  /** Classifies gRPC status exceptions; defers to the defaults for everything else. */
  private static final class StatusClassifier implements FailureClassifier {
    @Override
    public FailureKind classify(Throwable failure) {
      GrpcRemoteFailure remote = fromStatusException(failure);
      return remote != null ? remote.kind() : FailureClassifier.defaults().classify(failure);
    }

    @Override
    public long retryAfterNanos(Throwable failure) {
      GrpcRemoteFailure remote = fromStatusException(failure);
      return remote != null ? remote.retryAfterNanos() : FailureClassifier.defaults().retryAfterNanos(failure);
    }

    @Override
    public boolean doNotRetry(Throwable failure) {
      GrpcRemoteFailure remote = fromStatusException(failure);
      return remote != null ? remote.doNotRetry() : FailureClassifier.defaults().doNotRetry(failure);
    }

    @Override
    public boolean didNotRun(Throwable failure) {
      GrpcRemoteFailure remote = fromStatusException(failure);
      return remote != null ? remote.didNotRun() : FailureClassifier.defaults().didNotRun(failure);
    }
  }
}
