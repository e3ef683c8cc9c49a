package dev.blastwall.http;

import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.relay.IncomingVerdict;
import org.jspecify.annotations.Nullable;

/**
 * A failure an HTTP upstream answered with (a status of 400 or more), or the transport's failure to reach it
 * ({@link #status()} 0), in core's terms as {@link HttpStatusMapping#incoming} decided them, with the status kept
 * so a server relaying it answers with the same one.
 */
public class HttpRemoteFailure extends RemoteFailure {

  private static final long serialVersionUID = 1L;

  /** {@link #status()} of a failure that got no HTTP answer (connect error, reset, timeout). */
  public static final int NO_STATUS = 0;

  private final int status;

  /**
   * @param verdict what the failure means here
   * @param status the status received, or {@link #NO_STATUS}
   * @param cause the transport's exception, or {@code null}
   */
  public HttpRemoteFailure(IncomingVerdict verdict, int status, @Nullable Throwable cause) {
    super(verdict.kind(), verdict.message(), verdict.retryAfter(), verdict.doNotRetry(), verdict.didNotRun(),
        verdict.marked(), cause);
    this.status = status;
  }

  /** The status the upstream answered with, or {@link #NO_STATUS} when it gave no HTTP answer. */
  public int status() {
    return status;
  }
}
