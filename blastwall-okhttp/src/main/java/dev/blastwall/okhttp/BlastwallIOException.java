package dev.blastwall.okhttp;

import java.io.IOException;

/**
 * What an OkHttp call through {@link BlastwallInterceptor} throws when it ends without an HTTP answer to return: the
 * pipeline refused or gave up (deadline, breaker, budget, bulkhead), or the last attempt broke off without a status.
 * OkHttp's calls may only fail with an {@link IOException} (an asynchronous call would otherwise crash its dispatcher
 * thread), so Blastwall's own exception is the cause.
 */
public final class BlastwallIOException extends IOException {

  private static final long serialVersionUID = 1L;

  BlastwallIOException(RuntimeException failure) {
    super(String.valueOf(failure.getMessage()), failure);
  }
}
