package dev.blastwall.http;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.failure.RateLimitedException;
import dev.blastwall.propagation.HeaderSource;
import dev.blastwall.propagation.HeaderValue;
import dev.blastwall.propagation.HeaderValues;
import dev.blastwall.propagation.Headers;
import dev.blastwall.relay.AttemptFacts;
import dev.blastwall.relay.FailureRelay;
import dev.blastwall.relay.IncomingVerdict;
import dev.blastwall.relay.OutgoingVerdict;
import dev.blastwall.relay.RetryHint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * HTTP's table on core's call edge: status codes and transport errors to {@link FailureKind}s (client side), and
 * failures back to statuses (server side). What a failure means crossing the hop (the mark, the pushback, what the
 * attempt knows) is core's {@link FailureRelay}; only the codes and the headers are HTTP's.
 *
 * <h2>Received: status to failure kind</h2>
 *
 * <table>
 *   <caption>Statuses and transport errors received, and what they mean</caption>
 *   <tr><th>received</th><th>kind</th><th>retried</th></tr>
 *   <tr><td>connect refused or timed out, unknown host, no route</td><td>UNAVAILABLE, did not run</td>
 *       <td>always (on a sibling endpoint when there is one): the request never left</td></tr>
 *   <tr><td>other I/O errors (reset, closed mid-exchange)</td><td>UNAVAILABLE</td><td>when repeatable</td></tr>
 *   <tr><td>a response timeout</td><td>DEADLINE_EXCEEDED; TIMEOUT when the attempt's own limit caused it</td>
 *       <td>a TIMEOUT only when idempotent</td></tr>
 *   <tr><td>502, 503, 504</td><td>UNAVAILABLE</td><td>when repeatable (idempotent or keyed)</td></tr>
 *   <tr><td>503 with {@code blastwall-do-not-retry}</td><td>OVERLOADED (a Blastwall server shed it)</td>
 *       <td>with a Retry-After: by the immediate caller, any method, after the wait; without: never</td></tr>
 *   <tr><td>429</td><td>OVERLOADED</td><td>when repeatable, or marked with a Retry-After, after the wait</td></tr>
 *   <tr><td>500 and other 5xx</td><td>INTERNAL</td><td>only when idempotent (it may have half run)</td></tr>
 *   <tr><td>501, 505, every other 4xx</td><td>INVALID</td><td>never</td></tr>
 * </table>
 *
 * <p>{@code Retry-After} (and {@code retry-after-ms}) is honoured on 429 and 503 only. A pushback that would end
 * after the call's deadline means "do not retry": the wait would outlast the caller.
 *
 * <h2>Sent: failure to status</h2>
 *
 * <table>
 *   <caption>Failures and the answers a Blastwall server sends</caption>
 *   <tr><th>failure</th><th>status</th><th>headers</th></tr>
 *   <tr><td>this server's admission refused it ({@link OverloadedException})</td><td>503</td>
 *       <td>mark, Retry-After and retry-after-ms from its hint</td></tr>
 *   <tr><td>... by a rate limit (its policy {@value #RATE_LIMITER_POLICY})</td><td>429</td><td>the same</td></tr>
 *   <tr><td>deadline passed on arrival ({@link #expired()}), or any DEADLINE_EXCEEDED or TIMEOUT</td><td>504</td>
 *       <td>mark when the failure says "do not retry"</td></tr>
 *   <tr><td>a bad Blastwall header ({@link #badRequest})</td><td>400</td><td>none</td></tr>
 *   <tr><td>a failure from an HTTP upstream ({@link HttpRemoteFailure})</td><td>its status</td>
 *       <td>mark when marked, "do not retry", or an overload; never a Retry-After</td></tr>
 *   <tr><td>other Blastwall failures</td><td>by kind: OVERLOADED 503 (429 when rate limited), UNAVAILABLE 503,
 *       INTERNAL 500, INVALID 400, CANCELLED 499</td><td>the mark when they say "do not retry"</td></tr>
 *   <tr><td>anything else</td><td>500</td><td>none</td></tr>
 * </table>
 */
public final class HttpStatusMapping {

  /** The {@code policy} of an {@link OverloadedException} (or {@link RateLimitedException}) answered with 429. */
  public static final String RATE_LIMITER_POLICY = "rate-limiter";

  /** nginx's "client closed request": the answer to a call its caller cancelled, which nobody reads. */
  public static final int CLIENT_CLOSED_REQUEST = 499;

  private HttpStatusMapping() {}

  /** Whether {@code status} is a failure: 400 and above, or no valid status at all. */
  public static boolean isFailure(int status) {
    return status >= 400 || status < 100;
  }

  /**
   * The failure kind of {@code status}; {@code marked} tells a Blastwall server's shed 503 (OVERLOADED) from an
   * unavailable one. Statuses below 400 are no failure and map to {@link FailureKind#UNKNOWN}, as do codes outside
   * 100 to 599.
   */
  public static FailureKind kindOf(int status, boolean marked) {
    return switch (status) {
      case 429 -> FailureKind.OVERLOADED;
      case 503 -> marked ? FailureKind.OVERLOADED : FailureKind.UNAVAILABLE;
      case 502, 504 -> FailureKind.UNAVAILABLE;
      case 501, 505 -> FailureKind.INVALID;
      default -> status >= 500 && status <= 599 ? FailureKind.INTERNAL
          : status >= 400 && status <= 499 ? FailureKind.INVALID : FailureKind.UNKNOWN;
    };
  }

  /**
   * The verdict on a response with failure {@code status} and {@code headers}.
   *
   * @param description what the server said (a bounded start of the body), untrusted, or {@code null}
   * @param now the wall-clock time, for a {@code Retry-After} date
   * @param deadline the call's deadline, or {@code null}: a pushback past it means "do not retry"
   * @param attempt what the attempt knows
   */
  public static IncomingVerdict incoming(int status, HeaderSource headers, @Nullable CharSequence description,
      Instant now, @Nullable Deadline deadline, AttemptFacts attempt) {
    boolean marked = HeaderValues.parseDoNotRetry(headers.get(Headers.DO_NOT_RETRY)).orElse(Boolean.FALSE);
    RetryHint hint = RetryHint.none();
    if (status == 429 || status == 503) {
      HeaderValue<Duration> after = RetryAfter.read(headers, now);
      if (after.isPresent()) {
        Duration wait = after.value();
        hint = deadline != null && wait.toNanos() >= deadline.remainingNanos() ? RetryHint.doNotRetry()
            : RetryHint.after(wait);
      }
    }
    return FailureRelay.incoming(kindOf(status, marked), "HTTP " + status, description, marked, hint, attempt);
  }

  /**
   * The verdict on an attempt that got no HTTP answer because of {@code failure}: a connection never made did not
   * run; a timeout is DEADLINE_EXCEEDED, turned into TIMEOUT by {@code attempt.ownTimeout()}.
   */
  public static IncomingVerdict incoming(IOException failure, AttemptFacts attempt) {
    boolean notConnected = isNotConnected(failure);
    FailureKind kind = !notConnected && isTimeout(failure) ? FailureKind.DEADLINE_EXCEEDED : FailureKind.UNAVAILABLE;
    AttemptFacts facts = notConnected && !attempt.neverSent()
        ? new AttemptFacts(true, attempt.ownTimeout(), attempt.cancelledHere()) : attempt;
    String message = failure.getMessage();
    return FailureRelay.incoming(kind, failure.getClass().getSimpleName(), message, false, RetryHint.none(), facts);
  }

  /** The answer to a call whose deadline had passed when it arrived: 504, marked, its handler not run. */
  public static HttpFailureResponse expired() {
    return new HttpFailureResponse(504, true, RetryHint.doNotRetry(), "deadline expired on arrival");
  }

  /**
   * The answer to a call whose deadline passed while its handler ran, when nothing was sent yet: 504, marked (its
   * caller has given up, so nobody above should try again).
   */
  public static HttpFailureResponse deadlinePassed() {
    return new HttpFailureResponse(504, true, RetryHint.doNotRetry(), "deadline passed while the handler ran");
  }

  /** The answer to a request with a bad Blastwall header: 400 with {@code refusal} ({@code name: value (...)}). */
  public static HttpFailureResponse badRequest(String refusal) {
    return new HttpFailureResponse(400, false, RetryHint.none(), refusal);
  }

  /** The answer to {@code failure} (futures' wrappers looked through), by the table of the class comment. */
  public static HttpFailureResponse outgoing(Throwable failure) {
    OutgoingVerdict verdict = FailureRelay.outgoing(failure);
    Throwable unwrapped = verdict.failure();
    String message = String.valueOf(unwrapped.getMessage());
    if (!verdict.recognised()) {
      return new HttpFailureResponse(500, false, RetryHint.none(), unwrapped.getClass().getSimpleName());
    }
    int status;
    if (unwrapped instanceof HttpRemoteFailure remote && remote.status() != HttpRemoteFailure.NO_STATUS) {
      status = remote.status();
    } else if (isRateLimit(unwrapped)) {
      status = 429;
    } else {
      status = statusOf(verdict.kind());
    }
    return new HttpFailureResponse(status, verdict.marked(), verdict.hint(), message);
  }

  /** The status for a failure of {@code kind} that carries no HTTP status of its own. */
  public static int statusOf(FailureKind kind) {
    return switch (kind) {
      case OVERLOADED, UNAVAILABLE -> 503;
      case TIMEOUT, DEADLINE_EXCEEDED -> 504;
      case INTERNAL, UNKNOWN -> 500;
      case INVALID -> 400;
      case CANCELLED -> CLIENT_CLOSED_REQUEST;
    };
  }

  private static boolean isRateLimit(Throwable failure) {
    return failure instanceof RateLimitedException
        || (failure instanceof OverloadedException overloaded && RATE_LIMITER_POLICY.equals(overloaded.policy()));
  }

  /** Whether {@code failure} (or a cause a few levels down) says no connection was made. */
  private static boolean isNotConnected(Throwable failure) {
    Throwable current = failure;
    for (int depth = 0; current != null && depth < 4; depth++, current = current.getCause()) {
      if (current instanceof ConnectException || current instanceof HttpConnectTimeoutException
          || current instanceof UnknownHostException || current instanceof NoRouteToHostException) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTimeout(Throwable failure) {
    return failure instanceof HttpTimeoutException || failure instanceof SocketTimeoutException;
  }
}
