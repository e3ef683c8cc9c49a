package dev.blastwall.okhttp;

import dev.blastwall.http.HttpRemoteFailure;
import dev.blastwall.relay.IncomingVerdict;
import okhttp3.Response;

/**
 * One attempt's answer with a status of 400 or more, in core's terms, with the response (its body read into memory,
 * at most {@link OkHttpAttempt#MAX_FAILURE_BODY_BYTES}) so the connection is free for the next attempt and the last
 * answer can still be returned to the caller whole.
 */
final class OkHttpStatusFailure extends HttpRemoteFailure {

  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // never serialised: it lives only between an attempt and its interceptor
  private final transient Response response;

  OkHttpStatusFailure(IncomingVerdict verdict, Response response) {
    super(verdict, response.code(), null);
    this.response = response;
  }

  Response response() {
    return response;
  }
}
