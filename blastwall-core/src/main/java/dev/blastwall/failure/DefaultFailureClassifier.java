package dev.blastwall.failure;

import dev.blastwall.internal.Failures;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/** The classification that follows the seed's retry rules, for JDK exceptions and Blastwall's own. */
enum DefaultFailureClassifier implements FailureClassifier {
  INSTANCE;

  @Override
  public FailureKind classify(Throwable failure) {
    Throwable unwrapped = Failures.unwrap(failure);
    if (unwrapped instanceof RemoteFailure remote) {
      return remote.kind();
    }
    if (unwrapped instanceof BlastwallException blastwall) {
      return blastwall.kind();
    }
    // Connection never made: the request cannot have run, so any operation may be retried (didNotRun says so).
    if (isNeverConnected(unwrapped)) {
      return FailureKind.UNAVAILABLE;
    }
    // Read timeouts: the request may have run.
    if (unwrapped instanceof SocketTimeoutException || unwrapped instanceof TimeoutException) {
      return FailureKind.TIMEOUT;
    }
    if (unwrapped instanceof InterruptedException
        || unwrapped instanceof InterruptedIOException
        || unwrapped instanceof CancellationException) {
      return FailureKind.CANCELLED;
    }
    // The connection broke mid-exchange (reset, closed): may have run, like a server-side error.
    if (unwrapped instanceof ClosedChannelException || unwrapped instanceof java.io.IOException) {
      return FailureKind.INTERNAL;
    }
    if (unwrapped instanceof IllegalArgumentException
        || unwrapped instanceof IllegalStateException
        || unwrapped instanceof UnsupportedOperationException
        || unwrapped instanceof SecurityException) {
      return FailureKind.INVALID;
    }
    return FailureKind.UNKNOWN;
  }

  /** Whether {@code failure} (unwrapped) says no connection was made, so the request never left. */
  static boolean isNeverConnected(Throwable failure) {
    return failure instanceof ConnectException
        || failure instanceof NoRouteToHostException
        || failure instanceof UnknownHostException
        || failure instanceof PortUnreachableException;
  }
}
